"""``/sdk/v1/b2b/organizations/...``: the logged-in member's organization (get, update as far
as its roles allow, delete), and finding an organization by slug on a login page."""

from __future__ import annotations

from aiohttp import web

from ...domain import authorization, organizations
from ...models import requests as rq
from ...models import responses as rs
from ...models import sdk
from ..common import project
from .common import data, sdk_operation
from .members import caller, require_permission

routes = web.RouteTableDef()

# Field of an organization update -> the action it needs on stytch.organization: the backend
# API's table (the same action names as the SDK's admin portal,
# https://github.com/stytchauth/stytch-browser/blob/main/packages/web/src/adminPortal/utils/useRbac.ts).
# [chosen] Fields the frontend SDK cannot set (trusted metadata, external id, claimed
# domains...) are not in the table and are ignored, like any unknown field.
ORGANIZATION_FIELD_ACTIONS = authorization.ORGANIZATION_UPDATE_ACTIONS


@routes.get("/sdk/v1/b2b/organizations/me")
@sdk_operation("Get the logged-in member's organization", rs.OrganizationResponse)
async def get_organization(request: web.Request) -> web.Response:
    _, org = caller(request)
    return data(request, rs.OrganizationResponse, organization=org)


@routes.put("/sdk/v1/b2b/organizations/me")
@sdk_operation(
    "Update the logged-in member's organization",
    rs.OrganizationResponse,
    body=rq.OrganizationUpdateRequest,
)
async def update_organization(
    request: web.Request, body: rq.OrganizationUpdateRequest
) -> web.Response:
    changes = {
        k: v
        for k, v in body.model_dump(exclude_none=True).items()
        if k in ORGANIZATION_FIELD_ACTIONS
    }
    _, org = require_permission(request, authorization.authorize_organization_update, body=changes)
    org = organizations.update_organization(project(request), org.organization_id, changes)
    return data(request, rs.OrganizationResponse, organization=org)


@routes.delete("/sdk/v1/b2b/organizations/me")
@sdk_operation("Delete the logged-in member's organization", rs.OrganizationDeleteResponse)
async def delete_organization(request: web.Request) -> web.Response:
    _, org = require_permission(
        request, authorization.organization_action(authorization.ORGANIZATION, "delete")
    )
    org_id = organizations.delete_organization(project(request), org.organization_id)
    return data(request, rs.OrganizationDeleteResponse, organization_id=org_id)


@routes.post("/sdk/v1/b2b/organizations/search")
@sdk_operation(
    "Find an organization by slug",
    sdk.OrganizationBySlugResponse,
    body=sdk.OrganizationBySlugRequest,
)
async def get_by_slug(request: web.Request, body: sdk.OrganizationBySlugRequest) -> web.Response:
    proj = project(request)
    org_id = proj.organizations.slug_owner(body.organization_slug)
    org = proj.organizations.find_by_id(org_id) if org_id else None
    # No match is an explicit ``organization: null`` (B2BOrganizationsGetBySlugResponse).
    return data(request, sdk.OrganizationBySlugResponse, keep_nulls=org is None, organization=org)
