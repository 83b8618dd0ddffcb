"""``/sdk/v1/b2b/passwords/...``: password sign-in, strength check and resets from the browser
(``HeadlessB2BPasswordsClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The same domain calls as ``/v1/b2b/passwords/...``; the session comes from the Basic password,
the intermediate session token from the body (the SDK's cookie), and a session reset names no
organization (it is the session's). The discovery resets have their own paths here
(``discovery/reset/start``, ``discovery/reset``), not the backend's ``discovery/email/...``."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from ...domain.passwords import flows
from ...models import passwords as pw
from ...models import responses as rs
from ...models import sdk_factors as sf
from ..common import project
from ..render import auth_result_fields, discovery_fields, session_fields
from .common import data, optional_session_token, sdk_operation, session_token
from .members import caller

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/passwords/authenticate")
@sdk_operation(
    "Authenticate a password", pw.PasswordAuthenticateResponse, body=sf.PasswordAuthenticateRequest
)
async def authenticate(request: web.Request, body: sf.PasswordAuthenticateRequest) -> web.Response:
    result = flows.authenticate(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        password=body.password,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
        intermediate_session_token=body.intermediate_session_token,
    )
    return data(
        request,
        pw.PasswordAuthenticateResponse,
        organization_id=result.organization.organization_id,
        **await auth_result_fields(request, result),
    )


@routes.post("/sdk/v1/b2b/passwords/strength_check")
@sdk_operation(
    "Check a password's strength",
    pw.PasswordStrengthCheckResponse,
    body=pw.PasswordStrengthCheckRequest,
)
async def strength_check(
    request: web.Request, body: pw.PasswordStrengthCheckRequest
) -> web.Response:
    result = flows.check_strength(project(request), body.password, body.email_address)
    return data(request, pw.PasswordStrengthCheckResponse, **asdict(result))


@routes.post("/sdk/v1/b2b/passwords/email/reset/start")
@sdk_operation(
    "Send a password reset email", rs.EmptyResponse, body=pw.PasswordEmailResetStartRequest
)
async def reset_start(
    request: web.Request, body: pw.PasswordEmailResetStartRequest
) -> web.Response:
    flows.reset_start(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        reset_password_redirect_url=body.reset_password_redirect_url,
        reset_password_expiration_minutes=body.reset_password_expiration_minutes,
        code_challenge=body.code_challenge,
        login_redirect_url=body.login_redirect_url,
    )
    # The SDK's answer is the base fields only (B2BPasswordResetByEmailStartResponse).
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/passwords/email/reset")
@sdk_operation(
    "Reset a password by email", pw.PasswordEmailResetResponse, body=sf.PasswordEmailResetRequest
)
async def reset(request: web.Request, body: sf.PasswordEmailResetRequest) -> web.Response:
    result = flows.reset(
        project(request),
        password_reset_token=body.password_reset_token,
        password=body.password,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        code_verifier=body.code_verifier,
        session_custom_claims=None,
        intermediate_session_token=body.intermediate_session_token,
    )
    return data(
        request,
        pw.PasswordEmailResetResponse,
        organization_id=result.organization.organization_id,
        member_email_id=result.member.email_id,
        **await auth_result_fields(request, result),
    )


@routes.post("/sdk/v1/b2b/passwords/existing_password/reset")
@sdk_operation(
    "Reset a password with the existing one",
    rs.AuthResultResponse,
    body=sf.ExistingPasswordResetRequest,
)
async def existing_password_reset(
    request: web.Request, body: sf.ExistingPasswordResetRequest
) -> web.Response:
    result = flows.existing_password_reset(
        project(request),
        email_address=body.email_address,
        existing_password=body.existing_password,
        new_password=body.new_password,
        organization_id=body.organization_id,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
    )
    return data(request, rs.AuthResultResponse, **await auth_result_fields(request, result))


@routes.post("/sdk/v1/b2b/passwords/session/reset")
@sdk_operation(
    "Reset a password with a session",
    pw.PasswordSessionResetResponse,
    body=sf.PasswordSessionResetRequest,
)
async def session_reset(request: web.Request, body: sf.PasswordSessionResetRequest) -> web.Response:
    _, org = caller(request)
    grant = flows.session_reset(
        project(request),
        organization_id=org.organization_id,
        password=body.password,
        session_token=session_token(request),
        session_jwt=None,
        session_duration_minutes=None,
        session_custom_claims=None,
    )
    return data(
        request,
        pw.PasswordSessionResetResponse,
        member_id=grant.member.member_id,
        intermediate_session_token="",
        member_authenticated=True,
        **await session_fields(request, grant),
    )


# --- discovery (cross-organization passwords) ---------------------------------------------


@routes.post("/sdk/v1/b2b/passwords/discovery/authenticate")
@sdk_operation(
    "Authenticate a password (discovery)",
    rs.DiscoveryAuthenticateResponse,
    body=pw.PasswordDiscoveryAuthenticateRequest,
)
async def discovery_authenticate(
    request: web.Request, body: pw.PasswordDiscoveryAuthenticateRequest
) -> web.Response:
    result = flows.discovery_authenticate(
        project(request), email_address=body.email_address, password=body.password
    )
    return data(request, rs.DiscoveryAuthenticateResponse, **discovery_fields(result))


@routes.post("/sdk/v1/b2b/passwords/discovery/reset/start")
@sdk_operation(
    "Send a password reset email (discovery)",
    rs.EmptyResponse,
    body=pw.PasswordDiscoveryResetStartRequest,
)
async def discovery_reset_start(
    request: web.Request, body: pw.PasswordDiscoveryResetStartRequest
) -> web.Response:
    flows.discovery_reset_start(
        project(request),
        email_address=body.email_address,
        reset_password_redirect_url=body.reset_password_redirect_url,
        discovery_redirect_url=body.discovery_redirect_url,
        reset_password_expiration_minutes=body.reset_password_expiration_minutes,
        pkce_code_challenge=body.pkce_code_challenge,
    )
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/passwords/discovery/reset")
@sdk_operation(
    "Reset a password by email (discovery)",
    rs.DiscoveryAuthenticateResponse,
    body=pw.PasswordDiscoveryResetRequest,
)
async def discovery_reset(
    request: web.Request, body: pw.PasswordDiscoveryResetRequest
) -> web.Response:
    result = flows.discovery_reset(
        project(request),
        password_reset_token=body.password_reset_token,
        password=body.password,
        pkce_code_verifier=body.pkce_code_verifier,
    )
    return data(request, rs.DiscoveryAuthenticateResponse, **discovery_fields(result))
