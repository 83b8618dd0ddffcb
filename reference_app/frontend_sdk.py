"""The reference app's second login: Stytch's prebuilt B2B UI, running in the browser.

``GET /sdk-login`` shows the ``StytchB2B`` element of ``@stytch/vanilla-js`` (its standalone
bundle from npm, served as ``/static/stytch/b2b.js``, no bundler), in the discovery flow with
email magic links. The SDK talks to the Stytch API (the mock) from the browser, with the
project's public token, and keeps the session in its ``stytch_session`` cookie.
``GET /sdk-dashboard`` is the backend's side: it reads that cookie and authenticates it with
the official Python SDK, as any backend behind the frontend SDK does. Logging out is the SDK's
``session.revoke()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from stytch.core.response_base import StytchError

from .app import CONFIG, STYTCH, _public_base, error_page, render, see_other
from .config import origin

HERE = Path(__file__).parent
# npm ci in reference_app/frontend (make install) puts the SDK here.
BUNDLE_DIR = HERE / "frontend" / "node_modules" / "@stytch" / "vanilla-js" / "dist" / "iife" / "b2b"
BUNDLES = {"b2b.js": "index.js", "b2b-headless.js": "index.headless.js"}
# The cookie the SDK keeps the session token in (its default name,
# https://github.com/stytchauth/stytch-browser/blob/main/packages/core/src/constants.ts).
SESSION_COOKIE = "stytch_session"

routes = web.RouteTableDef()


def _sdk_page(request: web.Request, template: str, **context: Any) -> web.Response:
    config = request.app[CONFIG]
    if not config.public_token:
        return error_page(
            request,
            404,
            "The frontend SDK page is off",
            "Set STYTCH_PUBLIC_TOKEN (the project's public token) to use Stytch's prebuilt UI.",
        )
    if not (BUNDLE_DIR / BUNDLES["b2b.js"]).is_file():
        return error_page(
            request,
            503,
            "The frontend SDK is not installed",
            "Run `make install` (it needs npm) to fetch @stytch/vanilla-js.",
        )
    api_url = config.api_base.rstrip("/") if config.talks_to_mock else None
    response = render(
        request,
        template,
        public_token=config.public_token,
        sdk_api_url=api_url,
        sdk_redirect_url=_public_base(request) + "/sdk-login",
        **context,
    )
    # The app's CSP, opened just enough for the SDK: its API calls, and the styles it injects.
    api_origin = origin(api_url) if api_url else "https://test.stytch.com https://api.stytch.com"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; connect-src 'self' {api_origin}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    return response


# The prebuilt UI's login methods a page may ask for with ``?products=`` (the names of the
# SDK's ``B2BProducts``), in the order given; magic links alone by default.
SDK_PRODUCTS = ("emailMagicLinks", "emailOtp", "passwords")


@routes.get("/sdk-login")
async def sdk_login(request: web.Request) -> web.Response:
    notice = "You have been logged out." if request.query.get("logged_out") else None
    asked = [p for p in request.query.get("products", "").split(",") if p in SDK_PRODUCTS]
    products = ",".join(dict.fromkeys(asked)) or "emailMagicLinks"
    return _sdk_page(request, "sdk_login.html", notice=notice, sdk_products=products)


@routes.get("/sdk-dashboard")
async def sdk_dashboard(request: web.Request) -> web.Response:
    session_token = request.cookies.get(SESSION_COOKIE)
    if not session_token:
        return see_other("/sdk-login")
    try:
        resp = await request.app[STYTCH].sessions.authenticate_async(session_token=session_token)
    except StytchError as exc:
        if exc.details.status_code in (401, 404):  # expired or revoked
            return see_other("/sdk-login")
        raise
    return _sdk_page(
        request,
        "dashboard.html",
        sdk=True,
        member=resp.member,
        organization=resp.organization,
        session=resp.member_session,
    )


@routes.get("/static/stytch/{name}")
async def sdk_bundle(request: web.Request) -> web.StreamResponse:
    """The SDK's standalone bundles, straight from node_modules."""
    filename = BUNDLES.get(request.match_info["name"])
    path = BUNDLE_DIR / filename if filename else None
    if path is None or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": "text/javascript"})


__all__ = ["routes"]
