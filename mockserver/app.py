"""The aiohttp application: routes of every API family behind one middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from .domain.registry import Registry
from .http.common import MAX_CONTROL_BODY_BYTES, SIGNER
from .http.families import FAMILIES
from .http.middleware import AUTHENTICATED, REGISTRY, stytch_middleware
from .http.sdk.common import cors_middleware
from .signer import InlineSigner, ProcessSigner


def create_app(registry: Registry, *, sign_in_process: bool = False) -> web.Application:
    """The mock's app. ``sign_in_process``: session JWTs are signed by a helper process
    (mockserver.signer.ProcessSigner, started and stopped with the app) instead of on the
    event loop."""
    # Stytch's routes refuse bodies over 1 MB themselves (http.common.parse); only the
    # control API's state and seed documents may come close to this ceiling.
    # cors_middleware: the frontend SDK's routes (http.sdk) answer browsers.
    app = web.Application(
        middlewares=[cors_middleware, stytch_middleware], client_max_size=MAX_CONTROL_BODY_BYTES
    )
    app[REGISTRY] = registry
    app[AUTHENTICATED] = {}
    if sign_in_process:
        signer = ProcessSigner()
        app[SIGNER] = signer
        app.cleanup_ctx.append(lambda _app: _running(signer))
    else:
        app[SIGNER] = InlineSigner()
    for family in FAMILIES:
        app.add_routes(family.routes)
    return app


async def _running(signer: ProcessSigner) -> AsyncIterator[None]:
    await signer.start()
    yield
    await signer.close()
