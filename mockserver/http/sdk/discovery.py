"""``/sdk/v1/b2b/discovery/...``: the organizations an intermediate session (from the IST
cookie, sent in the body) or a session (Basic password) can enter, exchanging into one, and
creating one."""

from __future__ import annotations

from aiohttp import web

from ...domain import discovery
from ...models import requests as rq
from ...models import responses as rs
from ...models import sdk
from ..common import project
from ..render import auth_result_fields, discovered_organizations
from .common import data, optional_session_token, sdk_operation

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/discovery/organizations")
@sdk_operation(
    "List discovered organizations",
    rs.DiscoveredOrganizationsResponse,
    body=sdk.DiscoveredOrganizationsRequest,
)
async def list_organizations(
    request: web.Request, body: sdk.DiscoveredOrganizationsRequest
) -> web.Response:
    ist = body.intermediate_session_token
    email, found, hint = discovery.list_organizations(
        project(request),
        intermediate_session_token=ist,
        session_token=optional_session_token(request) if ist is None else None,
        session_jwt=None,
    )
    return data(
        request,
        rs.DiscoveredOrganizationsResponse,
        email_address=email,
        discovered_organizations=discovered_organizations(found),
        organization_id_hint=hint,
    )


@routes.post("/sdk/v1/b2b/discovery/intermediate_sessions/exchange")
@sdk_operation(
    "Exchange an intermediate session",
    rs.AuthResultResponse,
    body=sdk.IntermediateSessionExchangeRequest,
)
async def exchange(
    request: web.Request, body: sdk.IntermediateSessionExchangeRequest
) -> web.Response:
    # No IST (its cookie was lost, e.g. a plain-http page that is not localhost): the same 404
    # an unknown one gets.
    result = discovery.exchange(
        project(request),
        intermediate_session_token=body.intermediate_session_token or "",
        organization_id=body.organization_id,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
    )
    return data(request, rs.AuthResultResponse, **await auth_result_fields(request, result))


@routes.post("/sdk/v1/b2b/discovery/organizations/create")
@sdk_operation(
    "Create an organization via discovery", rs.AuthResultResponse, body=sdk.DiscoveryCreateRequest
)
async def create(request: web.Request, body: sdk.DiscoveryCreateRequest) -> web.Response:
    settings = body.model_dump(exclude_none=True, include=set(rq.OrganizationSettings.model_fields))
    result = discovery.create(
        project(request),
        intermediate_session_token=body.intermediate_session_token or "",
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
        organization_name=body.organization_name,
        organization_slug=body.organization_slug,
        **settings,
    )
    return data(request, rs.AuthResultResponse, **await auth_result_fields(request, result))
