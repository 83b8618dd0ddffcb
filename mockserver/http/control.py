"""The mock's control API under ``/_mock/``: project, outbox, reset, clock, state, seed, health.

Every route but health takes the same Basic credentials as the Stytch API and acts on the
caller's project only.
"""

from __future__ import annotations

import gc
from typing import Any

from aiohttp import web

from .. import errors
from ..domain.entities import OutboxMessage
from ..domain.outbox import render_bodies
from ..domain.state import export_state, import_state, load_seed
from ..models import control as ct
from ..models import requests as rq
from ..models.control import SeedDocument, SeedResponse, StateRequest, StateResponse
from ..models.responses import EmptyResponse
from .common import (
    MAX_CONTROL_BODY_BYTES,
    operation,
    project,
    public,
    render,
)
from .middleware import REGISTRY

routes = web.RouteTableDef()


def _message(m: OutboxMessage) -> dict[str, Any]:
    """The fields of ``ct.OutboxMessageObject`` (rendered by ``render``; None left out)."""
    text, html = render_bodies(m)
    return {
        "id": m.id,
        "channel": m.channel,
        "to": m.to,
        "from_": m.sender,
        "subject": m.subject,
        "kind": m.kind,
        "token": m.token,
        "link": m.link,
        "code": m.code,
        "created_at": m.created_at,
        "expires_at": m.expires_at,
        "text": text,
        "html": html,
    }


@routes.get("/_mock/outbox")
@operation("[mock] Read the outbox", ct.OutboxResponse, query=rq.OutboxQuery)
async def outbox(request: web.Request, query: rq.OutboxQuery) -> web.Response:
    box = project(request).outbox
    messages = box.messages(query.to)
    return render(
        request, ct.OutboxResponse, messages=[_message(m) for m in messages], dropped=box.dropped
    )


@routes.delete("/_mock/outbox")
@operation("[mock] Empty the outbox", ct.OutboxResponse)
async def clear_outbox(request: web.Request) -> web.Response:
    project(request).outbox.clear()
    return render(request, ct.OutboxResponse, messages=[])


@routes.get("/_mock/project")
@operation("[mock] The project's settings", ct.ProjectResponse)
async def get_project(request: web.Request) -> web.Response:
    config = project(request).config
    return render(
        request,
        ct.ProjectResponse,
        project_id=config.project_id,
        public_token=config.public_token,
        redirect_urls=config.redirect_urls,
        env=config.env,
        frontend_sdk=config.frontend,
    )


@routes.post("/_mock/reset")
@operation("[mock] Clear the project's state", EmptyResponse)
async def reset(request: web.Request) -> web.Response:
    project(request).reset()
    return render(request, EmptyResponse)


def _clock(request: web.Request) -> web.Response:
    clock = project(request).clock
    return render(request, ct.ClockResponse, now=clock.now(), offset_seconds=clock.offset_seconds)


@routes.get("/_mock/clock")
@operation("[mock] Read the project's clock", ct.ClockResponse)
async def get_clock(request: web.Request) -> web.Response:
    return _clock(request)


@routes.post("/_mock/clock")
@operation("[mock] Move the project's clock forward", ct.ClockResponse, body=rq.ClockAdvanceRequest)
async def advance_clock(request: web.Request, body: rq.ClockAdvanceRequest) -> web.Response:
    proj = project(request)
    try:
        proj.clock.advance(body.advance_seconds)
    except ValueError as exc:  # past the ten years the clock (and a saved state) can hold
        raise errors.invalid_argument("advance_seconds", f"advance_seconds: {exc}.") from None
    proj.sweep(request.app[REGISTRY].keep_expired)  # what the move expired long enough goes
    return _clock(request)


@routes.get("/_mock/health")
@public
@operation("[mock] Health check", ct.HealthResponse)
async def health(request: web.Request) -> web.Response:
    return render(request, ct.HealthResponse, projects=len(request.app[REGISTRY].projects))


@routes.get("/_mock/state")
@operation("[mock] Export the project's state", StateResponse)
async def get_state(request: web.Request) -> web.Response:
    return render(request, StateResponse, state=export_state(project(request)))


@routes.put("/_mock/state")
@operation(
    "[mock] Replace the project's state (all or nothing)",
    EmptyResponse,
    body=StateRequest,
    max_body=MAX_CONTROL_BODY_BYTES,
)
async def put_state(request: web.Request, body: StateRequest) -> web.Response:
    import_state(project(request), body.state)
    settle_after_bulk_load()
    return render(request, EmptyResponse)


@routes.post("/_mock/seed")
@operation(
    "[mock] Add fixtures: organizations with their members",
    SeedResponse,
    body=SeedDocument,
    max_body=MAX_CONTROL_BODY_BYTES,
    yaml_body=True,  # the --seed file as it is: Content-Type application/yaml
)
async def seed(request: web.Request, body: SeedDocument) -> web.Response:
    made = load_seed(project(request), body.entries(), body.policy())
    settle_after_bulk_load()
    return render(request, SeedResponse, **made)


def settle_after_bulk_load() -> None:
    """Move what a bulk load made out of the garbage collector's way: once a project holds
    hundreds of thousands of objects, every full collection would otherwise walk them all
    (150-400 ms pauses, benchmarks/README.md). Frozen objects are still freed normally when
    nothing refers to them any more; only the cycle detector skips them."""
    gc.collect()
    gc.freeze()
