"""The reference app: Stytch B2B discovery login as a small aiohttp web app.

The flow (Stytch's B2B quickstart, done as pages):

1. ``GET /`` asks for an email; ``POST /login`` sends a discovery magic link to it.
2. The link comes back to ``GET /authenticate?stytch_token_type=discovery&token=…``, which
   authenticates it and gets an intermediate session plus the organizations the email can
   log in to: one -> log straight in (exchange); several -> ``/select-organization``;
   none -> ``/create-organization``.
3. ``GET /dashboard`` authenticates the session at Stytch on every visit; ``GET /logout``
   revokes it at Stytch and deletes the cookie.
4. ``POST /rename-organization`` (a form on the dashboard) renames the organization as the
   logged-in member: the call carries the member's session (``method_options``), so Stytch's
   RBAC decides, and a member without ``update.info.name`` on ``stytch.organization`` (a plain
   ``stytch_member``) gets Stytch's 403 ``session_authorization_error`` on the dashboard.

Links of ``stytch_token_type=multi_tenant_magic_links`` (sent by ``login_or_signup`` or an
invite) log straight in to their organization.

An organization that requires multi-factor authentication answers a login with an intermediate
session and ``mfa_required``: ``GET /mfa`` then asks for the code Stytch texted (or for a phone
number to text it to, or for an authenticator app's code, with the QR code when the member
enrols one; a recovery code works too), and the code finishes the login.

Every Stytch call goes through the official SDK's async client. Stytch errors become a page
that names the ``error_type`` and ``request_id``; nothing ever shows a traceback.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import jinja2
from aiohttp import web
from cryptography.fernet import Fernet
from stytch import B2BClient
from stytch.b2b.models.organizations import SearchQuery, SearchQueryOperator, UpdateRequestOptions
from stytch.core.response_base import StytchError
from stytch.shared.method_options import Authorization

from . import sso
from .config import Config
from .security import (
    COOKIE_NAME,
    CSRF_FIELD,
    CookieState,
    csrf_matches,
    fernet_for,
    seal,
    unseal,
)

log = logging.getLogger("reference_app")

HERE = Path(__file__).parent

CONFIG = web.AppKey("config", Config)
STYTCH = web.AppKey("stytch", B2BClient)
HTTP = web.AppKey("http", aiohttp.ClientSession)
FERNET = web.AppKey("fernet", Fernet)
TEMPLATES = web.AppKey("templates", jinja2.Environment)

STATE = web.RequestKey("state", CookieState)
DELETE_COOKIE = web.RequestKey("delete_cookie", bool)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# What a person should read for the errors a login most often meets.
FRIENDLY = {
    "unable_to_auth_magic_link": "This login link has expired or has already been used. "
    "Ask for a new one.",
    "magic_link_not_found": "This login link is not valid. Ask for a new one.",
    "intermediate_session_not_found": "Your login took too long and has expired. "
    "Please start again.",
    "session_not_found": "Your session has ended. Please log in again.",
    "no_match_for_provided_magic_link_url": "This app's address is not a redirect URL "
    "registered in the Stytch project.",
    "invalid_email": "That does not look like an email address.",
    "organization_slug_already_used": "That slug is taken by another organization. "
    "Pick another one.",
    "email_jit_provisioning_not_allowed": "This organization does not let new members join "
    "by email. Ask an admin for an invite.",
    "unauthorized_credentials": "The app's Stytch credentials were refused "
    "(check STYTCH_PROJECT_ID and STYTCH_SECRET).",
    "session_authorization_error": "Only an admin of the organization may do that.",
    "otp_code_not_found": "That code is not right. Check it and try again.",
    "unable_to_auth_otp_code": "That code has expired or was already used. Send a new one.",
    "invalid_code": "Enter the 6-digit code.",
    "invalid_totp_code": "Enter the 6-digit code from your authenticator app.",
    "unable_to_authenticate_totp": "That code is not right. Check your authenticator app.",
    "totp_code_already_authenticated": "That code was already used. Wait for the next one.",
    "unable_to_authenticate_recovery_code": "That recovery code is not valid or was used.",
    "invalid_recovery_code": "A recovery code looks like xxxx-xxxx-xxxx.",
    "invalid_phone_number": "Enter the phone number with its country code, e.g. +15555550100.",
    "user_lock_limit_reached": "Too many wrong codes: this account is locked for a while.",
    "sso_token_not_found": "This sign-in has expired or has already been used. Please start again.",
    "invalid_connection_for_jit_provisioning": "This organization does not let new members "
    "join through this SSO connection. Ask an admin for an invite.",
}


# --- rendering -------------------------------------------------------------------------


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    state: CookieState = request[STATE]
    config = request.app[CONFIG]
    html = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(
            csrf_field=CSRF_FIELD,
            csrf_token=state.csrf_token,
            logged_in=bool(state.get("session_token")),
            talks_to_mock=config.talks_to_mock,
            **context,
        )
    )
    return web.Response(text=html, status=status, content_type="text/html")


def error_page(
    request: web.Request,
    status: int,
    title: str,
    message: str,
    *,
    error_type: str | None = None,
    request_id: str | None = None,
    error_message: str | None = None,
    retry_url: str | None = None,
) -> web.Response:
    return render(
        request,
        "error.html",
        status=status,
        title=title,
        message=message,
        error_type=error_type,
        request_id=request_id,
        error_message=error_message,
        retry_url=retry_url,
    )


def stytch_error_page(
    request: web.Request, exc: StytchError, retry_url: str | None = None
) -> web.Response:
    d = exc.details
    status = d.status_code if 400 <= d.status_code <= 599 else 502
    return error_page(
        request,
        status,
        "Stytch could not complete that",
        FRIENDLY.get(d.error_type or "", "Stytch refused the request."),
        error_type=d.error_type or "unknown_error",
        request_id=d.request_id or None,
        error_message=d.error_message,
        retry_url=retry_url,
    )


def see_other(location: str) -> web.Response:
    """A redirect that a browser follows with GET (after a form post, too)."""
    return web.Response(status=303, headers={"Location": location})


# --- middleware ------------------------------------------------------------------------

SECURITY_HEADERS = {
    # /authenticate URLs carry a one-time token: never pass them on in a Referer.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # data: images: the TOTP QR code arrives from Stytch as a PNG data URL.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'",
    "Cache-Control": "no-store",
}


@web.middleware
async def cookie_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Opens the cookie before the handler and seals it (when changed) after."""
    state = unseal(request.app[FERNET], request.cookies.get(COOKIE_NAME))
    request[STATE] = state
    # error_middleware, inside this one, turns every error (HTTPException included) into a page
    response = await handler(request)
    _finish(request, response)
    return response


