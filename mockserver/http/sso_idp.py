"""The built-in identity provider's pages, under ``/_mock/idp/{project_id}`` (no credentials:
a browser talks to them, as to a real IdP).

OpenID Connect (discovery document, authorize with a login page, token, userinfo, JWKS) and
SAML 2.0 (metadata, SSO service with a login page; the answer is a signed Response POSTed to
the ACS URL by an auto-submitting form, the HTTP-POST binding).

Non-interactive use: ``login_hint=<email>`` on the authorize / SSO URL (``/v1/public/sso/start``
forwards it, and any ``mock_*`` parameter) completes without the page; ``mock_name``,
``mock_user_id`` and ``mock_groups`` (comma-separated) fill in the rest of the user.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from .. import errors
from ..domain import sso
from ..domain.login import with_params
from ..domain.project import Project
from ..idp import saml
from ..idp.provider import IdPUser, OIDCError
from .browser_routes import base_url, browser_route, page, project_by_id, redirect
from .common import json_response

routes = web.RouteTableDef()

BASE = "/_mock/idp/{project_id}"
USER_FIELDS = ("email", "name", "user_id", "groups")


def _project(request: web.Request) -> Project:
    return project_by_id(request, request.match_info["project_id"])


def _issuer(request: web.Request, proj: Project) -> str:
    return sso.idp_issuer(base_url(request), proj.project_id)


def _user_from(values: dict[str, str], *, prefix: str = "") -> IdPUser | None:
    email = (values.get("login_hint") if prefix else values.get("email")) or ""
    email = email.strip()
    if not email:
        return None
    groups = values.get(f"{prefix}groups", "")
    return IdPUser(
        email=email,
        name=values.get(f"{prefix}name", "").strip(),
        user_id=values.get(f"{prefix}user_id", "").strip(),
        groups=[g.strip() for g in groups.split(",") if g.strip()],
    )


def _oauth_error(exc: OIDCError) -> web.Response:
    body = json.dumps({"error": exc.error, "error_description": exc.description})
    return json_response(body, status=exc.status)


def _login_form(
    title: str, action: str, hidden: dict[str, str], proj: Project, note: str
) -> web.Response:
    inputs = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in hidden.items()
        if k not in USER_FIELDS
    )
    known = sorted({m.email_address for m in itertools.islice(proj.members, 50)})
    options = "".join(f"<option value='{html.escape(e)}'>" for e in known)
    body = f"""<p class="muted">{html.escape(note)}</p>
