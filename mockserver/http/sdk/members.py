"""``/sdk/v1/b2b/organizations/members/...``: the logged-in member itself (``self``) and, as
far as its roles allow, the other members of its organization.

Every change is checked against the member's roles first, with the resources and actions of
Stytch's RBAC model (``stytch.self``, ``stytch.member``; the action names as the SDK's admin
portal asks for them,
https://github.com/stytchauth/stytch-browser/blob/main/packages/web/src/adminPortal/utils/useRbac.ts
): a refused call
is 403 ``session_authorization_error`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ...domain import authorization, members, search
from ...domain.entities import Member, Organization
from ...models import requests as rq
from ...models import responses as rs
from ...models import sdk
from ..common import project
from .common import data, sdk_operation, session_token

routes = web.RouteTableDef()


def caller(request: web.Request) -> tuple[Member, Organization]:
    """The member whose session the browser holds, and its organization."""
    found = _caller(request)
    return found.member, found.organization


def _caller(request: web.Request) -> authorization.Caller:
    return authorization.authenticate_caller(
        project(request), session_token=session_token(request), session_jwt=None
    )


def require_permission(
    request: web.Request,
    rule: authorization.Rule,
    *,
    path: Mapping[str, str] | None = None,
    body: Mapping[str, Any] | None = None,
) -> tuple[Member, Organization]:
    """The calling member and its organization, once ``rule`` (the backend's member-session
    rule for the same operation, domain/authorization.py) allows the call on the caller's own
    organization: 403 ``session_authorization_error`` and the rules' other refusals
    otherwise."""
    found = _caller(request)
    where = {"organization_id": found.organization.organization_id, **(path or {})}
    rule(project(request), found, where, body or {})
    return found.member, found.organization


def _member(request: web.Request, member: Member, org: Organization) -> web.Response:
    return data(
        request, rs.MemberResponse, member_id=member.member_id, member=member, organization=org
    )


@routes.get("/sdk/v1/b2b/organizations/members/me")
@sdk_operation("Get the logged-in member", sdk.SelfResponse)
async def get_self(request: web.Request) -> web.Response:
    member, _ = caller(request)
    return data(request, sdk.SelfResponse, member=member)


@routes.put("/sdk/v1/b2b/organizations/members/update")
@sdk_operation("Update the logged-in member", rs.MemberResponse, body=sdk.SelfUpdateRequest)
async def update_self(request: web.Request, body: sdk.SelfUpdateRequest) -> web.Response:
    changes = body.model_dump(exclude_none=True)
    me, _ = caller(request)
    member, org = require_permission(
        request,
        authorization.authorize_member_update,
        path={"member_id": me.member_id},
        body=changes,
    )
    member, org = members.update_member(
        project(request), org.organization_id, member.member_id, changes
    )
    return _member(request, member, org)


@routes.post("/sdk/v1/b2b/organizations/members")
@sdk_operation("Create a member", rs.MemberResponse, body=rq.MemberCreateRequest)
async def create_member(request: web.Request, body: rq.MemberCreateRequest) -> web.Response:
    fields = body.model_dump(exclude_none=True, exclude={"trusted_metadata", "external_id"})
    _, org = require_permission(request, authorization.authorize_member_create)
    member = members.create_member(project(request), org.organization_id, **fields)
    return _member(request, member, org)


@routes.post("/sdk/v1/b2b/organizations/me/members/search")
@sdk_operation(
    "Search the organization's members", rs.MemberSearchResponse, body=sdk.MemberSearchRequest
)
async def search_members(request: web.Request, body: sdk.MemberSearchRequest) -> web.Response:
    _, org = require_permission(request, authorization.authorize_member_search)
    found, total, next_cursor, by_org = search.search_members(
        project(request),
        organization_ids=[org.organization_id],
        query=body.query.model_dump() if body.query else None,
        cursor=body.cursor,
        limit=body.limit,
    )
    return data(
        request,
        rs.MemberSearchResponse,
        members=found,
        results_metadata={"total": total, "next_cursor": next_cursor},
        organizations=by_org,
    )


@routes.put("/sdk/v1/b2b/organizations/members/{member_id}")
@sdk_operation("Update a member", rs.MemberResponse, body=rq.MemberUpdateRequest)
async def update_member(request: web.Request, body: rq.MemberUpdateRequest) -> web.Response:
    changes = body.model_dump(exclude_none=True, exclude={"trusted_metadata", "external_id"})
    _, org = require_permission(
        request,
        authorization.authorize_member_update,
        path={"member_id": request.match_info["member_id"]},
        body=changes,
    )
    member, org = members.update_member(
        project(request), org.organization_id, request.match_info["member_id"], changes
    )
    return _member(request, member, org)


@routes.delete("/sdk/v1/b2b/organizations/members/{member_id}")
@sdk_operation("Delete a member", rs.MemberDeleteResponse)
async def delete_member(request: web.Request) -> web.Response:
    _, org = require_permission(
        request,
        authorization.member_action("delete"),
        path={"member_id": request.match_info["member_id"]},
    )
    member_id = members.delete_member(
        project(request), org.organization_id, request.match_info["member_id"]
    )
    return data(request, rs.MemberDeleteResponse, member_id=member_id)


@routes.put("/sdk/v1/b2b/organizations/members/{member_id}/reactivate")
@sdk_operation("Reactivate a member", rs.MemberResponse)
async def reactivate_member(request: web.Request) -> web.Response:
    # The backend's rule: reactivating is a stytch.member create.
    _, org = require_permission(request, authorization.authorize_member_create)
    member, org = members.reactivate_member(
        project(request), org.organization_id, request.match_info["member_id"]
    )
    return _member(request, member, org)