def _finish(request: web.Request, response: web.StreamResponse) -> None:
    state: CookieState = request[STATE]
    if request.get(DELETE_COOKIE):
        response.del_cookie(COOKIE_NAME, path="/", httponly=True, samesite="Lax")
    elif state.changed:
        response.set_cookie(
            COOKIE_NAME,
            seal(request.app[FERNET], dict(state)),
            path="/",
            httponly=True,
            samesite="Lax",
            secure=_public_base(request).startswith("https://"),
        )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # The SSO form leads on to Stytch's start route (reference_app.sso).
    response.headers["Content-Security-Policy"] += " " + sso.form_action_origin(request.app[CONFIG])


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes a page: Stytch errors with their error_type and request_id (and a
    "Try again" link to the start), so handlers let them propagate."""
    try:
        return await handler(request)
    except StytchError as exc:
        return stytch_error_page(request, exc, retry_url="/")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_page(request, exc.status, exc.reason, _http_message(exc.status))
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("cannot reach Stytch: %r", exc)
        return error_page(
            request,
            502,
            "Stytch cannot be reached",
            "The app could not talk to the Stytch API. Is it running (STYTCH_API_URL)?",
        )
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_page(request, 500, "Something went wrong", "The app hit an unexpected error.")


def _http_message(status: int) -> str:
    return {
        400: "The request was incomplete or malformed.",
        403: "This form has expired or did not come from this app. "
        "Go back, reload the page and try again.",
        404: "There is no page here.",
        405: "This page does not take that kind of request.",
        413: "That request is too large.",
        415: "Send the form as a web form or as JSON.",
    }.get(status, "The request could not be handled.")


# --- helpers ---------------------------------------------------------------------------


def _public_base(request: web.Request) -> str:
    """The app's base URL as the browser sees it (APP_URL wins when set)."""
    configured = request.app[CONFIG].app_url
    if configured:
        return configured
    return str(request.url.origin())


