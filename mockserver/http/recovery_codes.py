"""``/v1/b2b/recovery_codes/...``: the recovery codes of a member's TOTP registration."""

from __future__ import annotations

from aiohttp import web

from ..domain import totps
from ..models import mfa as m
from .common import operation, project, render
from .render import session_fields

routes = web.RouteTableDef()


@routes.post("/v1/b2b/recovery_codes/recover")
@operation("Complete MFA with a recovery code", m.RecoverResponse, body=m.RecoverRequest)
async def recover(request: web.Request, body: m.RecoverRequest) -> web.Response:
    grant, remaining = totps.recover(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        recovery_code=body.recovery_code,
        intermediate_session_token=body.intermediate_session_token,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
    )
    return render(
        request,
        m.RecoverResponse,
        member_id=grant.member.member_id,
        recovery_codes_remaining=remaining,
        **await session_fields(request, grant),
    )


@routes.get("/v1/b2b/recovery_codes/{organization_id}/{member_id}")
@operation("Get a member's recovery codes", m.RecoveryCodesResponse)
async def get(request: web.Request) -> web.Response:
    member, org, codes = totps.recovery_codes(
        project(request), request.match_info["organization_id"], request.match_info["member_id"]
    )
    return render(
        request,
        m.RecoveryCodesResponse,
        member_id=member.member_id,
        member=member,
        organization=org,
        recovery_codes=codes,
    )


@routes.post("/v1/b2b/recovery_codes/rotate")
@operation(
    "Rotate a member's recovery codes", m.RecoveryCodesResponse, body=m.RecoveryCodesRotateRequest
)
async def rotate(request: web.Request, body: m.RecoveryCodesRotateRequest) -> web.Response:
    member, org, codes = totps.rotate_recovery_codes(
        project(request), body.organization_id, body.member_id
    )
    return render(
        request,
        m.RecoveryCodesResponse,
        member_id=member.member_id,
        member=member,
        organization=org,
        recovery_codes=codes,
    )
