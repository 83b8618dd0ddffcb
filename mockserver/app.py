"""The aiohttp application: routes of every API family behind one middleware."""

from __future__ import annotations

from aiohttp import web

from .domain.registry import Registry
from .http import control, discovery, magic_links, openapi, organizations, sessions
from .http.common import MAX_CONTROL_BODY_BYTES
from .http.middleware import AUTHENTICATED, REGISTRY, stytch_middleware


def create_app(registry: Registry) -> web.Application:
    # Stytch's routes refuse bodies over 1 MB themselves (http.common.parse); only the
    # control API's state and seed documents may come close to this ceiling.
    app = web.Application(middlewares=[stytch_middleware], client_max_size=MAX_CONTROL_BODY_BYTES)
    app[REGISTRY] = registry
    app[AUTHENTICATED] = {}
    for family in (magic_links, discovery, organizations, sessions, control, openapi):
        app.add_routes(family.routes)
    return app
