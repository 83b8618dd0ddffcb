"""Run the mock in a background thread of the current process.

The sync Python SDK blocks on ``requests``; a server on the caller's own event loop would
deadlock it, so the in-process server gets a thread and an event loop of its own. Starting
one takes milliseconds.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from aiohttp import web

from .app import create_app
from .domain.project import Project, ProjectConfig
from .domain.registry import Registry


class MockServer:
    """``with MockServer([ProjectConfig(...)]) as server: server.url`` -> ``http://127.0.0.1:PORT/``"""

    def __init__(
        self,
        projects: list[ProjectConfig],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        open_projects: bool = False,
        clock_source: Callable[[], float] | None = None,
    ) -> None:
        self.registry = Registry(projects, open_projects=open_projects, clock_source=clock_source)
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def project(self, project_id: str) -> Project:
        project = self.registry.find_project(project_id)
        if project is None:
            raise KeyError(project_id)
        return project

    def start(self) -> MockServer:
        self._thread = threading.Thread(target=self._run, name="stytch-mock", daemon=True)
        self._thread.start()
        self._started.wait(timeout=30)
        if self._error is not None:
            raise RuntimeError(f"the mock server did not start: {self._error}") from self._error
        if not self._started.is_set():
            raise RuntimeError("the mock server did not start within 30 s")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._setup())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._started.set()
            loop.close()
            return
        self._started.set()
        loop.run_forever()
        loop.run_until_complete(self._teardown())
        loop.close()

    async def _setup(self) -> None:
        self._runner = web.AppRunner(
            create_app(self.registry), access_log=None, handle_signals=False
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _teardown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
