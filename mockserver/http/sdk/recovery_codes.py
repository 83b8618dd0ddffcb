"""``/sdk/v1/b2b/recovery_codes...``: the recovery codes of the member's TOTP registration from
the browser (``HeadlessB2BRecoveryCodesClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
``recover`` completes MFA (intermediate session token from the body, or the session from the
Basic password); ``get`` and ``rotate`` name no member: it is the session's."""

from __future__ import annotations

from aiohttp import web

from ...domain import totps
from ...models import mfa as m
from ...models import sdk_factors as sf
from ..common import project
from ..render import session_fields
from .common import data, optional_session_token, sdk_operation
from .members import caller

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/recovery_codes/recover")
@sdk_operation("Complete MFA with a recovery code", m.RecoverResponse, body=sf.RecoverRequest)
async def recover(request: web.Request, body: sf.RecoverRequest) -> web.Response:
    grant, remaining = totps.recover(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        recovery_code=body.recovery_code,
        intermediate_session_token=body.intermediate_session_token,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
    )
    return data(
        request,
        m.RecoverResponse,
        member_id=grant.member.member_id,
        recovery_codes_remaining=remaining,
        **await session_fields(request, grant),
    )


@routes.get("/sdk/v1/b2b/recovery_codes")
@sdk_operation("Get the member's recovery codes", sf.SdkRecoveryCodesResponse)
async def get(request: web.Request) -> web.Response:
    member, org = caller(request)
    _, _, codes = totps.recovery_codes(project(request), org.organization_id, member.member_id)
    return data(request, sf.SdkRecoveryCodesResponse, recovery_codes=codes)


@routes.post("/sdk/v1/b2b/recovery_codes/rotate")
@sdk_operation("Rotate the member's recovery codes", sf.SdkRecoveryCodesResponse)
async def rotate(request: web.Request) -> web.Response:
    member, org = caller(request)
    _, _, codes = totps.rotate_recovery_codes(
        project(request), org.organization_id, member.member_id
    )
    return data(request, sf.SdkRecoveryCodesResponse, recovery_codes=codes)
