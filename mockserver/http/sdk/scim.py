"""``/sdk/v1/b2b/scim/...``: the organization's SCIM connection as Stytch's admin portal
manages it (``HeadlessB2BSCIMClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).

The backend's domain calls (http/scim.py) on the organization of the member whose session the
browser holds, once its roles allow the action on ``stytch.scim`` that the SDK's ``@rbac``
annotations name (``packages/core/src/public/b2b/scim.ts``: ``create``, ``get``, ``update``,
``delete``; a token rotation is an ``update``); a refused call is 403
``session_authorization_error`` and changes nothing. The bearer token is shown once, by create
(and the next one by rotate start). Another organization's connection id is not found, as on
the backend. The connection is the backend's ``connection_fields`` rendered by the SDK's types
(its group role assignments without ``group_name``, models/sdk_factors.py).
"""

from __future__ import annotations

from aiohttp import web

from ...domain import authorization, scim
from ...models import scim as ms
from ...models import sdk_factors as sf
from ..browser_routes import base_url
from ..common import project
from ..scim import connection_fields
from .common import data, sdk_operation
from .members import require_permission

routes = web.RouteTableDef()

SCIM = "/sdk/v1/b2b/scim"


def _organization_id(request: web.Request, action: str) -> str:
    """The caller's organization, once ``action`` on ``stytch.scim`` is allowed."""
    _, org = require_permission(request, authorization.organization_action("stytch.scim", action))
    return org.organization_id


@routes.post(SCIM)
@sdk_operation(
    "Create the organization's SCIM connection",
    sf.SdkCreateSCIMConnectionResponse,
    body=ms.CreateSCIMConnectionRequest,
)
async def create(request: web.Request, body: ms.CreateSCIMConnectionRequest) -> web.Response:
    proj = project(request)
    conn, token = scim.create_connection(
        proj,
        base_url(request),
        _organization_id(request, "create"),
        display_name=body.display_name,
        identity_provider=body.identity_provider,
    )
    fields = connection_fields(proj, conn, bearer_token=token)
    return data(request, sf.SdkCreateSCIMConnectionResponse, connection=fields)


@routes.get(SCIM)
@sdk_operation("Get the organization's SCIM connection", sf.SdkSCIMConnectionResponse)
async def get(request: web.Request) -> web.Response:
    proj = project(request)
    conn = scim.get_connection(proj, _organization_id(request, "get"))
    fields = connection_fields(proj, conn) if conn is not None else None
    return data(request, sf.SdkSCIMConnectionResponse, connection=fields)


# The static paths (``groups``, ``rotate/...``) come before ``{connection_id}``.


@routes.post(SCIM + "/groups")
@sdk_operation(
    "List the groups of the organization's SCIM connection",
    ms.GetSCIMGroupsResponse,
    body=sf.SCIMGetGroupsRequest,
)
async def get_groups(request: web.Request, body: sf.SCIMGetGroupsRequest) -> web.Response:
    proj = project(request)
    organization_id = _organization_id(request, "get")
    conn = scim.get_connection(proj, organization_id)
    if conn is None:
        raise scim.scim_connection_not_found()
    page, next_cursor = scim.get_groups(
        proj, organization_id, conn.connection_id, cursor=body.cursor, limit=body.limit
    )
    return data(request, ms.GetSCIMGroupsResponse, scim_groups=page, next_cursor=next_cursor)


@routes.post(SCIM + "/rotate/start")
@sdk_operation(
    "Start a SCIM bearer token rotation",
    sf.SdkRotateStartSCIMConnectionResponse,
    body=sf.SCIMRotateRequest,
)
async def rotate_start(request: web.Request, body: sf.SCIMRotateRequest) -> web.Response:
    proj = project(request)
    conn, token = scim.rotate_start(proj, _organization_id(request, "update"), body.connection_id)
    fields = connection_fields(proj, conn, next_bearer_token=token)
    return data(request, sf.SdkRotateStartSCIMConnectionResponse, connection=fields)


@routes.post(SCIM + "/rotate/complete")
@sdk_operation(
    "Complete a SCIM bearer token rotation", sf.SdkSCIMConnectionResponse, body=sf.SCIMRotateRequest
)
async def rotate_complete(request: web.Request, body: sf.SCIMRotateRequest) -> web.Response:
    proj = project(request)
    conn = scim.rotate_complete(proj, _organization_id(request, "update"), body.connection_id)
    return data(request, sf.SdkSCIMConnectionResponse, connection=connection_fields(proj, conn))


@routes.post(SCIM + "/rotate/cancel")
@sdk_operation(
    "Cancel a SCIM bearer token rotation", sf.SdkSCIMConnectionResponse, body=sf.SCIMRotateRequest
)
async def rotate_cancel(request: web.Request, body: sf.SCIMRotateRequest) -> web.Response:
    proj = project(request)
    conn = scim.rotate_cancel(proj, _organization_id(request, "update"), body.connection_id)
    return data(request, sf.SdkSCIMConnectionResponse, connection=connection_fields(proj, conn))


@routes.put(SCIM + "/{connection_id}")
@sdk_operation(
    "Update the organization's SCIM connection",
    sf.SdkSCIMConnectionResponse,
    body=ms.UpdateSCIMConnectionRequest,
)
async def update(request: web.Request, body: ms.UpdateSCIMConnectionRequest) -> web.Response:
    proj = project(request)
    assignments = body.scim_group_implicit_role_assignments
    organization_id = _organization_id(request, "update")
    if assignments is not None:
        # The SDK's docstring of updateConnection: changing the group role assignments also
        # needs update.settings.implicit-roles on stytch.organization.
        require_permission(
            request,
            authorization.organization_action(
                authorization.ORGANIZATION, "update.settings.implicit-roles"
            ),
        )
    conn = scim.update_connection(
        proj,
        organization_id,
        request.match_info["connection_id"],
        display_name=body.display_name,
        identity_provider=body.identity_provider,
        scim_group_implicit_role_assignments=(
            [a.model_dump() for a in assignments] if assignments is not None else None
        ),
    )
    return data(request, sf.SdkSCIMConnectionResponse, connection=connection_fields(proj, conn))


@routes.delete(SCIM + "/{connection_id}")
@sdk_operation("Delete the organization's SCIM connection", ms.DeleteSCIMConnectionResponse)
async def delete(request: web.Request) -> web.Response:
    deleted = scim.delete_connection(
        project(request), _organization_id(request, "delete"), request.match_info["connection_id"]
    )
    return data(request, ms.DeleteSCIMConnectionResponse, connection_id=deleted)
