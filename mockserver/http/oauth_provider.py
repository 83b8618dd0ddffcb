"""The browser half of B2B OAuth: Stytch's start URLs and the mock's provider page.

- ``GET /v1/b2b/public/oauth/{provider}/start`` and ``.../discovery/start`` (authenticated by
  ``public_token``, no Basic auth) validate the request as Stytch does, then redirect to the
  provider page, ``GET /_mock/oauth/{provider}/authorize?state=…``.
- The provider page plays the consent screen: pick or type who signs in, approve or deny;
  ``POST`` to the same path redirects back to the app with ``stytch_token_type=oauth`` (or
  ``discovery_oauth``) and a single-use token.
- Non-interactive (tests, CI): a start URL with ``provider_login_hint=EMAIL`` (and the
  ``mock_*`` parameters of :data:`MOCK_PARAMS`) completes at once: its 302 goes straight to the
  app.

Errors on these routes are pages, not JSON: the same status and ``error_type`` as the API's
errors, readable in a browser.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from string import Template

from aiohttp import web

from .. import errors
from ..domain import oauth
from ..domain.entities import MemberStatus
from ..domain.oauth_entities import OAuthIdentity, OAuthRequest
from ..domain.oauth_factors import PROVIDER_TYPES, OAuthProvider
from ..domain.project import Project
from .browser_routes import browser_route
from .middleware import REGISTRY

routes = web.RouteTableDef()

# Query parameters of a start URL that set the identity on the non-interactive path.
MOCK_PARAMS = {
    "mock_name": "the person's name",
    "mock_email_verified": "false: the provider has not verified the email (default true)",
    "mock_hd": "Google's hosted domain (default: the email's domain, none for gmail.com; "
    "empty: none)",
    "mock_tenant_ids": "Slack workspace / HubSpot hub / GitHub organization ids, comma-separated",
    "mock_subject": "the provider_subject (default: stable per provider and email)",
    "mock_deny": "true: the person denies consent",
}

# The pages are plain HTML strings: every value that goes in passes through _e (html.escape).
_PAGE = Template(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ddd;border-radius:8px;padding:1.5rem}
label{display:block;margin:.6rem 0 .2rem}input[type=text],input[type=email]{width:100%;
padding:.4rem;box-sizing:border-box}button{margin:.8rem .5rem 0 0;padding:.45rem 1rem}
.note{color:#666;font-size:.9rem}code{background:#f4f4f4;padding:0 .2rem}
</style></head><body><div class="card">$body</div>
<p class="note">Offline OAuth provider of stytch-b2b-mock: nothing leaves this machine.</p>
</body></html>"""
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _consent_html(
    *,
    provider: OAuthProvider,
    organization: str,
    scopes: str,
    known: list[str],
    action: str,
    state: str,
    email: str,
    name: str,
    email_verified: bool,
    hd: str,
    tenant_ids: str,
) -> str:
    hidden_state = f'<input type="hidden" name="state" value="{_e(state)}">'
    target = (
        f"to continue to <strong>{_e(organization)}</strong>"
        if organization
        else ("to continue (discovery)")
    )
    parts = [
        f"<h1>Sign in with {_e(PROVIDER_TYPES[provider])}</h1>",
        f"<p>{target}. Scopes: <code>{_e(scopes)}</code></p>",
    ]
    for known_email in known:
        parts.append(
            f'<form method="post" action="{_e(action)}">{hidden_state}'
            f'<input type="hidden" name="email" value="{_e(known_email)}">'
            '<button type="submit" name="decision" value="approve">'
            f"Continue as {_e(known_email)}</button></form>"
        )
    parts += [
        f'<form method="post" action="{_e(action)}" id="identity">{hidden_state}',
        '<label for="email">Email</label>',
        f'<input type="email" id="email" name="email" value="{_e(email)}" autocomplete="off">',
        '<label for="name">Name</label>',
        f'<input type="text" id="name" name="name" value="{_e(name)}">',
        '<label><input type="checkbox" name="email_verified" value="true"'
        f"{' checked' if email_verified else ''}> The provider has verified this email</label>",
    ]
    if provider is OAuthProvider.GOOGLE:
        parts += [
            '<label for="hd">Google Workspace domain (<code>hd</code>; empty: the email\'s '
            "domain)</label>",
            f'<input type="text" id="hd" name="hd" value="{_e(hd)}">',
            '<label><input type="checkbox" name="personal" value="true"> A personal Google '
            "account (no <code>hd</code>: Stytch then does not count the email as verified)"
            "</label>",
        ]
    if provider in TENANT_LABELS:
        parts += [
            f'<label for="tenant_ids">{_e(TENANT_LABELS[provider])} (comma-separated)</label>',
            f'<input type="text" id="tenant_ids" name="tenant_ids" value="{_e(tenant_ids)}">',
        ]
    parts += [
        '<button type="submit" name="decision" value="approve">Approve</button>',
        '<button type="submit" name="decision" value="deny">Deny</button>',
        "</form>",
    ]
    return "\n".join(parts)


