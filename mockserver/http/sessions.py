"""``/v1/b2b/sessions/...`` and the RBAC policy routes the SDKs read for local checks."""

from __future__ import annotations

from aiohttp import web

from .. import errors
from ..domain import rbac, sessions
from ..domain.login import exchange_session
from ..models import requests as rq
from ..models import responses as rs
from .common import operation, project, public, render
from .middleware import REGISTRY
from .render import auth_result_fields, member_session, session_fields

routes = web.RouteTableDef()


@routes.post("/v1/b2b/sessions/authenticate")
@operation(
    "Authenticate a session", rs.SessionAuthenticateResponse, body=rq.SessionAuthenticateRequest
)
async def authenticate(request: web.Request, body: rq.SessionAuthenticateRequest) -> web.Response:
    check = body.authorization_check
    grant, verdict = sessions.authenticate(
        project(request),
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        duration_minutes=body.session_duration_minutes,
        custom_claims=body.session_custom_claims,
        authorization_check=check.model_dump() if check is not None else None,
    )
    return render(
        request,
        rs.SessionAuthenticateResponse,
        verdict=verdict,
        **await session_fields(request, grant),
    )


@routes.post("/v1/b2b/sessions/revoke")
@operation("Revoke sessions", rs.EmptyResponse, body=rq.SessionRevokeRequest)
async def revoke(request: web.Request, body: rq.SessionRevokeRequest) -> web.Response:
    sessions.revoke(
        project(request),
        member_session_id=body.member_session_id,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        member_id=body.member_id,
    )
    return render(request, rs.EmptyResponse)


@routes.get("/v1/b2b/sessions")
@operation("List a member's sessions", rs.SessionsGetResponse, query=rq.SessionsGetQuery)
async def get_sessions(request: web.Request, query: rq.SessionsGetQuery) -> web.Response:
    proj = project(request)
    member, org, found = sessions.member_sessions(proj, query.organization_id, query.member_id)
    return render(
        request,
        rs.SessionsGetResponse,
        member_sessions=[member_session(s, member, org) for s in found],
    )


@routes.post("/v1/b2b/sessions/exchange")
@operation(
    "Exchange a session into another organization",
    rs.AuthResultResponse,
    body=rq.SessionExchangeRequest,
)
async def exchange(request: web.Request, body: rq.SessionExchangeRequest) -> web.Response:
    proj = project(request)
    result = exchange_session(
        proj,
        organization_id=body.organization_id,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        duration_minutes=body.session_duration_minutes,
        custom_claims=body.session_custom_claims,
    )
    return render(request, rs.AuthResultResponse, **await auth_result_fields(request, result))


@routes.get("/v1/b2b/sessions/jwks/{project_id}")
@public
@operation("Get the JWKS", rs.JWKSResponse)
async def jwks(request: web.Request) -> web.Response:
    proj = request.app[REGISTRY].find_project(request.match_info["project_id"])
    if proj is None:
        raise errors.project_not_found()
    return render(request, rs.JWKSResponse, keys=proj.signing_keys.jwks())


@routes.get("/v1/b2b/rbac/policy")
@operation("Get the RBAC policy", rs.PolicyResponse)
async def rbac_policy(request: web.Request) -> web.Response:
    return render(request, rs.PolicyResponse, policy=rbac.default_policy())


@routes.get("/v1/b2b/rbac/organizations/{organization_id}")
@operation("Get an organization's RBAC policy", rs.OrgPolicyResponse)
async def rbac_org_policy(request: web.Request) -> web.Response:
    org = project(request).organizations.get(request.match_info["organization_id"])
    return render(request, rs.OrgPolicyResponse, org_policy={"roles": org.custom_roles})
