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

import functools
from collections.abc import Awaitable, Callable, Mapping

import jinja2
from aiohttp import web
from markupsafe import Markup

from .. import errors
from ..domain import oauth
from ..domain.entities import MemberStatus
from ..domain.oauth_entities import OAuthIdentity, OAuthRequest
from ..domain.oauth_factors import PROVIDER_TYPES, TENANT_PROVIDERS, OAuthProvider
from ..domain.project import Project
from ..errors import StytchError
from .common import REQUEST_ID, public
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

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

_PAGE = _ENV.from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ddd;border-radius:8px;padding:1.5rem}
label{display:block;margin:.6rem 0 .2rem}input[type=text],input[type=email]{width:100%;
padding:.4rem;box-sizing:border-box}button{margin:.8rem .5rem 0 0;padding:.45rem 1rem}
.note{color:#666;font-size:.9rem}code{background:#f4f4f4;padding:0 .2rem}
</style></head><body><div class="card">{{ body }}</div>
<p class="note">Offline OAuth provider of stytch-b2b-mock: nothing leaves this machine.</p>
</body></html>"""
)

_CONSENT = _ENV.from_string(
    """<h1>Sign in with {{ provider_type }}</h1>
<p>{% if organization %}to continue to <strong>{{ organization }}</strong>{% else %}
to continue (discovery){% endif %}. Scopes: <code>{{ scopes }}</code></p>
{% for email in known %}
<form method="post" action="{{ action }}">
<input type="hidden" name="state" value="{{ state }}">
<input type="hidden" name="email" value="{{ email }}">
<button type="submit" name="decision" value="approve">Continue as {{ email }}</button>
</form>
{% endfor %}
<form method="post" action="{{ action }}" id="identity">
<input type="hidden" name="state" value="{{ state }}">
<label for="email">Email</label>
<input type="email" id="email" name="email" value="{{ email }}" autocomplete="off">
<label for="name">Name</label>
<input type="text" id="name" name="name" value="{{ name }}">
<label><input type="checkbox" name="email_verified" value="true"
{% if email_verified %}checked{% endif %}> The provider has verified this email</label>
{% if google %}<label for="hd">Google Workspace domain (<code>hd</code>; empty: the email's
domain)</label>
<input type="text" id="hd" name="hd" value="{{ hd }}">
<label><input type="checkbox" name="personal" value="true"> A personal Google account (no
<code>hd</code>: Stytch then does not count the email as verified)</label>{% endif %}
{% if tenants %}<label for="tenant_ids">{{ tenant_label }} (comma-separated)</label>
<input type="text" id="tenant_ids" name="tenant_ids" value="{{ tenant_ids }}">{% endif %}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>"""
)

_ERROR = _ENV.from_string(
    """<h1>Sign-in failed</h1>
<p><strong>{{ error_type }}</strong> ({{ status_code }})</p>
<p>{{ error_message }}</p>
<p class="note">request_id: <code>{{ request_id }}</code></p>"""
)

TENANT_LABELS = {
    OAuthProvider.SLACK: "Slack workspace ids",
    OAuthProvider.HUBSPOT: "HubSpot hub ids",
    OAuthProvider.GITHUB: "GitHub organization ids",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_FORM_BYTES = 16 * 1024


def _html(title: str, body: str, status: int = 200) -> web.Response:
    page = _PAGE.render(title=title, body=Markup(body))  # body: a template's escaped output
    return web.Response(text=page, status=status, content_type="text/html")


def browser(handler: Handler) -> Handler:
    """A public, browser-facing route: a Stytch error becomes an HTML page with its status."""

    @public
    @functools.wraps(handler)
    async def page(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except StytchError as exc:
            body = _ERROR.render(**exc.body(request[REQUEST_ID]))
            return _html("Sign-in failed", body, exc.status_code)

    page.browser = True  # type: ignore[attr-defined]  # not in /openapi.json: not a JSON API
    return page


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
@browser
async def start(request: web.Request) -> web.StreamResponse:
    return _start(request, discovery=False)


@routes.get("/v1/b2b/public/oauth/{provider}/discovery/start")
@browser
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
@browser
async def provider_page(request: web.Request) -> web.StreamResponse:
    provider = oauth.provider(request.match_info["provider"])
    proj = _project(request)
    oauth_request = oauth.find_request(proj, request.query.get("state", ""))
    if oauth_request.provider is not provider:
        raise oauth.oauth_invalid_state()
    query = request.query
    org = proj.organizations.find_by_id(oauth_request.organization_id or "")
    body = _CONSENT.render(
        provider_type=PROVIDER_TYPES[provider],
        organization=org.organization_name if org else "",
        scopes=" ".join(oauth_request.scopes),
        known=_known_emails(proj, oauth_request),
        action=str(request.rel_url.with_query(public_token=query["public_token"])),
        state=oauth_request.state,
        email=oauth_request.provider_params.get("login_hint", ""),
        name=query.get("mock_name", ""),
        email_verified=_flag(query.get("mock_email_verified"), default=True),
        google=provider is OAuthProvider.GOOGLE,
        hd=query.get("mock_hd", ""),
        tenants=provider in TENANT_PROVIDERS,
        tenant_label=TENANT_LABELS.get(provider, ""),
        tenant_ids=query.get("mock_tenant_ids", ""),
    )
    return _html(f"Sign in with {PROVIDER_TYPES[provider]}", body)


@routes.post("/_mock/oauth/{provider}/authorize")
@browser
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
