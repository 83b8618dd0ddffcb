"""``/_mock/requests`` (the request log) and ``/_mock/sessions`` (a logged-in member at once)."""

from __future__ import annotations

import json
import time

from aiohttp import web

from ..domain.project import Project
from ..domain.shortcuts import session_for
from ..models import mock_tools as mt
from .common import operation, project, render
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


def record_request(
    project: Project, request: web.Request, response: web.StreamResponse, started: float
) -> None:
    """Add a Stytch API request of ``project`` to its request log (the pipeline calls it for
    every request but the control API's own)."""
    error_type = None
    if response.status >= 400 and isinstance(response, web.Response) and response.body:
        try:
            error_type = json.loads(bytes(response.body)).get("error_type")  # type: ignore[arg-type]
        except (ValueError, AttributeError):
            error_type = None
    project.request_log.add(
        project.clock.timestamp(),
        request.method,
        request.path,
        response.status,
        error_type,
        (time.perf_counter() - started) * 1000,
        request.headers.get("User-Agent", ""),
    )
