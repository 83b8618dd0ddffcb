"""``/v1/b2b/rbac/...``: the project's RBAC policy (which the SDKs fetch for their local
checks) and an organization's own roles."""

from __future__ import annotations

from aiohttp import web

from ..domain import rbac
from ..models import responses as rs
from ..models.rbac import SetOrgPolicyRequest
from .common import operation, project, render

routes = web.RouteTableDef()


@routes.get("/v1/b2b/rbac/policy")
@operation("Get the RBAC policy", rs.PolicyResponse)
async def rbac_policy(request: web.Request) -> web.Response:
    return render(request, rs.PolicyResponse, policy=project(request).rbac_policy.policy.document())


@routes.get("/v1/b2b/rbac/organizations/{organization_id}")
@operation("Get an organization's RBAC policy", rs.OrgPolicyResponse)
async def get_org_policy(request: web.Request) -> web.Response:
    org = project(request).organizations.get(request.match_info["organization_id"])
    return render(request, rs.OrgPolicyResponse, org_policy={"roles": org.custom_roles})


@routes.put("/v1/b2b/rbac/organizations/{organization_id}")
@operation("Set an organization's RBAC policy", rs.OrgPolicyResponse, body=SetOrgPolicyRequest)
async def set_org_policy(request: web.Request, body: SetOrgPolicyRequest) -> web.Response:
    org = rbac.set_org_policy(
        project(request),
        request.match_info["organization_id"],
        body.org_policy.model_dump()["roles"],
    )
    return render(request, rs.OrgPolicyResponse, org_policy={"roles": org.custom_roles})
