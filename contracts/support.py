"""What the contract scenarios stand on: the target (the mock or real Stytch), SDK clients in
sync and async mode, and the check of every response body against Stytch's published OpenAPI.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import requests

STYTCH_TEST_URL = "https://test.stytch.com/"


def remote_url() -> str:
    """The remote target's base URL: ``$STYTCH_API_URL``, or Stytch's Test API."""
    url = os.environ.get("STYTCH_API_URL", "").strip() or STYTCH_TEST_URL
    return url if url.endswith("/") else url + "/"


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


# Routes Stytch shares with its consumer product (M2M clients and tokens, ``client.m2m``): the B2B
# OpenAPI does not list them, so only their error bodies are checked.
SHARED_ROUTE = re.compile(r"/v1/m2m/|/v1/public/[^/]+/oauth2/")


class _SpecIndex:
    """What checking against one published OpenAPI needs, made once per spec (not per test):
    its operations' path patterns and, as they are first needed, their compiled validators."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.routes: list[tuple[str, re.Pattern[str], str]] = []
        self.validators: dict[tuple[str, str], Any] = {}
        for path, ops in spec.get("paths", {}).items():
            pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$")
            for method in ops:
                self.routes.append((method.upper(), pattern, path))
        # Literal paths first, so /organizations/search beats /organizations/{id}.
        self.routes.sort(key=lambda r: r[2].count("{"))


_SPEC_INDEXES: dict[int, _SpecIndex] = {}


def _spec_index(spec: dict[str, Any]) -> _SpecIndex:
    index = _SPEC_INDEXES.get(id(spec))
    if index is None or index.spec is not spec:
        index = _SPEC_INDEXES[id(spec)] = _SpecIndex(spec)
    return index


class ResponseChecker:
    """Validates each 2xx body against the published schema of its operation and each error
    body against Stytch's error shape; collects the problems instead of raising mid-call."""

    def __init__(self, spec: dict[str, Any] | None) -> None:
        self.spec = spec
        self.problems: list[str] = []
        # Also told of every exchange (method, url, request body, status, body): the
        # recorder of contracts/recording.py when STYTCH_CONTRACT_RECORD is set.
        self.listener: Callable[[str, str, Any, int, Any], None] | None = None
        index = _spec_index(spec) if spec is not None else None
        self._routes = index.routes if index is not None else []
        self._validators: dict[tuple[str, str], Any] = index.validators if index else {}

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

    def check(
        self, method: str, url: str, status: int, body: Any, request_body: Any = None
    ) -> None:
        if self.listener is not None:
            self.listener(method, url, request_body, status, body)
        path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        path = "/" + path
        if status >= 400:
            missing = [f for f in ERROR_FIELDS if not isinstance(body, dict) or f not in body]
            if missing:
                self.problems.append(f"{method} {path} -> {status}: error body lacks {missing}")
            return
        if self.spec is None or SHARED_ROUTE.match(path):
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


def _json(raw: Any) -> Any:
    """A request body as JSON when it is JSON (None for no body)."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def recording_sync_session(checker: ResponseChecker) -> requests.Session:
    session = requests.Session()

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        request = response.request
        checker.check(
            request.method or "GET", response.url, response.status_code, body, _json(request.body)
        )

    session.hooks["response"].append(hook)
    return session


def recording_trace(checker: ResponseChecker) -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()

    async def on_chunk(session: Any, ctx: Any, params: aiohttp.TraceRequestChunkSentParams) -> None:
        ctx.sent = getattr(ctx, "sent", b"") + (params.chunk or b"")

    async def on_end(session: Any, ctx: Any, params: aiohttp.TraceRequestEndParams) -> None:
        try:
            body = await params.response.json(content_type=None)
        except Exception:
            body = None
        checker.check(
            params.method,
            str(params.url),
            params.response.status,
            body,
            _json(getattr(ctx, "sent", None)),
        )

    trace.on_request_chunk_sent.append(on_chunk)
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


class Pacer:
    """Keeps the calls Stytch rate-limits per recipient under the limit on a remote target:
    email magic-link sends, login-or-signup and invites share one request per second per
    email address (https://stytch.com/docs/b2b/resources/platform/rate-limits); one-time-code
    and reset sends are paced the same way, per email address or phone number.

    Waiting here is not waiting for time to pass in the scenario (the mock's clock does that):
    it is how a client stays within a real server's limits."""

    INTERVAL = 1.05  # seconds between two paced calls for one recipient
    _PACED = re.compile(r"(^|\.)(send|login_or_signup|invite|reset_start)$")

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def wait(self, method: str, kwargs: dict[str, Any]) -> None:
        recipient = kwargs.get("email_address") or kwargs.get("phone_number")
        if not isinstance(recipient, str) or not self._PACED.search(method):
            return
        key = recipient.lower()
        last = self._last.get(key)
        if last is not None:
            delay = self.INTERVAL - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self._last[key] = time.monotonic()


class SDK:
    """The official client, called the same way in both modes.

    ``sdk.magic_links.email.discovery.send(email_address=...)`` calls the sync method in
    ``sync`` mode and awaits ``send_async`` (on one event loop per test) in ``async`` mode.
    With a ``pacer`` (remote targets), rate-limited calls wait their turn.
    """

    def __init__(
        self,
        obj: Any,
        mode: str,
        loop: asyncio.AbstractEventLoop | None,
        pacer: Pacer | None = None,
        path: str = "",
    ) -> None:
        self._obj = obj
        self._mode = mode
        self._loop = loop
        self._pacer = pacer
        self._path = path

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
        path = f"{self._path}.{name}" if self._path else name
        if callable(value) and not isinstance(value, type):
            method = value
            if self._mode == "async" and hasattr(self._obj, name + "_async"):
                method_async = getattr(self._obj, name + "_async")

                def method(*args: Any, **kwargs: Any) -> Any:
                    assert self._loop is not None
                    return self._loop.run_until_complete(method_async(*args, **kwargs))

            if self._pacer is None:
                return method
            pacer = self._pacer

            def paced(*args: Any, **kwargs: Any) -> Any:
                pacer.wait(path, kwargs)
                return method(*args, **kwargs)

            return paced
        if isinstance(value, (str, int, float, bool, dict, list)) or value is None:
            return value
        return SDK(value, self._mode, self._loop, self._pacer, path)


@dataclass
class Target:
    """Where the scenarios run: ``mock`` (the in-process mock, white box: outbox, clock, reset)
    or ``stytch`` (a remote server, black box: Stytch's Test API, or any URL such as a
    separately started ``stytch-mock``)."""

    name: str
    url: str
    project_id: str
    secret: str
    # Rate-limited calls are paced on a remote target (one pacer for the whole run).
    pacer: Pacer | None = None

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
        # The SDK knows Stytch's Test API as "test"; any other value is used as the base URL.
        kwargs["environment"] = "test" if self.url == STYTCH_TEST_URL else self.url
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
        yield SDK(target.make_client(checker), "sync", None, target.pacer)
        return
    own_loop = loop is None
    if loop is None:
        loop = asyncio.new_event_loop()
    session = open_recording_session(loop, checker)
    try:
        yield SDK(target.make_client(checker, async_session=session), "async", loop, target.pacer)
    finally:
        loop.run_until_complete(session.close())
        if own_loop:
            loop.close()
