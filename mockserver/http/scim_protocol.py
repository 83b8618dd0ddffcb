"""The SCIM 2.0 routes under a SCIM connection's ``base_url``
(``/v1/b2b/scim/{connection_id}/Users`` and ``/Groups``, RFC 7644 §3), which an identity
provider such as Okta or Microsoft Entra calls with the connection's bearer token to provision
Members and groups. Stytch serves them but documents only what they do to Members
(https://stytch.com/docs/b2b/guides/scim/actions); the protocol is RFC 7644's, read and
written with scim2-models (:mod:`mockserver.models.scim_protocol`).

These routes speak SCIM, not Stytch's JSON API: ``application/scim+json``, RFC 7644 errors
(``status``, ``scimType``, ``detail``; strict SCIM clients refuse any other member, so Stytch's
error fields are left out), and no project credentials (the bearer token says which
connection, and so which project, calls). They are not operations of ``/openapi.json``.
Served: create, get, list (``filter``, ``startIndex``, ``count``), replace (PUT), PATCH and
delete of Users and Groups, and the discovery endpoints (``ServiceProviderConfig``,
``ResourceTypes``, ``Schemas``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from scim2_models import Context, Group

from .. import errors
from ..domain import scim
from ..domain.project import Project
from ..domain.stores.scim import SCIMConnection
from ..models import scim_protocol as wire
from .common import json_object, public, read_body
from .middleware import REGISTRY

routes = web.RouteTableDef()

BASE = "/v1/b2b/scim/{connection_id}"
MAX_PAGE = 1000  # [chosen] largest page a list returns (RFC 7644 lets the server cap count)

Handler = Callable[[web.Request, Project, SCIMConnection], Awaitable[web.Response]]


def _answer(status: int, body: dict[str, Any] | None) -> web.Response:
    if body is None:
        return web.Response(status=status)
    return web.json_response(body, status=status, content_type=wire.SCIM_JSON)


def scim_route(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A SCIM route: the bearer token authenticated against the path's connection (the
    project is the one that holds the connection), and every error answered as SCIM's."""

    @public
    @functools.wraps(handler)
    async def route(request: web.Request) -> web.Response:
        try:
            proj, conn = _caller(request)
            return await handler(request, proj, conn)
        except errors.StytchError as error:
            return _answer(error.status_code, wire.error_body(error))

    route.scim_protocol = True  # type: ignore[attr-defined]
    return route


def _caller(request: web.Request) -> tuple[Project, SCIMConnection]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.unauthorized_credentials()
    connection_id = request.match_info["connection_id"]
    # The connection id names its project: found by asking each project (as SSO's ACS does).
    for proj in request.app[REGISTRY].projects.values():
        if proj.scim_connections.find(connection_id) is not None:
            return proj, scim.authenticate_bearer(proj, connection_id, token.strip())
    raise errors.unauthorized_credentials()


def _base(conn: SCIMConnection) -> str:
    return conn.base_url.split("?", 1)[0]


async def _payload(request: web.Request) -> dict[str, Any]:
    raw = await read_body(request)
    try:
        return json_object(raw)
    except errors.StytchError as error:
        raise scim.SCIMProtocolError(
            error.status_code, error.error_type, error.error_message, "invalidSyntax"
        ) from None


def _page(request: web.Request, items: list[Any]) -> tuple[list[Any], int]:
    """RFC 7644 §3.4.2.4: ``startIndex`` is 1-based (below 1 means 1), ``count`` below 0
    means 0."""
    try:
        start = max(1, int(request.query.get("startIndex", "1")))
        count = max(0, min(int(request.query.get("count", str(MAX_PAGE))), MAX_PAGE))
    except ValueError:
        raise scim.invalid_value("startIndex and count must be integers.") from None
    return items[start - 1 : start - 1 + count], start


def _user(proj: Project, conn: SCIMConnection, member: Any) -> Any:
    return wire.user_model(member, proj.scim_groups.of_member(member.member_id), _base(conn))


def _group(proj: Project, conn: SCIMConnection, group: Any) -> Group:
    members = [proj.members.get_by_id(m) for m in group.member_ids]
    return wire.group_model(group, members, _base(conn))


def _user_json(proj: Project, conn: SCIMConnection, member: Any) -> dict[str, Any]:
    return wire.resource_json(_user(proj, conn, member))


def _group_json(proj: Project, conn: SCIMConnection, group: Any) -> dict[str, Any]:
    return wire.resource_json(_group(proj, conn, group))


def _list(request: web.Request, resources: list[Any], kind: type[Any]) -> web.Response:
    keep = wire.matches(request.query.get("filter"), kind)
    found = [r for r in resources if keep(r)]
    page, start = _page(request, found)
    return _answer(200, wire.list_json(kind, page, len(found), start))


# --- discovery (RFC 7644 §4) ---------------------------------------------------------------


@routes.get(BASE + "/ServiceProviderConfig")
@scim_route
async def service_provider_config(
    request: web.Request, proj: Project, conn: SCIMConnection
) -> web.Response:
    return _answer(200, wire.discovery_json("ServiceProviderConfig"))


