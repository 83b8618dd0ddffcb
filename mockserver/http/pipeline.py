"""The one middleware every request passes (aiohttp's middlewares each cost a few
microseconds a request, so the concerns share one):

1. a ``//v1/...`` path that routes nowhere is routed as ``/v1/...`` (http.paths);
2. the frontend SDK's ``/sdk/v1`` routes get CORS (http.sdk.common);
3. request id, credentials and Stytch-shaped errors (http.middleware);
4. the project's request log (http.mock_tools), for every request but the control API's.
"""

from __future__ import annotations

import time
from functools import partial

from aiohttp import web

from .common import PROJECT
from .middleware import Handler, answer
from .mock_tools import record_request
from .paths import reroute
from .sdk.common import is_sdk_path, with_cors


@web.middleware
async def stytch_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    if request.match_info.http_exception is not None and request.raw_path.startswith("//"):
        rerouted = await reroute(request)
        if rerouted is not None:
            request, handler = rerouted
    if is_sdk_path(request.path):
        response = await with_cors(request, partial(answer, handler=handler))
    else:
        response = await answer(request, handler)
    project = request.get(PROJECT)
    if project is not None and not request.path.startswith("/_mock"):
        record_request(project, request, response, started)
    return response
