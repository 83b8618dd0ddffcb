"""The yardstick: a bare aiohttp app that answers every request to ``/bare`` with a small JSON
object, in a process of its own.

    python benchmarks/_bare.py        # prints "listening on http://127.0.0.1:PORT/"

It reads the request body (as the mock does) and returns a fixed, Stytch-shaped 63-byte body
with ``Content-Type: application/json``: no routing table to speak of, no middleware, no
authentication, no pydantic. Any method is accepted.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web

BODY = b'{"status_code":200,"request_id":"request-id-test-bare-handler"}'


async def handler(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=BODY, content_type="application/json")


async def serve(host: str = "127.0.0.1", port: int = 0) -> None:
    app = web.Application()
    app.router.add_route("*", "/bare", handler)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"listening on http://{host}:{runner.addresses[0][1]}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve())
    sys.exit(0)
