"""``/v1/b2b/otps/...``: SMS codes (MFA) and email codes (organization and discovery), and
deleting a member's MFA phone number."""

from __future__ import annotations

from aiohttp import web

from ..domain import authorization as authz
from ..domain import otps
from ..models import mfa as m
from ..models import responses as rs
from .authorization import member_authorization
from .common import operation, project, render
from .render import auth_result_fields, discovery_fields, session_fields

routes = web.RouteTableDef()


@routes.post("/v1/b2b/otps/sms/send")
@operation("Send an SMS one-time passcode", rs.MemberResponse, body=m.SmsSendRequest)
async def sms_send(request: web.Request, body: m.SmsSendRequest) -> web.Response:
    member, org = otps.sms_send(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        mfa_phone_number=body.mfa_phone_number,
        intermediate_session_token=body.intermediate_session_token,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.post("/v1/b2b/otps/sms/authenticate")
@operation(
    "Authenticate an SMS one-time passcode", m.MfaSessionResponse, body=m.SmsAuthenticateRequest
)
async def sms_authenticate(request: web.Request, body: m.SmsAuthenticateRequest) -> web.Response:
    grant = otps.sms_authenticate(
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


@routes.post("/v1/b2b/otps/email/login_or_signup")
@operation(
    "Send a login or signup email one-time passcode",
    rs.LoginOrSignupResponse,
    body=m.EmailLoginOrSignupRequest,
)
async def email_login_or_signup(
    request: web.Request, body: m.EmailLoginOrSignupRequest
) -> web.Response:
    member, created, org = otps.email_login_or_signup(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        login_expiration_minutes=body.login_expiration_minutes,
        signup_expiration_minutes=body.signup_expiration_minutes,
    )
    return render(
        request,
        rs.LoginOrSignupResponse,
        member_id=member.member_id,
        member_created=created,
        member=member,
        organization=org,
    )


@routes.post("/v1/b2b/otps/email/authenticate")
@operation(
    "Authenticate an email one-time passcode",
    m.EmailAuthenticateResponse,
    body=m.EmailAuthenticateRequest,
)
async def email_authenticate(
    request: web.Request, body: m.EmailAuthenticateRequest
) -> web.Response:
    result = otps.email_authenticate(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        code=body.code,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        intermediate_session_token=body.intermediate_session_token,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
    )
    return render(
        request,
        m.EmailAuthenticateResponse,
        method_id=result.member.email_id,
        organization_id=result.organization.organization_id,
        **await auth_result_fields(request, result),
    )


@routes.post("/v1/b2b/otps/email/discovery/send")
@operation(
    "Send a discovery email one-time passcode",
    rs.EmptyResponse,
    body=m.EmailDiscoverySendRequest,
)
async def email_discovery_send(
    request: web.Request, body: m.EmailDiscoverySendRequest
) -> web.Response:
    otps.email_discovery_send(
        project(request),
        email_address=body.email_address,
        discovery_expiration_minutes=body.discovery_expiration_minutes,
    )
    return render(request, rs.EmptyResponse)


@routes.post("/v1/b2b/otps/email/discovery/authenticate")
@operation(
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
    return render(
        request,
        rs.DiscoveryAuthenticateResponse,
        **discovery_fields(result),
    )


@routes.delete("/v1/b2b/organizations/{organization_id}/members/mfa_phone_numbers/{member_id}")
@operation("Delete a member's MFA phone number", rs.MemberResponse)
@member_authorization(authz.member_action("update.info.delete.mfa-phone"))
async def delete_mfa_phone_number(request: web.Request) -> web.Response:
    member, org = otps.delete_mfa_phone_number(
        project(request), request.match_info["organization_id"], request.match_info["member_id"]
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )
