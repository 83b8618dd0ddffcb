"""The web console at ``/_mock/ui``: what the mock holds, for a person with a browser.

Server-rendered pages (jinja2, no build step) over the same domain calls as the control API:
the outbox with every message's body, link and code; organizations, their members and their
sessions, with revoke and delete; the clock (read, advance, back to real time); the state
(download, upload); the request log. The browser's own Basic-auth prompt asks for the
project's credentials (``project_id`` as user name, secret as password), and every page acts on
that project only. Forms carry a token derived from the project, so another site cannot post
them with the browser's remembered credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web
from multidict import MultiDictProxy

from .. import errors
from ..domain import impersonation
from ..domain import sessions as session_domain
from ..domain.login import with_params
from ..domain.members import delete_member
from ..domain.organizations import delete_organization
from ..domain.outbox import render_bodies
from ..domain.project import Project
from ..domain.state import export_state, import_state
from .common import page
from .middleware import _project

routes = web.RouteTableDef()

NAV = [
    ("/_mock/ui", "Overview"),
    ("/_mock/ui/outbox", "Outbox"),
    ("/_mock/ui/organizations", "Organizations"),
    ("/_mock/ui/requests", "Requests"),
    ("/_mock/ui/state", "State"),
]
CLOCK_STEPS = [(60, "1 minute"), (3600, "1 hour"), (86400, "1 day"), (7 * 86400, "1 week")]
REALM = 'Basic realm="stytch-b2b-mock: project_id and secret", charset="UTF-8"'
# Form tokens: a key per server process, and the project id.
_FORM_KEY = secrets.token_bytes(32)
# The posted form of a console request, read once by the ``console`` wrapper.
FORM = web.RequestKey("console_form", MultiDictProxy)


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mockserver", "console"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _csrf(project: Project) -> str:
    return hmac.new(_FORM_KEY, project.project_id.encode(), hashlib.sha256).hexdigest()


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=headers
    )


def _render(
    request: web.Request,
    project: Project,
    template: str,
    title: str,
    *,
    status: int = 200,
    error: errors.StytchError | None = None,
    **values: Any,
) -> web.Response:
    body = (
        _templates()
        .get_template(template)
        .render(
            title=title,
            nav=NAV,
            here=request.path,
            project_id=project.project_id,
            csrf=_csrf(project),
            flash=request.query.get("flash", ""),
            error=error,
            **values,
        )
    )
    return _html(body, status)


def _back(path: str, flash: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"{path}?flash={quote(flash)}")


ConsoleHandler = Callable[[web.Request, Project], Awaitable[web.StreamResponse]]


def console(handler: ConsoleHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The project of the request's Basic credentials (or the browser's login prompt); for a
    form, its token checked first."""

    async def endpoint(request: web.Request) -> web.StreamResponse:
        try:
            project = _project(request)
        except errors.StytchError:
            return _html(
                "<!doctype html><title>stytch-b2b-mock</title><p>Sign in with the project's "
                "credentials: the project_id as user name, the secret as password.</p>",
                401,
                {"WWW-Authenticate": REALM},
            )
        if request.method == "POST":
            form = await request.post()
            if not hmac.compare_digest(str(form.get("csrf", "")), _csrf(project)):
                return _html(
                    "<!doctype html><p>This form has expired: go back and reload.</p>", 403
                )
            request[FORM] = form
        try:
            return await handler(request, project)
        except errors.StytchError as exc:  # a page, not JSON: the person is in a browser
            return _render(
                request, project, "error.html", "Not done", status=exc.status_code, error=exc
            )

    endpoint.__name__ = handler.__name__
    endpoint.__module__ = handler.__module__
    return endpoint


def _form(request: web.Request) -> MultiDictProxy[Any]:
    return request[FORM]


# --- pages ------------------------------------------------------------------------------


@routes.get("/")
@page
async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/_mock/ui")


