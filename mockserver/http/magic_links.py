"""``/v1/b2b/magic_links/...``: discovery and organization email magic links."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..domain import authorization as authz
from ..domain import discovery, magic_links
from ..domain.entities import Member, Organization
from ..models import requests as rq
from ..models import responses as rs
from .authorization import member_authorization
from .common import operation, project, render
from .render import discovery_fields, magic_link_result_fields

routes = web.RouteTableDef()

# The domain calls of the routes the frontend SDK shares (http/sdk/magic_links.py), whose
# bodies are the same; each family renders the answer its own way.


def send_discovery(request: web.Request, body: rq.DiscoverySendRequest) -> None:
    discovery.send(
        project(request),
        email_address=body.email_address,
        discovery_redirect_url=body.discovery_redirect_url,
        pkce_code_challenge=body.pkce_code_challenge,
        discovery_expiration_minutes=body.discovery_expiration_minutes,
    )


def authenticate_discovery(
    request: web.Request, body: rq.DiscoveryAuthenticateRequest
) -> dict[str, Any]:
    result = discovery.authenticate(
        project(request),
        discovery_magic_links_token=body.discovery_magic_links_token,
        pkce_code_verifier=body.pkce_code_verifier,
    )
    return discovery_fields(result)


def send_login_or_signup(
    request: web.Request, body: rq.LoginOrSignupRequest
) -> tuple[Member, bool, Organization]:
    return magic_links.login_or_signup(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        login_redirect_url=body.login_redirect_url,
        signup_redirect_url=body.signup_redirect_url,
        pkce_code_challenge=body.pkce_code_challenge,
        login_expiration_minutes=body.login_expiration_minutes,
        signup_expiration_minutes=body.signup_expiration_minutes,
    )


@routes.post("/v1/b2b/magic_links/email/discovery/send")
@operation("Send a discovery magic link", rs.EmptyResponse, body=rq.DiscoverySendRequest)
async def discovery_send(request: web.Request, body: rq.DiscoverySendRequest) -> web.Response:
    send_discovery(request, body)
    return render(request, rs.EmptyResponse)


@routes.post("/v1/b2b/magic_links/discovery/authenticate")
@operation(
    "Authenticate a discovery magic link",
    rs.DiscoveryAuthenticateResponse,
    body=rq.DiscoveryAuthenticateRequest,
)
async def discovery_authenticate(
    request: web.Request, body: rq.DiscoveryAuthenticateRequest
) -> web.Response:
    fields = authenticate_discovery(request, body)
    return render(request, rs.DiscoveryAuthenticateResponse, **fields)


@routes.post("/v1/b2b/magic_links/email/login_or_signup")
@operation(
    "Send a login or signup magic link", rs.LoginOrSignupResponse, body=rq.LoginOrSignupRequest
)
async def login_or_signup(request: web.Request, body: rq.LoginOrSignupRequest) -> web.Response:
    member, created, org = send_login_or_signup(request, body)
    return render(
        request,
        rs.LoginOrSignupResponse,
        member_id=member.member_id,
        member_created=created,
        member=member,
        organization=org,
    )


@routes.post("/v1/b2b/magic_links/email/invite")
@operation("Send an invite magic link", rs.MemberResponse, body=rq.InviteRequest)
@member_authorization(authz.authorize_invite)
async def invite(request: web.Request, body: rq.InviteRequest) -> web.Response:
    member, org = magic_links.invite(
        project(request),
        organization_id=body.organization_id,
        email_address=body.email_address,
        invite_redirect_url=body.invite_redirect_url,
        invited_by_member_id=body.invited_by_member_id,
        name=body.name,
        trusted_metadata=body.trusted_metadata,
        untrusted_metadata=body.untrusted_metadata,
        roles=body.roles,
        invite_expiration_minutes=body.invite_expiration_minutes,
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.post("/v1/b2b/magic_links/authenticate")
@operation(
    "Authenticate an organization magic link",
    rs.MagicLinkAuthenticateResponse,
    body=rq.MagicLinkAuthenticateRequest,
)
async def authenticate(request: web.Request, body: rq.MagicLinkAuthenticateRequest) -> web.Response:
    proj = project(request)
    result = magic_links.authenticate(
        proj,
        magic_links_token=body.magic_links_token,
        pkce_code_verifier=body.pkce_code_verifier,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
        intermediate_session_token=body.intermediate_session_token,
    )
    return render(
        request, rs.MagicLinkAuthenticateResponse, **await magic_link_result_fields(request, result)
    )
