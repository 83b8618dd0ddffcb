"""``/v1/b2b/totp...``: TOTP registrations (create, authenticate, migrate) and deleting a
member's TOTP."""

from __future__ import annotations

from aiohttp import web

from ..domain import authorization as authz
from ..domain import totps
from ..models import mfa as m
from ..models import responses as rs
from .authorization import member_authorization
from .common import operation, project, render
from .render import session_fields

routes = web.RouteTableDef()


@routes.post("/v1/b2b/totp")
@operation("Create a TOTP registration", m.TotpCreateResponse, body=m.TotpCreateRequest)
async def create(request: web.Request, body: m.TotpCreateRequest) -> web.Response:
    member, org, reg, qr_code, codes = totps.create(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        expiration_minutes=body.expiration_minutes,
        intermediate_session_token=body.intermediate_session_token,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
    )
    return render(
        request,
        m.TotpCreateResponse,
        member_id=member.member_id,
        totp_registration_id=reg.totp_registration_id,
        secret=reg.secret,
        qr_code=qr_code,
        recovery_codes=codes,
        member=member,
        organization=org,
    )


@routes.post("/v1/b2b/totp/authenticate")
@operation("Authenticate a TOTP code", m.MfaSessionResponse, body=m.TotpAuthenticateRequest)
async def authenticate(request: web.Request, body: m.TotpAuthenticateRequest) -> web.Response:
    grant = totps.authenticate(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        code=body.code,
        intermediate_session_token=body.intermediate_session_token,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
        set_mfa_enrollment=body.set_mfa_enrollment,
        set_default_mfa=body.set_default_mfa,
    )
    return render(
        request,
        m.MfaSessionResponse,
        member_id=grant.member.member_id,
        **await session_fields(request, grant),
    )


@routes.post("/v1/b2b/totp/migrate")
@operation("Migrate an existing TOTP secret", m.TotpMigrateResponse, body=m.TotpMigrateRequest)
async def migrate(request: web.Request, body: m.TotpMigrateRequest) -> web.Response:
    member, org, reg, codes = totps.migrate(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        secret=body.secret,
        recovery_codes=body.recovery_codes,
    )
    return render(
        request,
        m.TotpMigrateResponse,
        member_id=member.member_id,
        member=member,
        organization=org,
        totp_registration_id=reg.totp_registration_id,
        recovery_codes=codes,
    )


@routes.delete("/v1/b2b/organizations/{organization_id}/members/{member_id}/totp")
@operation("Delete a member's TOTP registration", rs.MemberResponse)
@member_authorization(authz.member_action("update.info.delete.mfa-totp"))
async def delete_totp(request: web.Request) -> web.Response:
    member, org = totps.delete(
        project(request), request.match_info["organization_id"], request.match_info["member_id"]
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )
