"""``/v1/b2b/scim/{organization_id}/connection...``: an organization's SCIM connection.

Paths and bodies are the Python SDK's (``stytch/b2b/api/scim_connection.py``). Every call
accepts the member-session headers (RBAC on ``stytch.scim``: ``create``, ``get``, ``update``,
``delete``; a token rotation is an ``update``, per the ``@rbac`` annotations of stytch-browser's
``packages/core/src/public/b2b/scim.ts``). The connection's ``base_url`` is on the address the
request came to (or ``--public-url``): the SCIM 2.0 routes an IdP calls there are
:mod:`mockserver.http.scim_protocol`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..domain import authorization as authz
from ..domain import scim
from ..domain.project import Project
from ..domain.stores.scim import SCIMConnection
from ..models import scim as ms
from .authorization import member_authorization
from .browser_routes import base_url
from .common import operation, project, render

routes = web.RouteTableDef()

CONNECTION = "/v1/b2b/scim/{organization_id}/connection"
ONE = CONNECTION + "/{connection_id}"


def _ids(request: web.Request) -> tuple[str, str]:
    return request.match_info["organization_id"], request.match_info["connection_id"]


def connection_fields(proj: Project, conn: SCIMConnection, **extra: Any) -> dict[str, Any]:
    """The connection as the SDK's SCIMConnection* objects read it (the group role
    assignments with their group names)."""
    return {
        "organization_id": conn.organization_id,
        "connection_id": conn.connection_id,
        "status": conn.status,
        "display_name": conn.display_name,
        "identity_provider": conn.identity_provider,
        "base_url": conn.base_url,
        "bearer_token_last_four": conn.bearer_token_last_four,
        "bearer_token_expires_at": conn.bearer_token_expires_at,
        "next_bearer_token_last_four": conn.next_bearer_token_last_four,
        "next_bearer_token_expires_at": conn.next_bearer_token_expires_at,
        "scim_group_implicit_role_assignments": scim.role_assignments(proj, conn),
        **extra,
    }


@routes.post(CONNECTION)
@operation(
    "Create a SCIM connection",
    ms.CreateSCIMConnectionResponse,
    body=ms.CreateSCIMConnectionRequest,
)
@member_authorization(authz.organization_action("stytch.scim", "create"))
async def create(request: web.Request, body: ms.CreateSCIMConnectionRequest) -> web.Response:
    proj = project(request)
    conn, token = scim.create_connection(
        proj,
        base_url(request),
        request.match_info["organization_id"],
        display_name=body.display_name,
        identity_provider=body.identity_provider,
    )
    fields = connection_fields(proj, conn, bearer_token=token)
    return render(request, ms.CreateSCIMConnectionResponse, connection=fields)


@routes.get(CONNECTION)
@operation("Get an organization's SCIM connection", ms.SCIMConnectionResponse)
@member_authorization(authz.organization_action("stytch.scim", "get"))
async def get(request: web.Request) -> web.Response:
    proj = project(request)
    conn = scim.get_connection(proj, request.match_info["organization_id"])
    fields = connection_fields(proj, conn) if conn is not None else None
    return render(request, ms.SCIMConnectionResponse, connection=fields)


@routes.put(ONE)
@operation(
    "Update a SCIM connection",
    ms.SCIMConnectionResponse,
    body=ms.UpdateSCIMConnectionRequest,
)
@member_authorization(authz.organization_action("stytch.scim", "update"))
async def update(request: web.Request, body: ms.UpdateSCIMConnectionRequest) -> web.Response:
    proj = project(request)
    organization_id, connection_id = _ids(request)
    assignments = body.scim_group_implicit_role_assignments
    conn = scim.update_connection(
        proj,
        organization_id,
        connection_id,
        display_name=body.display_name,
        identity_provider=body.identity_provider,
        scim_group_implicit_role_assignments=(
            [a.model_dump() for a in assignments] if assignments is not None else None
        ),
    )
    return render(request, ms.SCIMConnectionResponse, connection=connection_fields(proj, conn))


@routes.delete(ONE)
@operation("Delete a SCIM connection", ms.DeleteSCIMConnectionResponse)
@member_authorization(authz.organization_action("stytch.scim", "delete"))
async def delete(request: web.Request) -> web.Response:
    deleted = scim.delete_connection(project(request), *_ids(request))
    return render(request, ms.DeleteSCIMConnectionResponse, connection_id=deleted)


@routes.get(ONE)
@operation(
    "List the groups of a SCIM connection", ms.GetSCIMGroupsResponse, query=ms.GetSCIMGroupsQuery
)
@member_authorization(authz.organization_action("stytch.scim", "get"))
async def get_groups(request: web.Request, query: ms.GetSCIMGroupsQuery) -> web.Response:
    page, next_cursor = scim.get_groups(
        project(request), *_ids(request), cursor=query.cursor, limit=query.limit
    )
    return render(request, ms.GetSCIMGroupsResponse, scim_groups=page, next_cursor=next_cursor)


@routes.post(ONE + "/rotate/start")
@operation("Start a SCIM bearer token rotation", ms.RotateStartSCIMConnectionResponse)
@member_authorization(authz.organization_action("stytch.scim", "update"))
async def rotate_start(request: web.Request) -> web.Response:
    proj = project(request)
    conn, token = scim.rotate_start(proj, *_ids(request))
    fields = connection_fields(proj, conn, next_bearer_token=token)
    return render(request, ms.RotateStartSCIMConnectionResponse, connection=fields)


@routes.post(ONE + "/rotate/complete")
@operation("Complete a SCIM bearer token rotation", ms.SCIMConnectionResponse)
@member_authorization(authz.organization_action("stytch.scim", "update"))
async def rotate_complete(request: web.Request) -> web.Response:
    proj = project(request)
    conn = scim.rotate_complete(proj, *_ids(request))
    return render(request, ms.SCIMConnectionResponse, connection=connection_fields(proj, conn))


@routes.post(ONE + "/rotate/cancel")
@operation("Cancel a SCIM bearer token rotation", ms.SCIMConnectionResponse)
@member_authorization(authz.organization_action("stytch.scim", "update"))
async def rotate_cancel(request: web.Request) -> web.Response:
    proj = project(request)
    conn = scim.rotate_cancel(proj, *_ids(request))
    return render(request, ms.SCIMConnectionResponse, connection=connection_fields(proj, conn))
