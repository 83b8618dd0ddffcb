"""``/sdk/v1/b2b/magic_links/...``: email magic links from the browser. The same domain calls
as ``/v1/b2b/magic_links/...``; the session, when there is one, comes from the Basic password,
the organization of an invite from the inviting member's session."""

from __future__ import annotations

from aiohttp import web

from ...domain import authorization, magic_links
from ...models import requests as rq
from ...models import responses as rs
from ...models import sdk
from .. import magic_links as backend
from ..common import project
from ..render import magic_link_result_fields
from .common import data, optional_session_token, sdk_operation
from .members import require_permission

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/magic_links/email/discovery/send")
@sdk_operation("Send a discovery magic link", rs.EmptyResponse, body=rq.DiscoverySendRequest)
async def discovery_send(request: web.Request, body: rq.DiscoverySendRequest) -> web.Response:
    backend.send_discovery(request, body)
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
    fields = backend.authenticate_discovery(request, body)
    return data(request, rs.DiscoveryAuthenticateResponse, **fields)


@routes.post("/sdk/v1/b2b/magic_links/email/login_or_signup")
@sdk_operation("Send a login or signup magic link", rs.EmptyResponse, body=rq.LoginOrSignupRequest)
async def login_or_signup(request: web.Request, body: rq.LoginOrSignupRequest) -> web.Response:
    backend.send_login_or_signup(request, body)
    # The SDK's answer is the base fields only (B2BMagicLinkLoginOrSignupResponse).
    return data(request, rs.EmptyResponse)


@routes.post("/sdk/v1/b2b/magic_links/email/invite")
@sdk_operation("Invite a member by magic link", rs.MemberResponse, body=sdk.InviteRequest)
async def invite(request: web.Request, body: sdk.InviteRequest) -> web.Response:
    proj = project(request)
    inviter, org = require_permission(request, authorization.authorize_member_create)
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
