"""``/sdk/v1/b2b/otps/...``: SMS codes (MFA) and email codes (organization and discovery) from
the browser (``HeadlessB2BOTPsClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The same domain calls as ``/v1/b2b/otps/...``; the session comes from the Basic password, the
intermediate session token from the body (the SDK's cookie)."""

from __future__ import annotations

from aiohttp import web

from ...domain import otps
from ...models import mfa as m
from ...models import responses as rs
from ...models import sdk_factors as sf
from ..common import project
from ..render import auth_result_fields, discovery_fields, session_fields
from .common import data, optional_session_token, sdk_operation

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/otps/sms/send")
@sdk_operation("Send an SMS one-time passcode", rs.EmptyResponse, body=sf.SmsSendRequest)
async def sms_send(request: web.Request, body: sf.SmsSendRequest) -> web.Response:
    otps.sms_send(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        mfa_phone_number=body.mfa_phone_number,
        intermediate_session_token=body.intermediate_session_token,
        session_token=optional_session_token(request),
        session_jwt=None,
    )
    # The SDK's answer is the base fields only (B2BSMSSendResponse).
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/otps/sms/authenticate")
@sdk_operation(
    "Authenticate an SMS one-time passcode", m.MfaSessionResponse, body=sf.SmsAuthenticateRequest
)
async def sms_authenticate(request: web.Request, body: sf.SmsAuthenticateRequest) -> web.Response:
    grant = otps.sms_authenticate(
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
        set_default_mfa=None,
    )
    return data(
        request,
        m.MfaSessionResponse,
        member_id=grant.member.member_id,
        **await session_fields(request, grant),
    )


@routes.post("/sdk/v1/b2b/otps/email/login_or_signup")
@sdk_operation(
    "Send a login or signup email one-time passcode",
    rs.EmptyResponse,
    body=m.EmailLoginOrSignupRequest,
)
async def email_login_or_signup(
    request: web.Request, body: m.EmailLoginOrSignupRequest
) -> web.Response:
    otps.email_login_or_signup(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        login_expiration_minutes=body.login_expiration_minutes,
        signup_expiration_minutes=body.signup_expiration_minutes,
    )
    # The SDK's answer is the base fields only (B2BOTPsEmailLoginOrSignupResponse).
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/otps/email/authenticate")
@sdk_operation(
    "Authenticate an email one-time passcode",
    m.EmailAuthenticateResponse,
    body=sf.EmailAuthenticateRequest,
)
async def email_authenticate(
    request: web.Request, body: sf.EmailAuthenticateRequest
) -> web.Response:
    result = otps.email_authenticate(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        code=body.code,
        session_token=optional_session_token(request),
        session_jwt=None,
        intermediate_session_token=body.intermediate_session_token,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
    )
    return data(
        request,
        m.EmailAuthenticateResponse,
        method_id=result.member.email_id,
        organization_id=result.organization.organization_id,
        **await auth_result_fields(request, result),
    )


@routes.post("/sdk/v1/b2b/otps/email/discovery/send")
@sdk_operation(
    "Send a discovery email one-time passcode", rs.EmptyResponse, body=m.EmailDiscoverySendRequest
)
async def email_discovery_send(
    request: web.Request, body: m.EmailDiscoverySendRequest
) -> web.Response:
    otps.email_discovery_send(
        project(request),
        email_address=body.email_address,
        discovery_expiration_minutes=body.discovery_expiration_minutes,
    )
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/otps/email/discovery/authenticate")
@sdk_operation(
    "Authenticate a discovery email one-time passcode",
    rs.DiscoveryAuthenticateResponse,
    body=m.EmailDiscoveryAuthenticateRequest,
)
async def email_discovery_authenticate(
    request: web.Request, body: m.EmailDiscoveryAuthenticateRequest
) -> web.Response:
    result = otps.email_discovery_authenticate(
        project(request), email_address=body.email_address, code=body.code
    )
    return data(request, rs.DiscoveryAuthenticateResponse, **discovery_fields(result))
