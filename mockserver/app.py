"""The aiohttp application: routes of every API family behind one middleware."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from .domain.registry import Registry
from .http.browser_routes import PUBLIC_URL
from .http.common import KEY_POOL, MAX_CONTROL_BODY_BYTES, SIGNER
from .http.connections import LIMITS, Limits
from .http.families import FAMILIES
from .http.middleware import AUTHENTICATED, REGISTRY, forget_project
from .http.pipeline import stytch_middleware
from .keypool import KeyPool
from .signer import InlineSigner, ProcessSigner


def create_app(
    registry: Registry,
    *,
    sign_in_process: bool = False,
    limits: Limits | None = None,
    public_url: str | None = None,
) -> web.Application:
    """The mock's app. ``sign_in_process``: session JWTs are signed by a helper process
    (mockserver.signer.ProcessSigner, started and stopped with the app) instead of on the
    event loop. ``limits``: timeouts and the connection cap (http.connections), applied when
    it runs under ``MockRunner``. ``public_url``: the mock's address as browsers reach it, when
    it differs from the one requests come to (http.browser_routes.PUBLIC_URL)."""
    # Stytch's routes refuse bodies over 1 MB themselves (http.common.parse); only the
    # control API's state and seed documents may come close to this ceiling.
    app = web.Application(
        middlewares=[stytch_middleware],
        client_max_size=MAX_CONTROL_BODY_BYTES,
    )
    app[REGISTRY] = registry
    app[LIMITS] = limits or Limits()
    known: dict[str, object] = {}
    app[AUTHENTICATED] = known
    registry.on_evict.append(lambda project: forget_project(known, project))  # type: ignore[arg-type]
    app.cleanup_ctx.append(lambda _app: _sweeping(registry))
    if public_url:
        app[PUBLIC_URL] = public_url
    if sign_in_process:
        signer = ProcessSigner()
        app[SIGNER] = signer
        app.cleanup_ctx.append(lambda _app: _running(signer))
    else:
        app[SIGNER] = InlineSigner()
    if registry.open_projects:
        # Projects appear while the server runs: their keys are made ahead, off the loop.
        pool = KeyPool()
        app[KEY_POOL] = pool
        registry.key_source = pool.take
        app.cleanup_ctx.append(lambda _app: _filled(pool))
    for family in FAMILIES:
        app.add_routes(family.routes)
    return app


# How often (in real seconds) every project sweeps what expired more than keep_expired ago.
SWEEP_INTERVAL = 1.0


async def _sweeping(registry: Registry) -> AsyncIterator[None]:
    async def sweep_now_and_then() -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL)
            registry.sweep()

    task = asyncio.get_running_loop().create_task(sweep_now_and_then())
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _filled(pool: KeyPool) -> AsyncIterator[None]:
    pool.fill()
    yield
    pool.close()


async def _running(signer: ProcessSigner) -> AsyncIterator[None]:
    await signer.start()
    yield
    await signer.close()
