"""Request paths as clients send them, before routing.

The Java/Kotlin SDK builds every URL as ``"$baseUrl$path"``, so a base URL configured with a
trailing slash (``http://127.0.0.1:8080/``) sends ``//v1/b2b/...`` on every call, and the Go
SDK does the same for its JWKS request (``stytch-java`` ``common/HttpClient.kt``,
``stytch-go`` ``b2bstytchapi.go``). Such a path is served as if it had one leading slash: no
redirect, so no extra round trip and no resent body.
"""

from __future__ import annotations

import re
from functools import partial

from aiohttp import web

from .middleware import Handler

_LEADING_SLASHES = re.compile(r"^//+")


@web.middleware
async def collapse_leading_slashes(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The outermost middleware: a ``//…`` path that routes nowhere is routed as ``/…``."""
    if request.match_info.http_exception is None or not request.raw_path.startswith("//"):
        return await handler(request)
    fixed = request.clone(rel_url=_LEADING_SLASHES.sub("/", request.raw_path))
    match = await request.app.router.resolve(fixed)
    if match.http_exception is not None:
        return await handler(request)
    # As aiohttp's own normalize_path_middleware does for the request it re-resolves.
    fixed._match_info = match
    match.add_app(request.app)
    # The other middlewares, in the app's order, around the handler the fixed path names.
    chain: Handler = match.handler
    for mw in reversed(request.app.middlewares):
        if mw is not collapse_leading_slashes:
            chain = partial(mw, handler=chain)
    return await chain(fixed)
