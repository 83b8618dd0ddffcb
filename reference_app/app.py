"""The reference app: Stytch B2B discovery login as a small aiohttp web app.

The flow (Stytch's B2B quickstart, done as pages):

1. ``GET /`` asks for an email; ``POST /login`` sends a discovery magic link to it.
2. The link comes back to ``GET /authenticate?stytch_token_type=discovery&token=…``, which
   authenticates it and gets an intermediate session plus the organizations the email can
   log in to: one -> log straight in (exchange); several -> ``/select-organization``;
   none -> ``/create-organization``.
3. ``GET /dashboard`` authenticates the session at Stytch on every visit; ``GET /logout``
   revokes it at Stytch and deletes the cookie.

Links of ``stytch_token_type=multi_tenant_magic_links`` (sent by ``login_or_signup`` or an
invite) log straight in to their organization.

Every Stytch call goes through the official SDK's async client. Stytch errors become a page
that names the ``error_type`` and ``request_id``; nothing ever shows a traceback.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import jinja2
from aiohttp import web
from cryptography.fernet import Fernet
from stytch import B2BClient
from stytch.core.response_base import StytchError

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
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
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
    answer of a call that logs in (magic link authenticate, exchange, create), which may
    instead ask for more factors than this app implements."""
    if not resp.member_authenticated or not resp.session_token:
        return _needs_more_auth(request, resp.organization.organization_name)
    state: CookieState = request[STATE]
    state.set(session_token=resp.session_token, ist=None, email=None)
    state.rotate_csrf()
    return see_other("/dashboard")


def _needs_more_auth(request: web.Request, organization_name: str) -> web.Response:
    return error_page(
        request,
        403,
        "More verification needed",
        f"{organization_name} asks for multi-factor authentication or another primary "
        "login method, which this reference app does not implement.",
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
    return render(request, "login.html", notice=flash or notice, email="")


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
            request, "login.html", status=400, error="Enter your email address.", email=""
        )
    await request.app[STYTCH].magic_links.email.discovery.send_async(
        email_address=email, discovery_redirect_url=_redirect_url(request)
    )
    outbox_url = (
        "/outbox?" + urlencode({"to": email}) if request.app[CONFIG].talks_to_mock else None
    )
    return render(request, "check_email.html", email=email, outbox_url=outbox_url)


@routes.get("/outbox")
async def outbox(request: web.Request) -> web.Response:
    """The mock's outbox for one address, as a page (only when the app talks to the mock:
    Stytch itself delivers real email). The JSON needs the project's Basic auth, which a
    browser does not have, so the app reads it with its own credentials."""
    config = request.app[CONFIG]
    if not config.talks_to_mock:
        raise web.HTTPNotFound()
    to = request.query.get("to", "").strip()
    if not to:
        raise web.HTTPBadRequest(reason="Which address?")
    url = config.api_base + "_mock/outbox?" + urlencode({"to": to})
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
    if token_type not in ("discovery", "multi_tenant_magic_links"):
        return error_page(
            request,
            400,
            "Unsupported link",
            "This app handles discovery and multi-tenant magic links only.",
            error_type=f"unsupported token type: {token_type or '(none)'}",
        )
    if not token:
        return error_page(request, 400, "Incomplete link", "The link has no token.")
    if token_type == "multi_tenant_magic_links":
        resp = await stytch.magic_links.authenticate_async(magic_links_token=token)
        return _login(request, resp)

    found = await stytch.magic_links.discovery.authenticate_async(discovery_magic_links_token=token)
    state: CookieState = request[STATE]
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
    return render(
        request,
        "create_organization.html",
        email=email,
        organization_name=name,
        organization_slug=slug,
    )


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


@routes.get("/dashboard")
async def dashboard(request: web.Request) -> web.Response:
    state: CookieState = request[STATE]
    session_token = state.get("session_token")
    if not session_token:
        state.set(flash="Log in to see your dashboard.")
        return see_other("/")
    try:
        resp = await request.app[STYTCH].sessions.authenticate_async(session_token=session_token)
    except StytchError as exc:
        if exc.details.status_code in (401, 404):  # expired or revoked
            state.set(session_token=None, flash=FRIENDLY["session_not_found"])
            return see_other("/")
        raise
    return render(
        request,
        "dashboard.html",
        member=resp.member,
        organization=resp.organization,
        session=resp.member_session,
    )


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