@routes.get(BASE + "/ResourceTypes")
@routes.get(BASE + "/Schemas")
@scim_route
async def list_discovery(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    kind = request.path.rstrip("/").rsplit("/", 1)[-1]
    return _answer(200, wire.discovery_json(kind))


@routes.get(BASE + "/ResourceTypes/{item_id}")
@routes.get(BASE + "/Schemas/{item_id}")
@scim_route
async def get_discovery(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    kind = request.path.rstrip("/").rsplit("/", 2)[-2]
    found = wire.discovery_json(kind, request.match_info["item_id"])
    if found is None:
        raise scim.SCIMProtocolError(404, "invalid_argument", f"No such {kind[:-1]}.")
    return _answer(200, found)


# --- Users ---------------------------------------------------------------------------------


@routes.get(BASE + "/Users")
@scim_route
async def list_users(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    user_name = wire.equality_value(request.query.get("filter"), "userName")
    if user_name is not None:  # the lookup IdPs make before each create: from the index
        found = scim.find_user_by_user_name(proj, conn, user_name)
        members = [found] if found is not None else []
    else:
        members = scim.users(proj, conn)
    resources = [_user(proj, conn, m) for m in members]
    return _list(request, resources, wire.UserResource)


@routes.post(BASE + "/Users")
@scim_route
async def create_user(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    user = wire.read_user(await _payload(request), Context.RESOURCE_CREATION_REQUEST)
    member = scim.provision_user(proj, conn, wire.scim_user(user))
    return _answer(201, _user_json(proj, conn, member))


@routes.get(BASE + "/Users/{user_id}")
@scim_route
async def get_user(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    member = scim.find_user(proj, conn, request.match_info["user_id"])
    return _answer(200, _user_json(proj, conn, member))


@routes.put(BASE + "/Users/{user_id}")
@scim_route
async def replace_user(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    member = scim.find_user(proj, conn, request.match_info["user_id"])
    user = wire.read_user(await _payload(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    scim.replace_user(proj, conn, member, wire.scim_user(user))
    return _answer(200, _user_json(proj, conn, member))


@routes.patch(BASE + "/Users/{user_id}")
@scim_route
async def patch_user(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    member = scim.find_user(proj, conn, request.match_info["user_id"])
    payload = await _payload(request)
    user = wire.user_from_stored(member.scim_resource or {})
    user.active = member.status != "deleted"
    wire.patch(user, payload)
    scim.replace_user(proj, conn, member, wire.scim_user(user))
    return _answer(200, _user_json(proj, conn, member))


@routes.delete(BASE + "/Users/{user_id}")
@scim_route
async def delete_user(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    member = scim.find_user(proj, conn, request.match_info["user_id"])
    scim.delete_user(proj, conn, member)
    return _answer(204, None)


# --- Groups --------------------------------------------------------------------------------


def _group_fields(group: Group) -> dict[str, Any]:
    return {
        "display_name": group.display_name or "",
        "external_id": group.external_id,
        "member_ids": [str(m.value) for m in group.members or [] if m.value],
    }


@routes.get(BASE + "/Groups")
@scim_route
async def list_groups(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    resources = [_group(proj, conn, g) for g in scim.groups(proj, conn)]
    return _list(request, resources, Group)


@routes.post(BASE + "/Groups")
@scim_route
async def create_group(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    group = wire.read_group(await _payload(request), Context.RESOURCE_CREATION_REQUEST)
    made = scim.create_group(proj, conn, **_group_fields(group))
    return _answer(201, _group_json(proj, conn, made))


@routes.get(BASE + "/Groups/{group_id}")
@scim_route
async def get_group(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    group = scim.find_group(proj, conn, request.match_info["group_id"])
    return _answer(200, _group_json(proj, conn, group))


@routes.put(BASE + "/Groups/{group_id}")
@scim_route
async def replace_group(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    group = scim.find_group(proj, conn, request.match_info["group_id"])
    sent = wire.read_group(await _payload(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    scim.replace_group(proj, conn, group, **_group_fields(sent))
    return _answer(200, _group_json(proj, conn, group))


@routes.patch(BASE + "/Groups/{group_id}")
@scim_route
async def patch_group(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    group = scim.find_group(proj, conn, request.match_info["group_id"])
    payload = await _payload(request)
    members = [proj.members.get_by_id(m) for m in group.member_ids]
    resource = wire.group_payload(group, members)
    wire.patch(resource, payload)
    scim.replace_group(proj, conn, group, **_group_fields(resource))
    return _answer(200, _group_json(proj, conn, group))


@routes.delete(BASE + "/Groups/{group_id}")
@scim_route
async def delete_group(request: web.Request, proj: Project, conn: SCIMConnection) -> web.Response:
    group = scim.find_group(proj, conn, request.match_info["group_id"])
    scim.delete_group(proj, conn, group)
    return _answer(204, None)