def _ago(seconds: float) -> str:
    if seconds < 1:
        return "not moved"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days} d {hours} h {rest // 60} min"


@routes.get("/_mock/ui")
@page
@console
async def overview(request: web.Request, project: Project) -> web.Response:
    return _overview(request, project)


def _overview(
    request: web.Request, project: Project, error: errors.StytchError | None = None
) -> web.Response:
    return _render(
        request,
        project,
        "overview.html",
        "Overview",
        status=400 if error else 200,
        error=error,
        public_token=project.public_token,
        redirect_urls=project.config.redirect_urls,
        now=project.now().isoformat(),
        offset=_ago(project.clock.offset_seconds),
        steps=CLOCK_STEPS,
        counts={
            "organizations": len(project.organizations),
            "members": len(project.members),
            "sessions": len(project.sessions),
            "messages": len(project.outbox),
        },
    )


@routes.get("/_mock/ui/outbox")
@page
@console
async def outbox(request: web.Request, project: Project) -> web.Response:
    to = request.query.get("to") or None
    messages = []
    for message in reversed(project.outbox.messages(to)):
        text, _ = render_bodies(message)
        messages.append({**_fields(message), "text": text})
    return _render(request, project, "outbox.html", "Outbox", messages=messages, to=to)


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


@routes.get("/_mock/ui/organizations")
@page
@console
async def organizations(request: web.Request, project: Project) -> web.Response:
    listed = [
        (org, sum(1 for _ in project.members.of_organization(org.organization_id)))
        for org in project.organizations
    ]
    return _render(request, project, "organizations.html", "Organizations", organizations=listed)


@routes.get("/_mock/ui/organizations/{organization_id}")
@page
@console
async def organization(request: web.Request, project: Project) -> web.Response:
    org = project.organizations.get(request.match_info["organization_id"])
    members = []
    for member in project.members.of_organization(org.organization_id):
        live: list[Any] = []
        if member.status != "deleted":
            _, _, live = session_domain.member_sessions(
                project, org.organization_id, member.member_id
            )
        members.append((member, live))
    return _render(
        request, project, "organization.html", org.organization_name, org=org, members=members
    )


@routes.get("/_mock/ui/requests")
@page
@console
async def requests_page(request: web.Request, project: Project) -> web.Response:
    logged = list(reversed(project.request_log.since()))
    return _render(request, project, "requests.html", "Requests", requests=logged)


@routes.get("/_mock/ui/state")
@page
@console
async def state(request: web.Request, project: Project) -> web.Response:
    return _render(request, project, "state.html", "State")


@routes.get("/_mock/ui/state.json")
@page
@console
async def state_json(request: web.Request, project: Project) -> web.Response:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return web.Response(
        text=json.dumps({"state": export_state(project)}, indent=1),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="stytch-mock-state-{stamp}.json"'},
    )


# --- forms ------------------------------------------------------------------------------


@routes.post("/_mock/ui/clock")
@page
@console
async def clock(request: web.Request, project: Project) -> web.Response:
    form = _form(request)
    if form.get("reset"):
        project.clock.reset()
        raise _back("/_mock/ui", "The clock follows real time again.")
    try:
        seconds = float(str(form.get("advance_seconds", "")))
        if seconds != seconds or seconds <= 0:  # NaN, zero or negative
            raise ValueError("give a number of seconds greater than zero")
        project.clock.advance(seconds)
    except ValueError as exc:
        error = errors.invalid_argument("advance_seconds", f"advance_seconds: {exc}.")
        return _overview(request, project, error)
    raise _back("/_mock/ui", f"The clock moved {_ago(seconds)} ahead.")


@routes.post("/_mock/ui/reset")
@page
@console
async def reset(request: web.Request, project: Project) -> web.Response:
    project.reset()
    raise _back("/_mock/ui", "The project is empty again.")


@routes.post("/_mock/ui/sessions/{member_session_id}/revoke")
@page
@console
async def revoke_session(request: web.Request, project: Project) -> web.Response:
    org_id = str(_form(request).get("organization_id", ""))
    session_domain.revoke(
        project,
        member_session_id=request.match_info["member_session_id"],
        session_token=None,
        session_jwt=None,
        member_id=None,
    )
    raise _back(f"/_mock/ui/organizations/{quote(org_id)}", "Session revoked.")


@routes.post("/_mock/ui/organizations/{organization_id}/members/{member_id}/delete")
@page
@console
async def delete_member_form(request: web.Request, project: Project) -> web.Response:
    org_id = request.match_info["organization_id"]
    delete_member(project, org_id, request.match_info["member_id"])
    raise _back(f"/_mock/ui/organizations/{quote(org_id)}", "Member deleted.")


# Who the console says impersonates, when the form names nobody (the Dashboard uses the
# signed-in Stytch user's email).
CONSOLE_IMPERSONATOR = "support@example.com"


@routes.post("/_mock/ui/organizations/{organization_id}/members/{member_id}/impersonate")
@page
@console
async def impersonate_form(request: web.Request, project: Project) -> web.Response:
    """What the Stytch Dashboard's "Impersonate Member" button does: a token for the member,
    and the browser sent to the project's (first) redirect URL with
    ``stytch_token_type=multi_tenant_impersonation&token=…``, where the app calls
    ``impersonation.authenticate``. A redirect URL that is a pattern (``*``) cannot be opened:
    the page shows the token instead."""
    email = str(_form(request).get("impersonator_email_address") or CONSOLE_IMPERSONATOR)
    org_id = request.match_info["organization_id"]
    token = impersonation.mint(
        project,
        organization_id=org_id,
        member_id=request.match_info["member_id"],
        impersonator_email_address=email,
    )
    target = project.config.redirect_urls[0] if project.config.redirect_urls else ""
    if not target or "*" in target:
        raise _back(
            f"/_mock/ui/organizations/{quote(org_id)}",
            f"Impersonation token (5 minutes, single use): {token.token}",
        )
    params = {"stytch_token_type": "multi_tenant_impersonation", "token": token.token}
    raise web.HTTPSeeOther(with_params(target, params))


@routes.post("/_mock/ui/organizations/{organization_id}/delete")
@page
@console
async def delete_organization_form(request: web.Request, project: Project) -> web.Response:
    delete_organization(project, request.match_info["organization_id"])
    raise _back("/_mock/ui/organizations", "Organization deleted.")


@routes.post("/_mock/ui/state")
@page
@console
async def upload_state(request: web.Request, project: Project) -> web.Response:
    upload = _form(request).get("state")
    try:
        raw = upload.file.read() if isinstance(upload, web.FileField) else b""
        document = json.loads(raw or b"null")
        if isinstance(document, dict) and "state" in document:  # as state.json saves it
            document = document["state"]
        import_state(project, document)
    except (ValueError, UnicodeDecodeError):
        error = errors.bad_request("The uploaded file is not a JSON state document.")
        return _render(request, project, "state.html", "State", status=400, error=error)
    except errors.StytchError as exc:
        return _render(request, project, "state.html", "State", status=400, error=exc)
    raise _back("/_mock/ui/state", "State replaced.")
