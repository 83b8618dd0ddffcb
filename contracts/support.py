"""What the contract scenarios stand on: the target (the mock or real Stytch), SDK clients in
sync and async mode, and the check of every response body against Stytch's published OpenAPI.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import requests

STYTCH_TEST_URL = "https://test.stytch.com/"
# The fields of Stytch's error object (every 4xx/5xx body).
ERROR_FIELDS = ("status_code", "request_id", "error_type", "error_message", "error_url")


def target_name() -> str:
    name = os.environ.get("STYTCH_CONTRACT_TARGET", "mock").strip().lower() or "mock"
    if name not in ("mock", "stytch"):
        raise ValueError(f"STYTCH_CONTRACT_TARGET must be 'mock' or 'stytch', not {name!r}")
    return name


def unique(prefix: str) -> str:
    """A name no other run uses (slugs, emails), so nothing collides in a real project."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- OpenAPI response checks -------------------------------------------------------------


def openapi_path() -> Path | None:
    """``$STYTCH_OPENAPI`` when set (it must exist then); None when the check is off."""
    value = os.environ.get("STYTCH_OPENAPI")
    if not value:
        return None
    return Path(value)


@functools.lru_cache(maxsize=2)
def load_openapi(path: str) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


class ResponseChecker:
    """Validates each 2xx body against the published schema of its operation and each error
    body against Stytch's error shape; collects the problems instead of raising mid-call."""

    def __init__(self, spec: dict[str, Any] | None) -> None:
        self.spec = spec
        self.problems: list[str] = []
        self._routes: list[tuple[str, re.Pattern[str], str]] = []
        self._validators: dict[tuple[str, str], Any] = {}
        if spec is not None:
            for path, ops in spec.get("paths", {}).items():
                pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$")
                for method in ops:
                    self._routes.append((method.upper(), pattern, path))
            # Literal paths first, so /organizations/search beats /organizations/{id}.
            self._routes.sort(key=lambda r: r[2].count("{"))

    def operation(self, method: str, path: str) -> str | None:
        for m, pattern, template in self._routes:
            if m == method.upper() and pattern.match(path):
                return template
        return None

    def _validator(self, method: str, template: str) -> Any:
        key = (method, template)
        if key not in self._validators:
            import jsonschema_rs

            assert self.spec is not None
            op = self.spec["paths"][template][method.lower()]
            content = op["responses"]["200"].get("content", {}).get("application/json", {})
            schema = content.get("schema")
            self._validators[key] = (
                None
                if schema is None
                else jsonschema_rs.Draft4Validator(
                    {"components": self.spec["components"], **schema}
                )
            )
        return self._validators[key]

    def check(self, method: str, url: str, status: int, body: Any) -> None:
        path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        path = "/" + path
        if status >= 400:
            missing = [f for f in ERROR_FIELDS if not isinstance(body, dict) or f not in body]
            if missing:
                self.problems.append(f"{method} {path} -> {status}: error body lacks {missing}")
            return
        if self.spec is None:
            return
        template = self.operation(method, path)
        if template is None:
            self.problems.append(f"{method} {path}: not an operation of Stytch's OpenAPI")
            return
        validator = self._validator(method, template)
        if validator is None:
            return
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]
        if errors:
            self.problems.append(f"{method} {template} -> {status}: " + "; ".join(errors[:5]))


def recording_sync_session(checker: ResponseChecker) -> requests.Session:
    session = requests.Session()

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        checker.check(response.request.method or "GET", response.url, response.status_code, body)

    session.hooks["response"].append(hook)
    return session


def recording_trace(checker: ResponseChecker) -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()

    async def on_end(session: Any, ctx: Any, params: aiohttp.TraceRequestEndParams) -> None:
        try:
            body = await params.response.json(content_type=None)
        except Exception:
            body = None
        checker.check(params.method, str(params.url), params.response.status, body)

    trace.on_request_end.append(on_end)
    return trace


def open_recording_session(
    loop: asyncio.AbstractEventLoop, checker: ResponseChecker
) -> aiohttp.ClientSession:
    """An aiohttp session, opened on ``loop``, whose every response passes through
    ``checker``; the caller closes it on the same loop."""

    async def open_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(trace_configs=[recording_trace(checker)])

    return loop.run_until_complete(open_session())


# --- SDK access in both modes ------------------------------------------------------------


class SDK:
    """The official client, called the same way in both modes.

    ``sdk.magic_links.email.discovery.send(email_address=...)`` calls the sync method in
    ``sync`` mode and awaits ``send_async`` (on one event loop per test) in ``async`` mode.
    """

    def __init__(self, obj: Any, mode: str, loop: asyncio.AbstractEventLoop | None) -> None:
        self._obj = obj
        self._mode = mode
        self._loop = loop

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def raw(self) -> Any:
        return self._obj

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop the async methods run on (None in ``sync`` mode)."""
        return self._loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._obj, name)
        if callable(value) and not isinstance(value, type):
            if self._mode == "async" and hasattr(self._obj, name + "_async"):
                method_async = getattr(self._obj, name + "_async")

                def call(*args: Any, **kwargs: Any) -> Any:
                    assert self._loop is not None
                    return self._loop.run_until_complete(method_async(*args, **kwargs))

                return call
            return value
        if isinstance(value, (str, int, float, bool, dict, list)) or value is None:
            return value
        return SDK(value, self._mode, self._loop)


@dataclass
class Target:
    """Where the scenarios run: ``mock`` (in-process) or ``stytch`` (Stytch's Test API)."""

    name: str
    url: str
    project_id: str
    secret: str

    @property
    def is_mock(self) -> bool:
        return self.name == "mock"

    def make_client(
        self, checker: ResponseChecker, async_session: aiohttp.ClientSession | None = None
    ) -> Any:
        """A ``B2BClient`` whose every response passes through ``checker`` (on SDK versions
        that accept the sessions to do it with)."""
        import inspect

        from stytch import B2BClient

        kwargs: dict[str, Any] = {"project_id": self.project_id, "secret": self.secret}
        if self.is_mock:
            kwargs["environment"] = self.url
        params = inspect.signature(B2BClient.__init__).parameters
        if "sync_session" in params:
            kwargs["sync_session"] = recording_sync_session(checker)
        if async_session is not None and "async_session" in params:
            kwargs["async_session"] = async_session
        return B2BClient(**kwargs)


@contextmanager
def sdk_for(
    target: Target,
    mode: str,
    checker: ResponseChecker,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Iterator[SDK]:
    """An ``SDK`` on ``target`` in ``mode`` ("sync" or "async") whose responses pass through
    ``checker``. In async mode its session runs on ``loop`` (so it can share a test's loop with
    another ``SDK``), or on a new loop closed on exit."""
    if mode == "sync":
        yield SDK(target.make_client(checker), "sync", None)
        return
    own_loop = loop is None
    if loop is None:
        loop = asyncio.new_event_loop()
    session = open_recording_session(loop, checker)
    try:
        yield SDK(target.make_client(checker, async_session=session), "async", loop)
    finally:
        loop.run_until_complete(session.close())
        if own_loop:
            loop.close()
