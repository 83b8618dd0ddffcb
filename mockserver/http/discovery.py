"""``/v1/b2b/discovery/...``: discovered organizations, intermediate-session exchange, and
creating an organization from an intermediate session."""

from __future__ import annotations

from aiohttp import web

from ..domain import discovery
from ..models import requests as rq
from ..models import responses as rs
from .common import operation, project, render
from .render import auth_result_fields, discovered_organizations

routes = web.RouteTableDef()


@routes.post("/v1/b2b/discovery/organizations")
@operation(
    "List discovered organizations",
    rs.DiscoveredOrganizationsResponse,
    body=rq.DiscoveredOrganizationsRequest,
)
async def list_organizations(
    request: web.Request, body: rq.DiscoveredOrganizationsRequest
) -> web.Response:
    email, found, hint = discovery.list_organizations(
        project(request),
        intermediate_session_token=body.intermediate_session_token,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
    )
    return render(
        request,
        rs.DiscoveredOrganizationsResponse,
        email_address=email,
        discovered_organizations=discovered_organizations(found),
        organization_id_hint=hint,
    )


@routes.post("/v1/b2b/discovery/intermediate_sessions/exchange")
@operation(
    "Exchange an intermediate session",
    rs.AuthResultResponse,
    body=rq.IntermediateSessionExchangeRequest,
)
async def exchange(
    request: web.Request, body: rq.IntermediateSessionExchangeRequest
) -> web.Response:
    proj = project(request)
    result = discovery.exchange(
        proj,
        intermediate_session_token=body.intermediate_session_token,
        organization_id=body.organization_id,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
    )
    return render(request, rs.AuthResultResponse, **await auth_result_fields(request, result))


@routes.post("/v1/b2b/discovery/organizations/create")
@operation(
    "Create an organization via discovery", rs.AuthResultResponse, body=rq.DiscoveryCreateRequest
)
async def create(request: web.Request, body: rq.DiscoveryCreateRequest) -> web.Response:
    proj = project(request)
    # The organization's settings are the fields the request shares with organizations/create.
    settings = body.model_dump(exclude_none=True, include=set(rq.OrganizationSettings.model_fields))
    result = discovery.create(
        proj,
        intermediate_session_token=body.intermediate_session_token,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
        organization_name=body.organization_name,
        organization_slug=body.organization_slug,
        **settings,
    )
    return render(request, rs.AuthResultResponse, **await auth_result_fields(request, result))
