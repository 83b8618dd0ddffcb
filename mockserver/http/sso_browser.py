"""The browser's side of SSO: ``GET /v1/public/sso/start`` and the connection callbacks
(``/v1/b2b/sso/callback/{connection_id}``: a SAML Response POSTed to the ACS URL, or an OIDC
authorization code at the redirect URL). Errors are HTML pages (``http.browser_routes``).

The OIDC callback is a real relying party: it exchanges the code at the connection's
``token_url``, reads ``userinfo_url`` and verifies the ID token against ``jwks_url`` over HTTP
(aiohttp's client, so a callback into this same server does not block its event loop).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp
from aiohttp import web

from .. import errors
from ..domain import oauth, sso, sso_login
from ..domain.project import Project
from ..models import sso as ms
from .browser_routes import browser_route, redirect
from .common import REQUEST_ID, parse_query
from .middleware import REGISTRY

routes = web.RouteTableDef()

CALLBACK = "/v1/b2b/sso/callback/{connection_id}"
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=15)
MAX_FORM_BYTES = 1024 * 1024


def _project_of_connection(request: web.Request, connection_id: str) -> Project:
    """The project that holds a connection (its id is unique across projects)."""
    for candidate in request.app[REGISTRY].projects.values():
        if sso.find_connection(candidate, connection_id) is not None:
            return candidate
    raise sso.sso_connection_not_found()


@routes.get("/v1/public/sso/start")
@browser_route
async def start(request: web.Request) -> web.StreamResponse:
    query = parse_query(request, ms.SSOStartQuery)
    # The same check as the OAuth start URLs (400 without a token, 404 for an unknown one).
    proj = oauth.project_for_public_token(request.app[REGISTRY], query.public_token)
    passthrough = {
        k: v for k, v in request.query.items() if k == "login_hint" or k.startswith("mock_")
    }
    url = sso_login.start(
        proj,
        connection_id=query.connection_id,
        organization_id=query.organization_id,
        login_redirect_url=query.login_redirect_url,
        signup_redirect_url=query.signup_redirect_url,
        pkce_code_challenge=query.pkce_code_challenge,
        custom_scopes=query.custom_scopes,
        passthrough=passthrough,
    )
    # Stytch's docs show the redirect's JSON body too (the browser follows the Location).
    response = redirect(url)
    response.content_type = "application/json"
    response.text = json.dumps(
        {"status_code": 302, "request_id": request[REQUEST_ID], "redirect_url": url}
    )
    return response


@routes.post(CALLBACK)
@browser_route
async def saml_acs(request: web.Request) -> web.StreamResponse:
    """The SAML ACS (HTTP-POST binding)."""
    connection_id = request.match_info["connection_id"]
    proj = _project_of_connection(request, connection_id)
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise errors.body_too_large()
    form = await request.post()
    saml_response = form.get("SAMLResponse")
    relay_state = form.get("RelayState")
    url = sso_login.saml_acs(
        proj,
        connection_id,
        saml_response if isinstance(saml_response, str) else None,
        relay_state if isinstance(relay_state, str) else None,
    )
    return redirect(url)


def _oidc_failure(message: str) -> errors.StytchError:
    return errors.StytchError(400, "oidc_auth_code_error", message)


async def _json(response: aiohttp.ClientResponse, what: str) -> dict[str, Any]:
    text = await response.text()
    try:
        body = json.loads(text)
    except ValueError:
        raise _oidc_failure(f"The identity provider's {what} is not JSON.") from None
    if response.status != 200 or not isinstance(body, dict):
        detail = (
            body.get("error_description") or body.get("error") if isinstance(body, dict) else ""
        )
        raise _oidc_failure(f"The identity provider's {what} answered {response.status}: {detail}")
    return body


@routes.get(CALLBACK)
@browser_route
async def oidc_callback(request: web.Request) -> web.StreamResponse:
    """The OIDC redirect URL: code exchange, userinfo, ID token verification."""
    connection_id = request.match_info["connection_id"]
    proj = _project_of_connection(request, connection_id)
    conn, pending = sso_login.oidc_callback_start(
        proj, connection_id, request.query.get("state"), request.query.get("error")
    )
    code = request.query.get("code")
    if not code:
        raise _oidc_failure("The callback carries no authorization code.")
    basic = base64.b64encode(f"{conn.client_id}:{conn.client_secret}".encode()).decode()
    try:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as client:
            async with client.post(
                conn.token_url,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": conn.redirect_url,
                    "code_verifier": pending.code_verifier,
                },
                headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
            ) as resp:
                tokens = await _json(resp, "token endpoint")
            id_token = tokens.get("id_token")
            if not isinstance(id_token, str):
                raise _oidc_failure("The token endpoint returned no id_token.")
            async with client.get(conn.jwks_url) as resp:
                jwks = await _json(resp, "JWKS")
            userinfo = None
            access_token = tokens.get("access_token")
            if conn.userinfo_url and isinstance(access_token, str):
                async with client.get(
                    conn.userinfo_url, headers={"Authorization": f"Bearer {access_token}"}
                ) as resp:
                    userinfo = await _json(resp, "userinfo endpoint")
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise _oidc_failure(f"The identity provider could not be reached: {exc}.") from None
    claims = sso_login.verify_id_token(proj, conn, pending, id_token, jwks)
    return redirect(sso_login.oidc_finish(proj, conn, pending, claims, userinfo))
