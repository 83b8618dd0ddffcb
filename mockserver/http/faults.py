"""``/_mock/faults``: program calls to fail or be slow (mockserver.domain.faults).

An operation is named as in Stytch's SDKs (``magic_links.email.discovery.send``, the method
path on the Python and Node clients) or as ``METHOD /path`` with the path as routed
(``POST /v1/b2b/magic_links/email/discovery/send``,
``GET /v1/b2b/organizations/{organization_id}``): every Stytch route the mock serves can be
named the second way.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from .. import errors
from ..domain.faults import FAULT_ERRORS, Fault
from ..domain.project import Project
from ..models import faults as fm
from .common import operation, project, render

routes = web.RouteTableDef()

# SDK method path -> METHOD /path, for the routes the mock serves (the Python and Node clients
# share these names; tests/test_faults.py checks each against the Python SDK).
SDK_OPERATIONS = {
    "magic_links.email.discovery.send": "POST /v1/b2b/magic_links/email/discovery/send",
    "magic_links.discovery.authenticate": "POST /v1/b2b/magic_links/discovery/authenticate",
    "magic_links.email.login_or_signup": "POST /v1/b2b/magic_links/email/login_or_signup",
    "magic_links.email.invite": "POST /v1/b2b/magic_links/email/invite",
    "magic_links.authenticate": "POST /v1/b2b/magic_links/authenticate",
    "discovery.organizations.list": "POST /v1/b2b/discovery/organizations",
    "discovery.intermediate_sessions.exchange": (
        "POST /v1/b2b/discovery/intermediate_sessions/exchange"
    ),
    "discovery.organizations.create": "POST /v1/b2b/discovery/organizations/create",
    "organizations.create": "POST /v1/b2b/organizations",
    "organizations.search": "POST /v1/b2b/organizations/search",
    "organizations.members.search": "POST /v1/b2b/organizations/members/search",
    "organizations.members.dangerously_get": (
        "GET /v1/b2b/organizations/members/dangerously_get/{member_id}"
    ),
    "organizations.get": "GET /v1/b2b/organizations/{organization_id}",
    "organizations.update": "PUT /v1/b2b/organizations/{organization_id}",
    "organizations.delete": "DELETE /v1/b2b/organizations/{organization_id}",
    "organizations.members.create": "POST /v1/b2b/organizations/{organization_id}/members",
    "organizations.members.get": "GET /v1/b2b/organizations/{organization_id}/member",
    "organizations.members.update": (
        "PUT /v1/b2b/organizations/{organization_id}/members/{member_id}"
    ),
    "organizations.members.delete": (
        "DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}"
    ),
    "organizations.members.reactivate": (
        "PUT /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate"
    ),
    "sessions.authenticate": "POST /v1/b2b/sessions/authenticate",
    "sessions.revoke": "POST /v1/b2b/sessions/revoke",
    "sessions.get": "GET /v1/b2b/sessions",
    "sessions.exchange": "POST /v1/b2b/sessions/exchange",
    "sessions.get_jwks": "GET /v1/b2b/sessions/jwks/{project_id}",
    "rbac.policy": "GET /v1/b2b/rbac/policy",
    "rbac.organizations.get_org_policy": "GET /v1/b2b/rbac/organizations/{organization_id}",
}


def stytch_routes(app: web.Application) -> set[str]:
    """``METHOD /path`` of every Stytch route of the app (the control API left out)."""
    found = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith("/v1/") and route.method != "HEAD":
            found.add(f"{route.method} {path}")
    return found


def _operation_key(request: web.Request, name: str) -> str:
    key = SDK_OPERATIONS.get(name)
    if key is None:
        method, _, path = name.strip().partition(" ")
        key = f"{method.upper()} {path.strip()}"
    if key not in stytch_routes(request.app):
        raise errors.invalid_argument(
            "operation",
            f"operation: {name!r} is neither an SDK method the mock serves (such as "
            "magic_links.email.discovery.send) nor METHOD /path of a Stytch route.",
        )
    return key


@routes.post("/_mock/faults")
@operation("[mock] Program a fault", fm.FaultResponse, body=fm.FaultRequest)
async def add_fault(request: web.Request, body: fm.FaultRequest) -> web.Response:
    key = _operation_key(request, body.operation)
    if body.error is None and body.latency_ms == 0:
        raise errors.invalid_argument("error", "error: give an error, a latency_ms, or both.")
    # times: absent means once (or no limit with a rate); null means no limit
    unlimited = body.rate is not None or "times" in body.model_fields_set
    times = body.times if body.times is not None else (None if unlimited else 1)
    fault = Fault(
        operation=key,
        error=body.error,
        latency_ms=body.latency_ms,
        remaining=times,
        rate=body.rate if body.rate is not None else 1.0,
        email_address=body.email_address,
        organization_id=body.organization_id,
    )
    return render(request, fm.FaultResponse, fault=project(request).faults.add(fault))


@routes.get("/_mock/faults")
@operation("[mock] List the programmed faults", fm.FaultsResponse)
async def list_faults(request: web.Request) -> web.Response:
    return render(request, fm.FaultsResponse, faults=project(request).faults.all())


@routes.delete("/_mock/faults")
@operation("[mock] Clear every programmed fault", fm.FaultsResponse)
async def clear_faults(request: web.Request) -> web.Response:
    project(request).faults.clear()
    return render(request, fm.FaultsResponse, faults=[])


def project_named(request: web.Request) -> Project | None:
    """The project a public route names in its path (the JWKS route), if the server has it."""
    from .middleware import REGISTRY

    return request.app[REGISTRY].find_project(request.match_info["project_id"])


async def apply(request: web.Request, proj: Project, args: list[Any]) -> None:
    """Before a Stytch call's handler: the fault programmed for it, if one takes it (the
    latency waited, the error raised)."""
    match = request.match_info
    route = match.route.resource
    if route is None:
        return
    key = f"{request.method} {route.canonical}"
    email = organization_id = None
    for parsed in args:
        email = email or getattr(parsed, "email_address", None)
        organization_id = organization_id or getattr(parsed, "organization_id", None)
    organization_id = organization_id or match.get("organization_id")
    fault = proj.faults.hit(key, email, organization_id)
    if fault is None:
        return
    if fault.latency_ms:
        await asyncio.sleep(fault.latency_ms / 1000)
    if fault.error is not None:
        raise FAULT_ERRORS[fault.error]()