TENANT_LABELS = {
    OAuthProvider.SLACK: "Slack workspace ids",
    OAuthProvider.HUBSPOT: "HubSpot hub ids",
    OAuthProvider.GITHUB: "GitHub organization ids",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_FORM_BYTES = 16 * 1024


def _html(title: str, body: str, status: int = 200) -> web.Response:
    """A page around ``body`` (HTML made by _consent_html, values escaped)."""
    page = _PAGE.substitute(title=_e(title), body=body)
    return web.Response(text=page, status=status, content_type="text/html")


def _project(request: web.Request) -> Project:
    return oauth.project_for_public_token(request.app[REGISTRY], request.query.get("public_token"))


def _provider_params(query: Mapping[str, str]) -> dict[str, str]:
    return {k[len("provider_") :]: v for k, v in query.items() if k.startswith("provider_")}


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _tenant_ids(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


def _identity(provider: OAuthProvider, fields: Mapping[str, str], *, prefix: str) -> OAuthIdentity:
    """The identity from the page's form (``prefix`` "") or a start URL (``mock_``)."""
    email = fields.get("email", "") if not prefix else fields.get("provider_login_hint", "")
    return oauth.identity(
        provider,
        email=email,
        name=fields.get(f"{prefix}name"),
        # An unticked checkbox is absent from a form; a start URL's default is "verified".
        email_verified=_flag(fields.get(f"{prefix}email_verified"), default=bool(prefix)),
        hosted_domain=fields.get(f"{prefix}hd"),
        tenant_ids=_tenant_ids(fields.get(f"{prefix}tenant_ids")),
        subject=fields.get(f"{prefix}subject"),
    )


def _after_start(
    request: web.Request, proj: Project, oauth_request: OAuthRequest
) -> web.StreamResponse:
    query = request.query
    if "provider_login_hint" in query:
        if _flag(query.get("mock_deny"), default=False):
            raise web.HTTPFound(oauth.deny(proj, oauth_request))
        who = _identity(oauth_request.provider, query, prefix="mock_")
        raise web.HTTPFound(oauth.complete(proj, oauth_request, who))
    page = request.app.router["oauth_provider_page"].url_for(provider=oauth_request.provider.value)
    location = page.with_query(state=oauth_request.state, public_token=query["public_token"])
    for name in MOCK_PARAMS:
        if name in query:
            location = location.update_query({name: query[name]})
    raise web.HTTPFound(str(location))


@routes.get("/v1/b2b/public/oauth/{provider}/start")
@browser_route
async def start(request: web.Request) -> web.StreamResponse:
    return _start(request, discovery=False)


@routes.get("/v1/b2b/public/oauth/{provider}/discovery/start")
@browser_route
async def discovery_start(request: web.Request) -> web.StreamResponse:
    return _start(request, discovery=True)


def _start(request: web.Request, *, discovery: bool) -> web.StreamResponse:
    provider = oauth.provider(request.match_info["provider"])
    proj = _project(request)
    query = request.query
    oauth_request = oauth.start(
        proj,
        provider,
        discovery=discovery,
        organization_id=query.get("organization_id"),
        slug=query.get("slug"),
        login_redirect_url=query.get("login_redirect_url"),
        signup_redirect_url=query.get("signup_redirect_url"),
        discovery_redirect_url=query.get("discovery_redirect_url"),
        custom_scopes=query.get("custom_scopes"),
        pkce_code_challenge=query.get("pkce_code_challenge"),
        provider_params=_provider_params(query),
    )
    return _after_start(request, proj, oauth_request)


def _known_emails(proj: Project, oauth_request: OAuthRequest, limit: int = 8) -> list[str]:
    """Emails to offer as one-click choices: members of the organization (or of the project,
    in discovery), the first few."""
    members = (
        proj.members.of_organization(oauth_request.organization_id)
        if oauth_request.organization_id
        else iter(proj.members)
    )
    found: list[str] = []
    for member in members:
        if member.status != MemberStatus.DELETED and member.email_address not in found:
            found.append(member.email_address)
            if len(found) == limit:
                break
    return found


@routes.get("/_mock/oauth/{provider}/authorize", name="oauth_provider_page")
@browser_route
async def provider_page(request: web.Request) -> web.StreamResponse:
    provider = oauth.provider(request.match_info["provider"])
    proj = _project(request)
    oauth_request = oauth.find_request(proj, request.query.get("state", ""))
    if oauth_request.provider is not provider:
        raise oauth.oauth_invalid_state()
    query = request.query
    org = proj.organizations.find_by_id(oauth_request.organization_id or "")
    body = _consent_html(
        provider=provider,
        organization=org.organization_name if org else "",
        scopes=" ".join(oauth_request.scopes),
        known=_known_emails(proj, oauth_request),
        action=str(request.rel_url.with_query(public_token=query["public_token"])),
        state=oauth_request.state,
        email=oauth_request.provider_params.get("login_hint", ""),
        name=query.get("mock_name", ""),
        email_verified=_flag(query.get("mock_email_verified"), default=True),
        hd=query.get("mock_hd", ""),
        tenant_ids=query.get("mock_tenant_ids", ""),
    )
    return _html(f"Sign in with {PROVIDER_TYPES[provider]}", body)


@routes.post("/_mock/oauth/{provider}/authorize")
@browser_route
async def provider_decision(request: web.Request) -> web.StreamResponse:
    provider = oauth.provider(request.match_info["provider"])
    proj = _project(request)
    # A public route: no credentials, so no large bodies (browsers send a Content-Length).
    if request.content_length is None or request.content_length > MAX_FORM_BYTES:
        raise errors.body_too_large()
    form = await request.post()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    oauth_request = oauth.find_request(proj, fields.get("state", ""))
    if oauth_request.provider is not provider:
        raise oauth.oauth_invalid_state()
    if fields.get("decision") == "deny":
        raise web.HTTPFound(oauth.deny(proj, oauth_request))
    if "name" not in fields:  # a one-click choice: a verified account, default hosted domain
        fields["email_verified"] = "true"
    if not fields.get("hd"):  # empty: the default; "personal": none at all
        fields.pop("hd", None)
    if _flag(fields.get("personal"), default=False):
        fields["hd"] = ""
    who = _identity(provider, fields, prefix="")
    raise web.HTTPFound(oauth.complete(proj, oauth_request, who))
