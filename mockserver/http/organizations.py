"""``/v1/b2b/organizations/...``: organizations and their members."""

from __future__ import annotations

from aiohttp import web

from ..domain import members, organizations, search
from ..models import requests as rq
from ..models import responses as rs
from .common import operation, project, render

routes = web.RouteTableDef()


def _results(total: int, next_cursor: str | None) -> dict[str, object]:
    return {"total": total, "next_cursor": next_cursor}


@routes.post("/v1/b2b/organizations")
@operation("Create an organization", rs.OrganizationResponse, body=rq.OrganizationCreateRequest)
async def create_organization(
    request: web.Request, body: rq.OrganizationCreateRequest
) -> web.Response:
    fields = body.model_dump(exclude_none=True)
    org = organizations.create_organization(project(request), **fields)
    return render(request, rs.OrganizationResponse, organization=org)


@routes.post("/v1/b2b/organizations/search")
@operation("Search organizations", rs.OrganizationSearchResponse, body=rq.OrganizationSearchRequest)
async def search_organizations(
    request: web.Request, body: rq.OrganizationSearchRequest
) -> web.Response:
    found, total, next_cursor = search.search_organizations(
        project(request),
        query=body.query.model_dump() if body.query else None,
        cursor=body.cursor,
        limit=body.limit,
    )
    return render(
        request,
        rs.OrganizationSearchResponse,
        organizations=found,
        results_metadata=_results(total, next_cursor),
    )


@routes.post("/v1/b2b/organizations/members/search")
@operation("Search members", rs.MemberSearchResponse, body=rq.MemberSearchRequest)
async def search_members(request: web.Request, body: rq.MemberSearchRequest) -> web.Response:
    found, total, next_cursor, by_org = search.search_members(
        project(request),
        organization_ids=body.organization_ids,
        query=body.query.model_dump() if body.query else None,
        cursor=body.cursor,
        limit=body.limit,
    )
    return render(
        request,
        rs.MemberSearchResponse,
        members=found,
        results_metadata=_results(total, next_cursor),
        organizations=by_org,
    )


@routes.get("/v1/b2b/organizations/members/dangerously_get/{member_id}")
@operation("Get a member by id alone", rs.MemberResponse, query=rq.DangerouslyGetQuery)
async def dangerously_get_member(
    request: web.Request, query: rq.DangerouslyGetQuery
) -> web.Response:
    member, org = members.dangerously_get_member(
        project(request), request.match_info["member_id"], query.include_deleted
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.get("/v1/b2b/organizations/{organization_id}")
@operation("Get an organization", rs.OrganizationResponse)
async def get_organization(request: web.Request) -> web.Response:
    org = project(request).organizations.get(request.match_info["organization_id"])
    return render(request, rs.OrganizationResponse, organization=org)


@routes.put("/v1/b2b/organizations/{organization_id}")
@operation("Update an organization", rs.OrganizationResponse, body=rq.OrganizationUpdateRequest)
async def update_organization(
    request: web.Request, body: rq.OrganizationUpdateRequest
) -> web.Response:
    org = organizations.update_organization(
        project(request), request.match_info["organization_id"], body.model_dump(exclude_none=True)
    )
    return render(request, rs.OrganizationResponse, organization=org)


@routes.delete("/v1/b2b/organizations/{organization_id}")
@operation("Delete an organization", rs.OrganizationDeleteResponse)
async def delete_organization(request: web.Request) -> web.Response:
    org_id = organizations.delete_organization(
        project(request), request.match_info["organization_id"]
    )
    return render(request, rs.OrganizationDeleteResponse, organization_id=org_id)


@routes.post("/v1/b2b/organizations/{organization_id}/members")
@operation("Create a member", rs.MemberResponse, body=rq.MemberCreateRequest)
async def create_member(request: web.Request, body: rq.MemberCreateRequest) -> web.Response:
    fields = body.model_dump(exclude_none=True)
    proj = project(request)
    member = members.create_member(proj, request.match_info["organization_id"], **fields)
    return render(
        request,
        rs.MemberResponse,
        member_id=member.member_id,
        member=member,
        organization=proj.organizations.get_by_id(member.organization_id),
    )


@routes.get("/v1/b2b/organizations/{organization_id}/member")
@operation("Get a member", rs.MemberResponse, query=rq.MemberGetQuery)
async def get_member(request: web.Request, query: rq.MemberGetQuery) -> web.Response:
    member, org = members.get_member_by_id_or_email(
        project(request),
        request.match_info["organization_id"],
        member_id=query.member_id,
        email_address=query.email_address,
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.put("/v1/b2b/organizations/{organization_id}/members/{member_id}")
@operation("Update a member", rs.MemberResponse, body=rq.MemberUpdateRequest)
async def update_member(request: web.Request, body: rq.MemberUpdateRequest) -> web.Response:
    member, org = members.update_member(
        project(request),
        request.match_info["organization_id"],
        request.match_info["member_id"],
        body.model_dump(exclude_none=True),
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.delete("/v1/b2b/organizations/{organization_id}/members/{member_id}")
@operation("Delete a member", rs.MemberDeleteResponse)
async def delete_member(request: web.Request) -> web.Response:
    member_id = members.delete_member(
        project(request), request.match_info["organization_id"], request.match_info["member_id"]
    )
    return render(request, rs.MemberDeleteResponse, member_id=member_id)


@routes.put("/v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate")
@operation("Reactivate a member", rs.MemberResponse)
async def reactivate_member(request: web.Request) -> web.Response:
    member, org = members.reactivate_member(
        project(request), request.match_info["organization_id"], request.match_info["member_id"]
    )
    return render(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )
