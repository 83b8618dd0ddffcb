"""``/_mock/requests`` (the request log) and ``/_mock/sessions`` (a logged-in member at once)."""

from __future__ import annotations

import json
import time

from aiohttp import web

from ..domain.shortcuts import session_for
from ..models import mock_tools as mt
from .common import PROJECT, operation, project, render
from .middleware import Handler
from .render import session_fields

routes = web.RouteTableDef()


@routes.get("/_mock/requests")
@operation("[mock] The project's last requests", mt.RequestsResponse, query=mt.RequestsQuery)
async def requests_log(request: web.Request, query: mt.RequestsQuery) -> web.Response:
    log = project(request).request_log
    return render(
        request,
        mt.RequestsResponse,
        requests=log.since(query.since, query.limit),
        last_seq=log.last_seq,
    )


@routes.post("/_mock/sessions")
@operation(
    "[mock] A session for a member, without a login",
    mt.SessionForResponse,
    body=mt.SessionForRequest,
)
async def sessions(request: web.Request, body: mt.SessionForRequest) -> web.Response:
    grant = session_for(
        project(request),
        email_address=body.email_address,
        organization=body.organization,
        roles=body.roles,
        session_duration_minutes=body.session_duration_minutes,
    )
    return render(request, mt.SessionForResponse, **await session_fields(request, grant))


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Adds every Stytch API request of a known project to its request log (the control API's
    own requests are left out). Sits outside the Stytch middleware, which sets the project."""
    started = time.perf_counter()
    response = await handler(request)
    proj = request.get(PROJECT)
    if proj is None or request.path.startswith("/_mock"):
        return response
    error_type = None
    if response.status >= 400 and isinstance(response, web.Response) and response.body:
        try:
            error_type = json.loads(bytes(response.body)).get("error_type")  # type: ignore[arg-type]
        except (ValueError, AttributeError):
            error_type = None
    proj.request_log.add(
        at=proj.now(),
        method=request.method,
        path=request.path,
        status=response.status,
        error_type=error_type,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return response
