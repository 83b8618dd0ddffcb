"""``/sdk/v1/b2b/magic_links/...``: email magic links from the browser. The same domain calls
as ``/v1/b2b/magic_links/...``; the session, when there is one, comes from the Basic password,
the organization of an invite from the inviting member's session."""

from __future__ import annotations

from aiohttp import web

from ...domain import discovery, magic_links
from ...models import requests as rq
from ...models import responses as rs
from ...models import sdk
from ..common import project
from ..render import discovery_result_fields, magic_link_result_fields
from .common import data, optional_session_token, sdk_operation
from .members import require_permission

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/magic_links/email/discovery/send")
@sdk_operation("Send a discovery magic link", rs.EmptyResponse, body=rq.DiscoverySendRequest)
async def discovery_send(request: web.Request, body: rq.DiscoverySendRequest) -> web.Response:
    discovery.send(
        project(request),
        email_address=body.email_address,
        discovery_redirect_url=body.discovery_redirect_url,
        pkce_code_challenge=body.pkce_code_challenge,
        discovery_expiration_minutes=body.discovery_expiration_minutes,
    )
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/magic_links/discovery/authenticate")
@sdk_operation(
    "Authenticate a discovery magic link",
    rs.DiscoveryAuthenticateResponse,
    body=rq.DiscoveryAuthenticateRequest,
)
async def discovery_authenticate(
    request: web.Request, body: rq.DiscoveryAuthenticateRequest
) -> web.Response:
    result = discovery.authenticate(
        project(request),
        discovery_magic_links_token=body.discovery_magic_links_token,
        pkce_code_verifier=body.pkce_code_verifier,
    )
    return data(request, rs.DiscoveryAuthenticateResponse, **discovery_result_fields(result))


@routes.post("/sdk/v1/b2b/magic_links/email/login_or_signup")
@sdk_operation("Send a login or signup magic link", rs.EmptyResponse, body=rq.LoginOrSignupRequest)
async def login_or_signup(request: web.Request, body: rq.LoginOrSignupRequest) -> web.Response:
    magic_links.login_or_signup(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        login_redirect_url=body.login_redirect_url,
        signup_redirect_url=body.signup_redirect_url,
        pkce_code_challenge=body.pkce_code_challenge,
        login_expiration_minutes=body.login_expiration_minutes,
        signup_expiration_minutes=body.signup_expiration_minutes,
    )
    # The SDK's answer is the base fields only (B2BMagicLinkLoginOrSignupResponse).
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/magic_links/email/invite")
@sdk_operation("Invite a member by magic link", rs.MemberResponse, body=sdk.InviteRequest)
async def invite(request: web.Request, body: sdk.InviteRequest) -> web.Response:
    proj = project(request)
    inviter, org = require_permission(request, "stytch.member", "create")
    member, org = magic_links.invite(
        proj,
        organization_id=org.organization_id,
        email_address=body.email_address,
        invite_redirect_url=body.invite_redirect_url,
        invited_by_member_id=inviter.member_id,
        name=body.name,
        trusted_metadata=None,
        untrusted_metadata=body.untrusted_metadata,
        roles=body.roles,
        invite_expiration_minutes=None,
    )
    return data(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.post("/sdk/v1/b2b/magic_links/authenticate")
@sdk_operation(
    "Authenticate an organization magic link",
    rs.MagicLinkAuthenticateResponse,
    body=sdk.MagicLinkAuthenticateRequest,
)
async def authenticate(
    request: web.Request, body: sdk.MagicLinkAuthenticateRequest
) -> web.Response:
    result = magic_links.authenticate(
        project(request),
        magic_links_token=body.magic_links_token,
        pkce_code_verifier=body.pkce_code_verifier,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
        intermediate_session_token=body.intermediate_session_token,
    )
    return data(
        request, rs.MagicLinkAuthenticateResponse, **await magic_link_result_fields(request, result)
    )
