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

from typing import Any

from aiohttp import web

from ...domain import authorization, members, rbac, search
from ...domain.entities import Member, Organization
from ...models import requests as rq
from ...models import responses as rs
from ...models import sdk
from ..common import project
from .common import data, sdk_operation, session_token

routes = web.RouteTableDef()

# Field of a member update -> the action it needs (on stytch.self for the member itself, on
# stytch.member for another one): the same table as the backend API's RBAC check.
MEMBER_FIELD_ACTIONS = authorization.MEMBER_UPDATE_ACTIONS


def caller(request: web.Request) -> tuple[Member, Organization]:
    """The member whose session the browser holds, and its organization."""
    found = _caller(request)
    return found.member, found.organization


def _caller(request: web.Request) -> authorization.Caller:
    return authorization.authenticate_caller(
        project(request), session_token=session_token(request), session_jwt=None
    )


def require_permission(
    request: web.Request, resource_id: str, *actions: str
) -> tuple[Member, Organization]:
    """The calling member and its organization, once the roles its session holds allow every
    one of ``actions`` on ``resource_id`` under the project's RBAC policy (403
    ``session_authorization_error`` otherwise)."""
    found = _caller(request)
    policy = project(request).rbac_policy.policy
    for action in actions:
        rbac.check(
            policy,
            found.organization,
            list(found.role_ids),
            organization_id=found.organization.organization_id,
            resource_id=resource_id,
            action=action,
        )
    return found.member, found.organization


def _actions(changes: dict[str, Any], table: dict[str, str]) -> list[str]:
    return sorted({table[name] for name in changes if name in table})


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
    member, org = require_permission(
        request, "stytch.self", *_actions(changes, MEMBER_FIELD_ACTIONS)
    )
    member, org = members.update_member(
        project(request), org.organization_id, member.member_id, changes
    )
    return _member(request, member, org)


@routes.post("/sdk/v1/b2b/organizations/members")
@sdk_operation("Create a member", rs.MemberResponse, body=rq.MemberCreateRequest)
async def create_member(request: web.Request, body: rq.MemberCreateRequest) -> web.Response:
    _, org = require_permission(request, "stytch.member", "create")
    fields = body.model_dump(exclude_none=True, exclude={"trusted_metadata", "external_id"})
    member = members.create_member(project(request), org.organization_id, **fields)
    return _member(request, member, org)


@routes.post("/sdk/v1/b2b/organizations/me/members/search")
@sdk_operation(
    "Search the organization's members", rs.MemberSearchResponse, body=sdk.MemberSearchRequest
)
async def search_members(request: web.Request, body: sdk.MemberSearchRequest) -> web.Response:
    _, org = require_permission(request, "stytch.member", "search")
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
    _, org = require_permission(request, "stytch.member", *_actions(changes, MEMBER_FIELD_ACTIONS))
    member, org = members.update_member(
        project(request), org.organization_id, request.match_info["member_id"], changes
    )
    return _member(request, member, org)


@routes.delete("/sdk/v1/b2b/organizations/members/{member_id}")
@sdk_operation("Delete a member", rs.MemberDeleteResponse)
async def delete_member(request: web.Request) -> web.Response:
    _, org = require_permission(request, "stytch.member", "delete")
    member_id = members.delete_member(
        project(request), org.organization_id, request.match_info["member_id"]
    )
    return data(request, rs.MemberDeleteResponse, member_id=member_id)


@routes.put("/sdk/v1/b2b/organizations/members/{member_id}/reactivate")
@sdk_operation("Reactivate a member", rs.MemberResponse)
async def reactivate_member(request: web.Request) -> web.Response:
    # [chosen] Stytch's RBAC model has no reactivate action; creating a member is the nearest.
    _, org = require_permission(request, "stytch.member", "create")
    member, org = members.reactivate_member(
        project(request), org.organization_id, request.match_info["member_id"]
    )
    return _member(request, member, org)