def _redirect_url(request: web.Request) -> str:
    return _public_base(request) + "/authenticate"


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    expected = {str(request.url.origin()), _public_base(request)}
    return origin in expected


async def _form(request: web.Request) -> dict[str, str]:
    """A form post, after its CSRF token has been checked (403 otherwise)."""
    data = await request.post()
    submitted = data.get(CSRF_FIELD)
    if not isinstance(submitted, str) or not csrf_matches(request[STATE], submitted):
        raise _csrf_refused()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _csrf_refused() -> web.HTTPForbidden:
    return web.HTTPForbidden(reason="Form expired")


def _login(request: web.Request, resp: Any) -> web.Response:
    """Keep the member's session token in the cookie and go to the dashboard. ``resp``: the
    answer of a call that logs in (magic link authenticate, exchange, create, an MFA step),
    which may instead ask for a second factor (``/mfa``) or for more than this app does."""
    state: CookieState = request[STATE]
    if not getattr(resp, "member_authenticated", True) or not resp.session_token:
        if resp.mfa_required is None or resp.primary_required is not None:
            return _needs_more_auth(request, resp.organization.organization_name)
        member = resp.member
        state.set(
            ist=resp.intermediate_session_token,
            mfa={
                "organization_id": resp.organization.organization_id,
                "organization_name": resp.organization.organization_name,
                "member_id": member.member_id,
                "phone": member.mfa_phone_number,
                "totp": bool(member.totp_registration_id),
                "sent": resp.mfa_required.secondary_auth_initiated == "sms_otp",
            },
        )
        return see_other("/mfa")
    state.set(session_token=resp.session_token, ist=None, email=None, mfa=None)
    state.rotate_csrf()
    return see_other("/dashboard")


def _needs_more_auth(request: web.Request, organization_name: str) -> web.Response:
    return error_page(
        request,
        403,
        "More verification needed",
        f"{organization_name} asks for another primary login method, which this "
        "reference app does not implement.",
    )


def _prefill(email: str) -> tuple[str, str]:
    """A name and slug for a new organization from the email's domain
    (``ada@acme-labs.com`` -> ``Acme Labs``, ``acme-labs``)."""
    domain = email.rpartition("@")[2].lower()
    label = domain.split(".")[0] if domain else ""
    slug = "".join(c if c.isalnum() else "-" for c in label).strip("-") or "my-organization"
    name = " ".join(part.capitalize() for part in slug.split("-") if part)
    return name, slug


# --- pages -----------------------------------------------------------------------------

routes = web.RouteTableDef()


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    notice = "You have been logged out." if request.query.get("logged_out") else None
    flash = request[STATE].get("flash")
    if flash:
        request[STATE].set(flash=None)
    return render(
        request, "login.html", notice=flash or notice, email="", oauth_providers=_oauth(request)
    )


def _oauth(request: web.Request) -> dict[str, str]:
    """The OAuth buttons to show: only with a public token to start OAuth with."""
    return OAUTH_PROVIDERS if request.app[CONFIG].public_token else {}


# "Continue with Google / Microsoft": Stytch's discovery OAuth start URL, with PKCE (the
# verifier waits in the sealed cookie for /authenticate).
OAUTH_PROVIDERS = {"google": "Google", "microsoft": "Microsoft"}


