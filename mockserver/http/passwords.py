"""``/v1/b2b/passwords/...``: password sign-in, strength, resets, migration and discovery;
``DELETE …/members/passwords/{member_password_id}``; and the mock's
``/_mock/password_policy`` (the Dashboard's password settings, per project)."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from ..domain import authorization as authz
from ..domain.passwords import flows
from ..domain.passwords.policy import PasswordPolicy
from ..models import passwords as pw
from ..models.responses import AuthResultResponse, DiscoveryAuthenticateResponse, EmptyResponse
from .authorization import member_authorization
from .common import operation, project, render, validation_error
from .render import auth_result_fields, discovery_fields, session_fields

routes = web.RouteTableDef()


@routes.post("/v1/b2b/passwords/strength_check")
@operation(
    "Check a password's strength",
    pw.PasswordStrengthCheckResponse,
    body=pw.PasswordStrengthCheckRequest,
)
async def strength_check(
    request: web.Request, body: pw.PasswordStrengthCheckRequest
) -> web.Response:
    result = flows.check_strength(project(request), body.password, body.email_address)
    return render(request, pw.PasswordStrengthCheckResponse, **asdict(result))


@routes.post("/v1/b2b/passwords/authenticate")
@operation(
    "Authenticate a password", pw.PasswordAuthenticateResponse, body=pw.PasswordAuthenticateRequest
)
async def authenticate(request: web.Request, body: pw.PasswordAuthenticateRequest) -> web.Response:
    result = flows.authenticate(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        password=body.password,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
        intermediate_session_token=body.intermediate_session_token,
    )
    return render(
        request,
        pw.PasswordAuthenticateResponse,
        organization_id=result.organization.organization_id,
        **await auth_result_fields(request, result),
    )


@routes.post("/v1/b2b/passwords/email/reset/start")
@operation(
    "Send a password reset email",
    pw.PasswordEmailResetStartResponse,
    body=pw.PasswordEmailResetStartRequest,
)
async def reset_start(
    request: web.Request, body: pw.PasswordEmailResetStartRequest
) -> web.Response:
    member = flows.reset_start(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        reset_password_redirect_url=body.reset_password_redirect_url,
        reset_password_expiration_minutes=body.reset_password_expiration_minutes,
        code_challenge=body.code_challenge,
        login_redirect_url=body.login_redirect_url,
    )
    return render(
        request,
        pw.PasswordEmailResetStartResponse,
        member_id=member.member_id,
        member_email_id=member.email_id,
        member=member,
    )


@routes.post("/v1/b2b/passwords/email/reset")
@operation(
    "Reset a password by email", pw.PasswordEmailResetResponse, body=pw.PasswordEmailResetRequest
)
async def reset(request: web.Request, body: pw.PasswordEmailResetRequest) -> web.Response:
    result = flows.reset(
        project(request),
        password_reset_token=body.password_reset_token,
        password=body.password,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        code_verifier=body.code_verifier,
        session_custom_claims=body.session_custom_claims,
        intermediate_session_token=body.intermediate_session_token,
    )
    return render(
        request,
        pw.PasswordEmailResetResponse,
        organization_id=result.organization.organization_id,
        member_email_id=result.member.email_id,
        **await auth_result_fields(request, result),
    )


@routes.post("/v1/b2b/passwords/email/require_reset")
@operation(
    "Require a password reset", pw.PasswordRequireResetResponse, body=pw.PasswordRequireResetRequest
)
async def require_reset(request: web.Request, body: pw.PasswordRequireResetRequest) -> web.Response:
    member, org = flows.require_reset(
        project(request),
        email_address=body.email_address,
        organization_id=body.organization_id,
        member_id=body.member_id,
    )
    fields = {} if member is None else {"member_id": member.member_id, "member": member}
    return render(request, pw.PasswordRequireResetResponse, organization=org, **fields)


@routes.post("/v1/b2b/passwords/existing_password/reset")
@operation(
    "Reset a password with the existing one",
    AuthResultResponse,
    body=pw.ExistingPasswordResetRequest,
)
async def existing_password_reset(
    request: web.Request, body: pw.ExistingPasswordResetRequest
) -> web.Response:
    result = flows.existing_password_reset(
        project(request),
        email_address=body.email_address,
        existing_password=body.existing_password,
        new_password=body.new_password,
        organization_id=body.organization_id,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
    )
    return render(request, AuthResultResponse, **await auth_result_fields(request, result))


@routes.post("/v1/b2b/passwords/session/reset")
@operation(
    "Reset a password with a session",
    pw.PasswordSessionResetResponse,
    body=pw.PasswordSessionResetRequest,
)
async def session_reset(request: web.Request, body: pw.PasswordSessionResetRequest) -> web.Response:
    grant = flows.session_reset(
        project(request),
        organization_id=body.organization_id,
        password=body.password,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
    )
    return render(
        request,
        pw.PasswordSessionResetResponse,
        member_id=grant.member.member_id,
        intermediate_session_token="",
        member_authenticated=True,
        **await session_fields(request, grant),
    )


@routes.post("/v1/b2b/passwords/migrate")
@operation("Migrate a password hash", pw.PasswordMigrateResponse, body=pw.PasswordMigrateRequest)
async def migrate(request: web.Request, body: pw.PasswordMigrateRequest) -> web.Response:
    configs = {
        name: value.model_dump()
        for name in pw.HASH_CONFIGS
        if (value := getattr(body, name)) is not None
    }
    member, created, org = flows.migrate(
        project(request),
        email_address=body.email_address,
        hash=body.hash,
        hash_type=body.hash_type,
        organization_id=body.organization_id,
        configs=configs,
        name=body.name,
        trusted_metadata=body.trusted_metadata,
        untrusted_metadata=body.untrusted_metadata,
        roles=body.roles,
        mfa_phone_number=body.mfa_phone_number,
        set_phone_number_verified=body.set_phone_number_verified,
        external_id=body.external_id,
    )
    return render(
        request,
        pw.PasswordMigrateResponse,
        member_id=member.member_id,
        member_created=created,
        member=member,
        organization=org,
    )


@routes.delete("/v1/b2b/organizations/{organization_id}/members/passwords/{member_password_id}")
@operation("Delete a member's password", pw.DeletePasswordResponse)
@member_authorization(authz.member_action("update.info.delete.password"))
async def delete_password(request: web.Request) -> web.Response:
    member, org = flows.delete_password(
        project(request),
        organization_id=request.match_info["organization_id"],
        member_password_id=request.match_info["member_password_id"],
    )
    return render(
        request,
        pw.DeletePasswordResponse,
        member_id=member.member_id,
        member=member,
        organization=org,
    )


# --- discovery (cross-organization passwords) ---------------------------------------------


async def _discovery(request: web.Request, result: flows.DiscoveryResult) -> web.Response:
    return render(
        request,
        DiscoveryAuthenticateResponse,
        **discovery_fields(result),
    )


@routes.post("/v1/b2b/passwords/discovery/authenticate")
@operation(
    "Authenticate a password (discovery)",
    DiscoveryAuthenticateResponse,
    body=pw.PasswordDiscoveryAuthenticateRequest,
)
async def discovery_authenticate(
    request: web.Request, body: pw.PasswordDiscoveryAuthenticateRequest
) -> web.Response:
    result = flows.discovery_authenticate(
        project(request), email_address=body.email_address, password=body.password
    )
    return await _discovery(request, result)


@routes.post("/v1/b2b/passwords/discovery/email/reset/start")
@operation(
    "Send a password reset email (discovery)",
    EmptyResponse,
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
    return render(request, EmptyResponse)


@routes.post("/v1/b2b/passwords/discovery/email/reset")
@operation(
    "Reset a password by email (discovery)",
    DiscoveryAuthenticateResponse,
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
    return await _discovery(request, result)


# --- the mock's control API -------------------------------------------------------------------


# Any of the policy's fields; those not sent keep their value.
PolicyChange = create_model(  # type: ignore[call-overload]
    "PolicyChange",
    __config__=ConfigDict(extra="forbid", strict=True),
    **{
        name: (info.annotation | None, None)  # type: ignore[operator]
        for name, info in PasswordPolicy.model_fields.items()
    },
)


def _policy(request: web.Request) -> web.Response:
    policy = flows.policy(project(request))
    return render(request, pw.PasswordPolicyResponse, password_policy=policy.model_dump())


@routes.get("/_mock/password_policy")
@operation("[mock] Read the project's password policy", pw.PasswordPolicyResponse)
async def get_policy(request: web.Request) -> web.Response:
    return _policy(request)


@routes.post("/_mock/password_policy")
@operation(
    "[mock] Change the project's password policy", pw.PasswordPolicyResponse, body=PolicyChange
)
async def change_policy(request: web.Request, body: BaseModel) -> web.Response:
    try:
        flows.set_policy(project(request), body.model_dump(exclude_none=True))
    except ValidationError as exc:
        raise validation_error(exc) from None
    return _policy(request)
