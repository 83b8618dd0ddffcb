"""What the browser-facing routes share (SSO start and callbacks, the built-in IdP's pages):
no API credentials, redirects instead of JSON, and errors as a readable HTML page that still
names Stytch's ``error_type`` (and carries the same status)."""

from __future__ import annotations

import functools
import html
from collections.abc import Awaitable, Callable

from aiohttp import web

from .. import errors
from ..domain.project import Project
from .common import REQUEST_ID

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The mock's address as browsers reach it (``stytch-mock --public-url``), when the address a
# backend uses differs (Docker: ``http://mock:8080`` for the app, ``http://localhost:8080`` for
# the browser). SSO's browser-facing URLs (ACS, OIDC redirect, the built-in IdP) use it.
PUBLIC_URL = web.AppKey("public_url", str)


def base_url(request: web.Request) -> str:
    """The mock's base URL for browser-facing links: ``--public-url``, else the address the
    request came to (scheme, host and port)."""
    configured = request.app.get(PUBLIC_URL)
    return configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"


def redirect(url: str) -> web.Response:
    return web.Response(status=302, headers={"Location": url, "Cache-Control": "no-store"})


def page(title: str, body: str, status: int = 200) -> web.Response:
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; }}
label {{ display: block; margin: .6rem 0 .2rem; }}
input {{ width: 100%; padding: .4rem; box-sizing: border-box; }}
button {{ margin-top: 1rem; padding: .5rem 1rem; }}
code {{ background: #f3f3f3; padding: 0 .2rem; }}
.muted {{ color: #666; font-size: .9rem; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{body}
</body></html>"""
    return web.Response(
        text=document,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
    )


def error_page(error: errors.StytchError, request_id: str) -> web.Response:
    body = (
        f"<p>{html.escape(error.error_message)}</p>"
        f"<p class='muted'>error_type <code id='error-type'>{html.escape(error.error_type)}</code>"
        f" &middot; status {error.status_code} &middot; request_id "
        f"<code>{html.escape(request_id)}</code></p>"
        f"<p class='muted'><a href='{html.escape(error.error_url)}'>Stytch's page on this "
        "error</a></p>"
    )
    return page("Sign-in failed", body, status=error.status_code)


def browser_route(handler: Handler) -> Handler:
    """A public route whose Stytch errors render as an HTML page."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except errors.StytchError as exc:
            return error_page(exc, request[REQUEST_ID])

    wrapped.public = True  # type: ignore[attr-defined]
    # Not a JSON operation: left out of /openapi.json (its routes answer HTML and redirects).
    wrapped.browser = True  # type: ignore[attr-defined]
    return wrapped


def project_by_id(request: web.Request, project_id: str) -> Project:
    from .middleware import REGISTRY

    found = request.app[REGISTRY].find_project(project_id)
    if found is None:
        raise errors.project_not_found()
    return found