@routes.get("/oauth/{provider}")
async def oauth_start(request: web.Request) -> web.Response:
    provider = request.match_info["provider"]
    config = request.app[CONFIG]
    if provider not in OAUTH_PROVIDERS or not config.public_token:
        raise web.HTTPNotFound()
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    request[STATE].set(pkce_code_verifier=verifier)
    query = urlencode(
        {
            "public_token": config.public_token,
            "discovery_redirect_url": _redirect_url(request),
            "pkce_code_challenge": challenge.decode().rstrip("="),
        }
    )
    return see_other(
        f"{config.browser_api_base}v1/b2b/public/oauth/{provider}/discovery/start?{query}"
    )


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    if request.content_type == "application/json":
        # A cross-site page cannot send application/json without a CORS preflight, which
        # this app never grants; an Origin header, when sent, must be this app's.
        if not _same_origin(request):
            raise _csrf_refused()
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(reason="Malformed JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(reason="Malformed JSON")
        raw = body.get("email", body.get("email_address"))
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raw = (await _form(request)).get("email")
    else:
        raise web.HTTPUnsupportedMediaType(reason="Unsupported form encoding")
    email = raw.strip() if isinstance(raw, str) else ""
    if not email:
        return render(
            request,
            "login.html",
            status=400,
            error="Enter your email address.",
            email="",
            oauth_providers=_oauth(request),
        )
    await request.app[STYTCH].magic_links.email.discovery.send_async(
        email_address=email, discovery_redirect_url=_redirect_url(request)
    )
    outbox_url = _outbox_url(request, email)
    return render(request, "check_email.html", email=email, outbox_url=outbox_url)


# --- passwords ---------------------------------------------------------------------------


@routes.post("/login/password")
async def login_with_password(request: web.Request) -> web.Response:
    """Sign in to one organization (by slug) with an email and a password."""
    form = await _form(request)
    organization, email = form.get("organization", "").strip(), form.get("email", "").strip()
    password = form.get("password", "")
    if not (organization and email and password):
        return _password_page(request, 400, "Enter your organization, email and password.")
    try:
        resp = await request.app[STYTCH].passwords.authenticate_async(
            organization_id=organization, email_address=email, password=password
        )
    except StytchError as exc:
        if exc.details.status_code in (401, 404):
            return _password_page(request, 401, "Wrong organization, email or password.")
        raise
    return _login(request, resp)


def _password_page(request: web.Request, status: int, error: str) -> web.Response:
    return render(request, "login.html", status=status, password_error=error, email="")


@routes.post("/password/forgot")
async def forgot_password(request: web.Request) -> web.Response:
    """Email a reset link; it comes back to /authenticate with multi_tenant_passwords."""
    form = await _form(request)
    organization, email = form.get("organization", "").strip(), form.get("email", "").strip()
    if not (organization and email):
        return _password_page(request, 400, "Enter your organization and email to reset.")
    await request.app[STYTCH].passwords.email.reset_start_async(
        organization_id=organization,
        email_address=email,
        reset_password_redirect_url=_redirect_url(request),
        login_redirect_url=_redirect_url(request),
    )
    return render(
        request,
        "check_email.html",
        email=email,
        outbox_url=_outbox_url(request, email),
        purpose="a link to choose a new password",
    )


@routes.post("/password/reset")
async def reset_password(request: web.Request) -> web.Response:
    form = await _form(request)
    token, password = form.get("token", ""), form.get("password", "")
    try:
        resp = await request.app[STYTCH].passwords.email.reset_async(
            password_reset_token=token, password=password
        )
    except StytchError as exc:
        if exc.details.error_type in ("weak_password", "breached_password"):
            error = f"{exc.details.error_message} Choose a longer, less common password."
            return render(request, "reset_password.html", status=400, token=token, error=error)
        raise
    return _login(request, resp)


def _outbox_url(request: web.Request, email: str) -> str | None:
    if not request.app[CONFIG].talks_to_mock:
        return None
    return "/outbox?" + urlencode({"to": email})


@routes.get("/sso/start")
async def sso_start(request: web.Request) -> web.Response:
    """Sign in with SSO: the organization (slug or id) typed on the login page."""
    organization = request.query.get("organization", "").strip()
    if not organization:
        return render(
            request, "login.html", status=400, sso_error="Enter your organization.", email=""
        )
    config = request.app[CONFIG]
    token = await sso.public_token(config, request.app[HTTP])
    if token is None:
        return error_page(
            request,
            500,
            "SSO is not set up",
            "Set STYTCH_PUBLIC_TOKEN (the project's public token) to sign in with SSO.",
        )
    return see_other(sso.start_url(config, token, organization, _redirect_url(request)))


@routes.get("/outbox")
async def outbox(request: web.Request) -> web.Response:
    """The mock's outbox as a page, every message with its body, link or code: for one
    address (``?to=``), or all of them (only when the app talks to the mock: Stytch itself
    delivers real email). The JSON needs the project's Basic auth, which a browser does not
    have, so the app reads it with its own credentials."""
    config = request.app[CONFIG]
    if not config.talks_to_mock:
        raise web.HTTPNotFound()
    to = request.query.get("to", "").strip()
    url = config.api_base + "_mock/outbox" + ("?" + urlencode({"to": to}) if to else "")
    credentials = base64.b64encode(f"{config.project_id}:{config.secret}".encode()).decode()
    headers = {"Authorization": f"Basic {credentials}"}
    async with request.app[HTTP].get(url, headers=headers) as resp:
        try:
            body = await resp.json(content_type=None)
        except ValueError:
            body = None
    if resp.status != 200 or not isinstance(body, dict):
        body = body if isinstance(body, dict) else {}
        return error_page(
            request,
            502,
            "The mock's outbox cannot be read",
            "Is STYTCH_API_URL the stytch-b2b-mock, with the same credentials as the app?",
            error_type=body.get("error_type") or f"http_{resp.status}",
            request_id=body.get("request_id"),
            error_message=body.get("error_message"),
        )
    messages = list(reversed(body.get("messages", [])))
    return render(request, "outbox.html", to=to, messages=messages)


@routes.get("/authenticate")
async def authenticate(request: web.Request) -> web.StreamResponse:
    token_type = request.query.get("stytch_token_type", "")
    token = request.query.get("token", "")
    stytch = request.app[STYTCH]
    if request.query.get("error"):  # the OAuth provider refused (e.g. consent denied)
        return error_page(
            request,
            400,
            "Sign-in cancelled",
            "The sign-in provider did not let you in. Try again or use your email.",
            error_type=request.query["error"],
            retry_url="/",
        )
    if token_type not in (
        "discovery",
        "multi_tenant_magic_links",
        "discovery_oauth",
        "multi_tenant_passwords",
        "sso",
        "multi_tenant_impersonation",
    ):
        return error_page(
            request,
            400,
            "Unsupported link",
            "This app handles discovery and multi-tenant magic links, discovery OAuth, "
            "password resets, SSO and impersonation only.",
            error_type=f"unsupported token type: {token_type or '(none)'}",
        )
    if not token:
        return error_page(request, 400, "Incomplete link", "The link has no token.")
    if token_type == "multi_tenant_magic_links":
        resp = await stytch.magic_links.authenticate_async(magic_links_token=token)
        return _login(request, resp)
    if token_type == "multi_tenant_passwords":
        return render(request, "reset_password.html", token=token)
    if token_type == "sso":
        return _login(request, await stytch.sso.authenticate_async(sso_token=token))
    if token_type == "multi_tenant_impersonation":  # the Dashboard's "Impersonate Member"
        return _login(
            request, await stytch.impersonation.authenticate_async(impersonation_token=token)
        )

    state: CookieState = request[STATE]
    found: Any  # the magic-link or OAuth discovery response: the same fields used here
    if token_type == "discovery_oauth":
        verifier = state.get("pkce_code_verifier")
        state.set(pkce_code_verifier=None)
        found = await stytch.oauth.discovery.authenticate_async(
            discovery_oauth_token=token, pkce_code_verifier=verifier
        )
    else:
        found = await stytch.magic_links.discovery.authenticate_async(
            discovery_magic_links_token=token
        )
    state.set(ist=found.intermediate_session_token, email=found.email_address)
    orgs = [d.organization for d in found.discovered_organizations if d.organization is not None]
    if len(orgs) == 1:
        return await _exchange(request, orgs[0].organization_id)
    return see_other("/select-organization" if orgs else "/create-organization")


async def _exchange(request: web.Request, organization_id: str) -> web.Response:
    ist = request[STATE].get("ist")
    if not ist:
        return _start_again(request)
    resp = await request.app[STYTCH].discovery.intermediate_sessions.exchange_async(
        intermediate_session_token=ist, organization_id=organization_id
    )
    return _login(request, resp)


def _start_again(request: web.Request) -> web.Response:
    return error_page(
        request,
        400,
        "Please start again",
        "There is no login in progress in this browser (or it has expired).",
        retry_url="/",
    )


@routes.get("/select-organization")
async def select_organization_page(request: web.Request) -> web.Response:
    ist = request[STATE].get("ist")
    if not ist:
        return _start_again(request)
    resp = await request.app[STYTCH].discovery.organizations.list_async(
        intermediate_session_token=ist
    )
    orgs = [d for d in resp.discovered_organizations if d.organization is not None]
    if not orgs:
        return see_other("/create-organization")
    return render(request, "select_organization.html", email=resp.email_address, organizations=orgs)


@routes.post("/select-organization")
async def select_organization(request: web.Request) -> web.Response:
    form = await _form(request)
    organization_id = form.get("organization_id", "")
    if not organization_id:
        raise web.HTTPBadRequest(reason="Pick an organization")
    return await _exchange(request, organization_id)


@routes.get("/create-organization")
async def create_organization_page(request: web.Request) -> web.Response:
    state: CookieState = request[STATE]
    if not state.get("ist"):
        return _start_again(request)
    email = state.get("email", "")
    name, slug = _prefill(email)
    free = await _free_slug(request, slug)
    return render(
        request,
        "create_organization.html",
        email=email,
        organization_name=name,
        organization_slug=free,
        taken_slug=slug if free != slug else None,
    )


async def _free_slug(request: web.Request, slug: str) -> str:
    """``slug``, or the first of ``slug-2``, ``slug-3``, ... that no organization uses. A taken
    slug means someone at the same company made an organization already; discovery did not
    offer it because Stytch's organizations let nobody join by email domain unless an admin
    turns email JIT provisioning on (``email_jit_provisioning`` is ``NOT_ALLOWED`` by default)."""
    stytch = request.app[STYTCH]
    candidates = [slug] + [f"{slug}-{n}" for n in range(2, 20)]
    query = SearchQuery(
        operator=SearchQueryOperator.OR,
        operands=[{"filter_name": "organization_slugs", "filter_value": candidates}],
    )
    found = await stytch.organizations.search_async(query=query, limit=len(candidates))
    taken = {org.organization_slug.lower() for org in found.organizations}
    return next((c for c in candidates if c not in taken), candidates[-1])


@routes.post("/create-organization")
async def create_organization(request: web.Request) -> web.Response:
    form = await _form(request)
    state: CookieState = request[STATE]
    ist = state.get("ist")
    if not ist:
        return _start_again(request)
    name = form.get("organization_name", "").strip()
    slug = form.get("organization_slug", "").strip()
    try:
        resp = await request.app[STYTCH].discovery.organizations.create_async(
            intermediate_session_token=ist,
            organization_name=name or None,
            organization_slug=slug or None,
        )
    except StytchError as exc:
        d = exc.details
        if d.error_type == "intermediate_session_not_found" or not 400 <= d.status_code < 500:
            raise
        # Anything else is about what was typed: show the form again, with the error.
        return render(
            request,
            "create_organization.html",
            status=d.status_code,
            email=state.get("email", ""),
            organization_name=name,
            organization_slug=slug,
            error=FRIENDLY.get(d.error_type or "", d.error_message),
            error_type=d.error_type,
            request_id=d.request_id,
        )
    return _login(request, resp)


# --- multi-factor authentication -------------------------------------------------------


def _mfa(request: web.Request) -> tuple[str, dict[str, Any]] | None:
    """The login waiting for a second factor: (intermediate session token, its details)."""
    state: CookieState = request[STATE]
    ist, mfa = state.get("ist"), state.get("mfa")
    return (ist, mfa) if ist and isinstance(mfa, dict) else None


def _mfa_page(
    request: web.Request, mfa: dict[str, Any], status: int = 200, **extra: Any
) -> web.Response:
    return render(request, "mfa.html", status=status, mfa=mfa, **extra)


async def _mfa_step(
    request: web.Request, call: Callable[[str, dict[str, Any]], Awaitable[Any]]
) -> web.Response:
    """Run one MFA call with the waiting login; a refused code shows the page again."""
    waiting = _mfa(request)
    if waiting is None:
        return _start_again(request)
    ist, mfa = waiting
    try:
        resp = await call(ist, mfa)
    except StytchError as exc:
        d = exc.details
        if d.error_type == "intermediate_session_not_found" or not 400 <= d.status_code < 500:
            raise
        return _mfa_page(
            request,
            mfa,
            status=d.status_code,
            error=FRIENDLY.get(d.error_type or "", d.error_message),
            error_type=d.error_type,
            request_id=d.request_id,
        )
    if resp is None:
        return see_other("/mfa")
    return _login(request, resp)


@routes.get("/mfa")
async def mfa_page(request: web.Request) -> web.Response:
    waiting = _mfa(request)
    if waiting is None:
        return _start_again(request)
    return _mfa_page(request, waiting[1])


@routes.post("/mfa/sms/send")
async def mfa_sms_send(request: web.Request) -> web.Response:
    form = await _form(request)

    async def send(ist: str, mfa: dict[str, Any]) -> None:
        phone = form.get("phone_number", "").strip() or None
        resp = await request.app[STYTCH].otps.sms.send_async(
            organization_id=mfa["organization_id"],
            member_id=mfa["member_id"],
            mfa_phone_number=None if mfa["phone"] else phone,
            intermediate_session_token=ist,
        )
        request[STATE].set(mfa={**mfa, "phone": resp.member.mfa_phone_number, "sent": True})

    return await _mfa_step(request, send)


@routes.post("/mfa/sms")
async def mfa_sms(request: web.Request) -> web.Response:
    form = await _form(request)
    return await _mfa_step(
        request,
        lambda ist, mfa: request.app[STYTCH].otps.sms.authenticate_async(
            organization_id=mfa["organization_id"],
            member_id=mfa["member_id"],
            code=form.get("code", "").strip(),
            intermediate_session_token=ist,
        ),
    )


@routes.post("/mfa/totp/create")
async def mfa_totp_create(request: web.Request) -> web.Response:
    await _form(request)
    waiting = _mfa(request)
    if waiting is None:
        return _start_again(request)
    ist, mfa = waiting
    created = await request.app[STYTCH].totps.create_async(
        organization_id=mfa["organization_id"],
        member_id=mfa["member_id"],
        intermediate_session_token=ist,
    )
    # Shown once: the QR code (and its secret) for the authenticator app, and the recovery codes.
    return _mfa_page(request, {**mfa, "enrolling_totp": True}, totp=created)


@routes.post("/mfa/totp")
async def mfa_totp(request: web.Request) -> web.Response:
    form = await _form(request)
    return await _mfa_step(
        request,
        lambda ist, mfa: request.app[STYTCH].totps.authenticate_async(
            organization_id=mfa["organization_id"],
            member_id=mfa["member_id"],
            code=form.get("code", "").strip(),
            intermediate_session_token=ist,
        ),
    )


@routes.post("/mfa/recover")
async def mfa_recover(request: web.Request) -> web.Response:
    form = await _form(request)
    return await _mfa_step(
        request,
        lambda ist, mfa: request.app[STYTCH].recovery_codes.recover_async(
            organization_id=mfa["organization_id"],
            member_id=mfa["member_id"],
            recovery_code=form.get("recovery_code", "").strip(),
            intermediate_session_token=ist,
        ),
    )


async def _member_session(request: web.Request) -> Any:
    """The logged-in member's session, authenticated at Stytch; None (with a notice for the
    login page) when there is none or it has ended."""
    state: CookieState = request[STATE]
    session_token = state.get("session_token")
    if not session_token:
        state.set(flash="Log in to see your dashboard.")
        return None
    try:
        return await request.app[STYTCH].sessions.authenticate_async(session_token=session_token)
    except StytchError as exc:
        if exc.details.status_code in (401, 404):  # expired or revoked
            state.set(session_token=None, flash=FRIENDLY["session_not_found"])
            return None
        raise


def _dashboard(request: web.Request, resp: Any, status: int = 200, **context: Any) -> web.Response:
    return render(
        request,
        "dashboard.html",
        status=status,
        member=resp.member,
        organization=resp.organization,
        session=resp.member_session,
        **context,
    )


@routes.get("/dashboard")
async def dashboard(request: web.Request) -> web.Response:
    resp = await _member_session(request)
    if resp is None:
        return see_other("/")
    notice = request[STATE].get("flash")
    if notice:
        request[STATE].set(flash=None)
    return _dashboard(request, resp, notice=notice)


@routes.post("/rename-organization")
async def rename_organization(request: web.Request) -> web.Response:
    """Rename the organization with the member's own session, so Stytch checks the member's
    permission (an admin may, a plain member may not)."""
    form = await _form(request)
    resp = await _member_session(request)
    if resp is None:
        return see_other("/")
    name = form.get("organization_name", "").strip()
    as_member = UpdateRequestOptions(
        authorization=Authorization(session_token=request[STATE].get("session_token"))
    )
    try:
        await request.app[STYTCH].organizations.update_async(
            organization_id=resp.organization.organization_id,
            organization_name=name,
            method_options=as_member,
        )
    except StytchError as exc:
        d = exc.details
        if not 400 <= d.status_code < 500 or d.status_code in (401, 404):
            raise
        return _dashboard(
            request,
            resp,
            status=d.status_code,
            error=FRIENDLY.get(d.error_type or "", d.error_message),
            error_type=d.error_type,
            request_id=d.request_id,
        )
    request[STATE].set(flash=f"The organization is now called {name}.")
    return see_other("/dashboard")


@routes.get("/logout")
async def logout(request: web.Request) -> web.Response:
    session_token = request[STATE].get("session_token")
    request[DELETE_COOKIE] = True
    if session_token:
        try:
            await request.app[STYTCH].sessions.revoke_async(session_token=session_token)
        except StytchError as exc:
            if exc.details.status_code != 404:  # a session already gone is fine
                raise
    return see_other("/?logged_out=1")


# --- the application -------------------------------------------------------------------


def create_app(config: Config) -> web.Application:
    app = web.Application(middlewares=[cookie_middleware, error_middleware])
    app[CONFIG] = config
    app[FERNET] = fernet_for(config.app_secret)
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    app.cleanup_ctx.append(_stytch_client)
    app.add_routes(routes)
    from . import frontend_sdk  # the prebuilt-UI pages (they use this module's helpers)

    app.add_routes(frontend_sdk.routes)
    app.router.add_static("/static", HERE / "static", name="static")
    return app


async def _stytch_client(app: web.Application) -> AsyncIterator[None]:
    """One HTTP session and one B2BClient (async) for the app's lifetime."""
    config = app[CONFIG]
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    app[HTTP] = session
    app[STYTCH] = B2BClient(
        project_id=config.project_id,
        secret=config.secret,
        environment=config.api_base if config.api_url else None,
        async_session=session,
    )
    yield
    await session.close()


def listening_url(config: Config) -> str:
    host = (
        "localhost" if config.host in ("127.0.0.1", "0.0.0.0", "::", "localhost") else config.host
    )
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{config.port}"


__all__ = ["create_app", "listening_url"]