<form method="post" action="{html.escape(action)}">{inputs}
<label for="email">Email</label>
<input id="email" name="email" type="email" required list="known-users" autofocus>
<datalist id="known-users">{options}</datalist>
<label for="name">Name</label><input id="name" name="name">
<label for="user_id">IdP user id <span class="muted">(blank: derived from the email)</span></label>
<input id="user_id" name="user_id">
<label for="groups">Groups <span class="muted">(comma-separated)</span></label>
<input id="groups" name="groups">
<button type="submit" id="sign-in">Sign in</button>
</form>"""
    return page(title, body)


async def _form(request: web.Request) -> dict[str, str]:
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


# --- OpenID Connect ------------------------------------------------------------------------


@routes.get(BASE + "/.well-known/openid-configuration")
@browser_route
async def discovery(request: web.Request) -> web.Response:
    proj = _project(request)
    issuer = _issuer(request, proj)
    urls = sso.built_in_oidc(base_url(request), proj.project_id)
    document: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": urls["authorization_url"],
        "token_endpoint": urls["token_url"],
        "userinfo_endpoint": urls["userinfo_url"],
        "jwks_uri": urls["jwks_url"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "groups"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "claims_supported": [
            "sub",
            "email",
            "email_verified",
            "name",
            "given_name",
            "family_name",
            "groups",
        ],
    }
    return json_response(json.dumps(document))


@routes.get(BASE + "/oidc/jwks")
@browser_route
async def jwks(request: web.Request) -> web.Response:
    return json_response(json.dumps(sso.idp_of(_project(request)).jwks()))


async def _authorize(request: web.Request, params: dict[str, str]) -> web.StreamResponse:
    proj = _project(request)
    try:
        sso.idp_of(proj).check_authorize(params)
    except OIDCError as exc:
        # RFC 6749 §4.1.2.1: with an unknown client or redirect URI the IdP must not redirect;
        # it tells the user (an IdP's page, so OAuth's error code rather than a Stytch type).
        body = (
            f"<p>{html.escape(exc.description)}</p>"
            f"<p class='muted'>error <code id='error-type'>{html.escape(exc.error)}</code></p>"
        )
        return page("The identity provider refused the request", body, status=exc.status)
    user = _user_from(params) if request.method == "POST" else _user_from(params, prefix="mock_")
    if user is None:
        return _login_form(
            "Sign in to the mock IdP (OpenID Connect)",
            request.path,
            params,
            proj,
            "The Stytch mock's built-in identity provider: type any user.",
        )
    code = sso.idp_of(proj).issue_code(params, user, proj.now())
    query = {"code": code}
    if params.get("state"):
        query["state"] = params["state"]
    return redirect(with_params(params["redirect_uri"], query))


@routes.get(BASE + "/oidc/authorize")
@browser_route
async def authorize(request: web.Request) -> web.StreamResponse:
    return await _authorize(request, dict(request.query))


@routes.post(BASE + "/oidc/authorize")
@browser_route
async def authorize_form(request: web.Request) -> web.StreamResponse:
    return await _authorize(request, await _form(request))


@routes.post(BASE + "/oidc/token")
@browser_route
async def token(request: web.Request) -> web.Response:
    proj = _project(request)
    form = await _form(request)
    basic = None
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            basic = (client_id, secret)
        except (ValueError, UnicodeDecodeError):
            return _oauth_error(OIDCError("invalid_client", "Malformed Basic credentials.", 401))
    try:
        issued = sso.idp_of(proj).exchange_code(form, basic, _issuer(request, proj), proj.now())
        return json_response(json.dumps(issued))
    except OIDCError as exc:
        return _oauth_error(exc)


@routes.get(BASE + "/oidc/userinfo")
@browser_route
async def userinfo(request: web.Request) -> web.Response:
    proj = _project(request)
    header = request.headers.get("Authorization", "")
    try:
        claims = sso.idp_of(proj).userinfo(
            header[7:] if header[:7].lower() == "bearer " else "", proj.now()
        )
    except OIDCError as exc:
        return _oauth_error(exc)
    return json_response(json.dumps(claims))


# --- SAML ----------------------------------------------------------------------------------


@routes.get(BASE + "/saml/metadata")
@browser_route
async def saml_metadata(request: web.Request) -> web.Response:
    proj = _project(request)
    urls = sso.built_in_saml(base_url(request), proj.project_id)
    cert = sso.certs_body(sso.idp_certificate(proj))
    entity_id = html.escape(urls["idp_entity_id"])
    sso_url = html.escape(urls["idp_sso_url"])
    redirect_binding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        f' entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing">'
        '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
        f"<ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
        "</md:KeyDescriptor>"
        f"<md:NameIDFormat>{saml.EMAIL_NAMEID}</md:NameIDFormat>"
        f'<md:SingleSignOnService Binding="{redirect_binding}" Location="{sso_url}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>\n"
    )
    return web.Response(text=xml, content_type="application/samlmetadata+xml")


class _Refused(Exception):
    """The IdP refuses a request (shown on its own page, with OAuth/SAML wording)."""


def _check_request_signature(proj: Project, acs_url: str, signed_query: str) -> None:
    """A signed AuthnRequest from one of the project's SAML connections must verify against
    that connection's signing certificates (an unsigned one is accepted, as by an IdP that
    does not ask for signed requests)."""
    conn = sso.find_connection(proj, acs_url.rstrip("/").rsplit("/", 1)[-1])
    if not isinstance(conn, sso.SAMLConnection) or acs_url not in (
        conn.acs_url,
        conn.alternative_acs_url,
    ):
        return
    if "Signature=" not in signed_query:
        return
    certificates = [c["certificate"] for c in conn.signing_certificates]
    if not saml.verify_redirect_signature(signed_query, certificates):
        raise _Refused(
            "The AuthnRequest's signature does not verify against the connection's "
            "signing certificates."
        )


def _saml_target(
    proj: Project, params: dict[str, str], signed_query: str
) -> tuple[str, str, str | None]:
    """(ACS URL, audience, InResponseTo) from the AuthnRequest, or from ``connection_id`` for
    an IdP-initiated login."""
    if params.get("SAMLRequest"):
        try:
            parsed = saml.parse_authn_request(params["SAMLRequest"])
        except saml.SAMLError as exc:
            raise _Refused(str(exc)) from None
        if not parsed["acs_url"]:
            raise _Refused("The AuthnRequest names no AssertionConsumerServiceURL.")
        _check_request_signature(proj, parsed["acs_url"], signed_query)
        return parsed["acs_url"], parsed["issuer"], parsed["id"] or None
    conn = sso.find_connection(proj, params.get("connection_id", ""))
    if not isinstance(conn, sso.SAMLConnection):
        raise errors.bad_request(
            "Pass a SAMLRequest, or connection_id=<a SAML connection> for an IdP-initiated login."
        )
    return conn.acs_url, conn.audience_uri, None


def saml_post_form(acs_url: str, saml_response: str, relay_state: str | None) -> web.Response:
    relay = (
        f"<input type='hidden' name='RelayState' value='{html.escape(relay_state)}'>"
        if relay_state
        else ""
    )
    body = f"""<p class="muted">Sending the signed SAML response to the service provider…</p>
