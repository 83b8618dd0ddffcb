"""``/sdk/v1/b2b/sessions/...``: the browser's session (its token is the Basic password) kept
alive, revoked, or exchanged into another organization: the same sessions the backend API's
``sessions.authenticate`` sees."""

from __future__ import annotations

from aiohttp import web

from ...domain import authorization, sessions
from ...domain.login import exchange_session
from ...models import responses as rs
from ...models import sdk
from ..common import project
from ..render import auth_result_fields, session_fields
from .common import data, sdk_operation, session_token
from .members import require_permission

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/sessions/authenticate")
@sdk_operation(
    "Authenticate the browser's session",
    rs.SessionAuthenticateResponse,
    body=sdk.SessionAuthenticateRequest,
)
async def authenticate(request: web.Request, body: sdk.SessionAuthenticateRequest) -> web.Response:
    grant, _ = sessions.authenticate(
        project(request),
        session_token=session_token(request),
        session_jwt=None,
        duration_minutes=body.session_duration_minutes,
        custom_claims=None,
    )
    return data(request, rs.SessionAuthenticateResponse, **await session_fields(request, grant))


@routes.post("/sdk/v1/b2b/sessions/revoke")
@sdk_operation("Revoke the browser's session", rs.EmptyResponse)
async def revoke(request: web.Request) -> web.Response:
    sessions.revoke(
        project(request),
        member_session_id=None,
        session_token=session_token(request),
        session_jwt=None,
        member_id=None,
    )
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/sessions/revoke/{member_id}")
@sdk_operation("Revoke another member's sessions", rs.EmptyResponse)
async def revoke_for_member(request: web.Request) -> web.Response:
    proj = project(request)
    member_id = request.match_info["member_id"]
    _, org = require_permission(
        request, authorization.authorize_session_revoke, body={"member_id": member_id}
    )
    target = proj.members.get(org.organization_id, member_id, allow_external_id=False)
    sessions.revoke_member_sessions(proj, target.member_id)
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/sessions/exchange")
@sdk_operation(
    "Exchange the session into another organization",
    rs.AuthResultResponse,
    body=sdk.SessionExchangeRequest,
)
async def exchange(request: web.Request, body: sdk.SessionExchangeRequest) -> web.Response:
    result = exchange_session(
        project(request),
        organization_id=body.organization_id,
        session_token=session_token(request),
        session_jwt=None,
        duration_minutes=body.session_duration_minutes,
        custom_claims=None,
    )
    return data(request, rs.AuthResultResponse, **await auth_result_fields(request, result))
