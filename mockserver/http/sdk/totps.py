"""``/sdk/v1/b2b/totp...``: TOTP registration and authentication from the browser
(``HeadlessB2BTOTPsClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The same domain calls as ``/v1/b2b/totp...``; the session comes from the Basic password, the
intermediate session token from the body (the SDK's cookie)."""

from __future__ import annotations

from aiohttp import web

from ...domain import totps
from ...models import mfa as m
from ...models import sdk_factors as sf
from ..common import project
from ..render import session_fields
from .common import data, optional_session_token, sdk_operation

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/totp")
@sdk_operation("Create a TOTP registration", m.TotpCreateResponse, body=sf.TotpCreateRequest)
async def create(request: web.Request, body: sf.TotpCreateRequest) -> web.Response:
    member, org, reg, qr_code, codes = totps.create(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        expiration_minutes=body.expiration_minutes,
        intermediate_session_token=body.intermediate_session_token,
        session_token=optional_session_token(request),
        session_jwt=None,
    )
    return data(
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


@routes.post("/sdk/v1/b2b/totp/authenticate")
@sdk_operation("Authenticate a TOTP code", m.MfaSessionResponse, body=sf.TotpAuthenticateRequest)
async def authenticate(request: web.Request, body: sf.TotpAuthenticateRequest) -> web.Response:
    grant = totps.authenticate(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        code=body.code,
        intermediate_session_token=body.intermediate_session_token,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
        set_mfa_enrollment=body.set_mfa_enrollment,
        set_default_mfa=body.set_default_mfa,
    )
    return data(
        request,
        m.MfaSessionResponse,
        member_id=grant.member.member_id,
        **await session_fields(request, grant),
    )
