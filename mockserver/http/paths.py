"""Request paths as clients send them, before routing.

The Java/Kotlin SDK builds every URL as ``"$baseUrl$path"``, so a base URL configured with a
trailing slash (``http://127.0.0.1:8080/``) sends ``//v1/b2b/...`` on every call, and the Go
SDK does the same for its JWKS request (``stytch-java`` ``common/HttpClient.kt``,
``stytch-go`` ``b2bstytchapi.go``). Such a path is served as if it had one leading slash: no
redirect, so no extra round trip and no resent body.
"""

from __future__ import annotations

import re

from aiohttp import web

from .middleware import Handler

_LEADING_SLASHES = re.compile(r"^//+")


async def reroute(request: web.Request) -> tuple[web.Request, Handler] | None:
    """For a ``//…`` path that routes nowhere: the request routed as ``/…`` and the handler
    that path names, or None when it routes nowhere either."""
    fixed = request.clone(rel_url=_LEADING_SLASHES.sub("/", request.raw_path))
    match = await request.app.router.resolve(fixed)
    if match.http_exception is not None:
        return None
    # As aiohttp's own normalize_path_middleware does for the request it re-resolves.
    fixed._match_info = match
    match.add_app(request.app)
    return fixed, match.handler