<form id="saml-post" method="post" action="{html.escape(acs_url)}">
<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}">{relay}
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById("saml-post").submit();</script>"""
    return page("Signing in…", body)


async def _saml_sso(
    request: web.Request, params: dict[str, str], signed_query: str
) -> web.StreamResponse:
    proj = _project(request)
    try:
        acs_url, audience, in_response_to = _saml_target(proj, params, signed_query)
    except _Refused as exc:
        body = f"<p>{html.escape(str(exc))}</p>"
        return page("The identity provider refused the request", body, status=400)
    user = _user_from(params) if request.method == "POST" else _user_from(params, prefix="mock_")
    if user is None:
        return _login_form(
            "Sign in to the mock IdP (SAML)",
            request.path,
            params,
            proj,
            f"The Stytch mock's built-in identity provider, signing in to {audience}.",
        )
    issuer = sso.built_in_saml(base_url(request), proj.project_id)["idp_entity_id"]
    xml = saml.build_response(
        user=saml.SAMLUser(
            email=user.email, name=user.name, user_id=user.subject, groups=user.groups
        ),
        issuer=issuer,
        destination=acs_url,
        audience=audience,
        now=proj.now(),
        key=sso.idp_of(proj).key,
        cert_pem=sso.idp_certificate(proj),
        in_response_to=in_response_to,
    )
    return saml_post_form(acs_url, base64.b64encode(xml).decode(), params.get("RelayState"))


@routes.get(BASE + "/saml/sso")
@browser_route
async def saml_sso(request: web.Request) -> web.StreamResponse:
    return await _saml_sso(request, dict(request.query), request.rel_url.raw_query_string)


@routes.post(BASE + "/saml/sso")
@browser_route
async def saml_sso_form(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    # The login page carries the request's query on as fields; its signature covers them
    # encoded the way the mock's service provider encodes them.
    signed = urlencode(
        [
            (name, form[name])
            for name in ("SAMLRequest", "RelayState", "SigAlg", "Signature")
            if name in form
        ]
    )
    return await _saml_sso(request, form, signed)
