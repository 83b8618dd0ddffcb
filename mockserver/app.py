"""The aiohttp application: routes of every API family behind one middleware."""

from __future__ import annotations

from aiohttp import web

from .domain.registry import Registry
from .http import control, discovery, magic_links, openapi, organizations, sessions
from .http.middleware import REGISTRY, stytch_middleware

MAX_BODY_BYTES = 1024 * 1024


def create_app(registry: Registry) -> web.Application:
    app = web.Application(middlewares=[stytch_middleware], client_max_size=MAX_BODY_BYTES)
    app[REGISTRY] = registry
    for family in (magic_links, discovery, organizations, sessions, control, openapi):
        app.add_routes(family.routes)
    return app
