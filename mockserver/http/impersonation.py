"""``/v1/b2b/impersonation/authenticate``, and ``POST /_mock/impersonation_tokens``: the mock's
stand-in for the Stytch Dashboard's "Impersonate Member" button, which mints the tokens."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..domain import impersonation
from ..domain.sessions import SessionGrant
from ..models import impersonation as m
from .common import operation, project, render
from .render import session_fields

routes = web.RouteTableDef()


async def authenticate_fields(request: web.Request, grant: SessionGrant) -> dict[str, Any]:
    """Always a full session: no intermediate session, no MFA (the SDK's
    ``AuthenticateResponse`` docstring)."""
    return {
        "member_id": grant.member.member_id,
        "organization_id": grant.organization.organization_id,
        "intermediate_session_token": "",
        "member_authenticated": True,
        **await session_fields(request, grant),
    }


@routes.post("/v1/b2b/impersonation/authenticate")
@operation(
    "Authenticate an impersonation token",
    m.ImpersonationAuthenticateResponse,
    body=m.ImpersonationAuthenticateRequest,
)
async def authenticate(
    request: web.Request, body: m.ImpersonationAuthenticateRequest
) -> web.Response:
    grant = impersonation.authenticate(
        project(request), impersonation_token=body.impersonation_token
    )
    return render(
        request, m.ImpersonationAuthenticateResponse, **await authenticate_fields(request, grant)
    )


@routes.post("/_mock/impersonation_tokens")
@operation(
    "[mock] Mint an impersonation token, as the Dashboard would",
    m.ImpersonationTokenResponse,
    body=m.ImpersonationTokenRequest,
)
async def mint(request: web.Request, body: m.ImpersonationTokenRequest) -> web.Response:
    token = impersonation.mint(
        project(request),
        organization_id=body.organization_id,
        member_id=body.member_id,
        impersonator_email_address=body.impersonator_email_address,
    )
    return render(
        request,
        m.ImpersonationTokenResponse,
        impersonation_token=token.token,
        organization_id=token.organization_id,
        member_id=token.member_id,
        impersonator_id=token.impersonator_id,
        impersonator_email_address=token.impersonator_email_address,
        expires_at=token.expires_at,
    )
