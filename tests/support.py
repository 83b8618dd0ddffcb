"""Helpers of the project's own tests: Stytch-error checks, raw HTTP, and set-up flows."""

from __future__ import annotations

import asyncio
import base64
import re
import threading
from typing import Any

import pytest
from aiohttp import web

from mockserver.domain.project import ProjectConfig
from mockserver.pytest_plugin import RawResponse, StytchMock
from mockserver.pytest_plugin import send_http as http  # noqa: F401  (re-exported)
from mockserver.server import MockServer
from reference_app import Config, create_app

ERROR_FIELDS = ("status_code", "request_id", "error_type", "error_message", "error_url")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
REQUEST_ID = re.compile(rf"^request-id-test-{UUID}$")

# Two configured projects on one extra server. A registers a redirect URL that carries a
# query string of its own (to see that links keep it).
PROJECT_A = ProjectConfig(
    "project-test-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    "secret-test-project-a",
    ["http://localhost:3000/authenticate", "http://localhost:3000/cb?next=%2Fhome&lang=en"],
)
PROJECT_B = ProjectConfig(
    "project-test-bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    "secret-test-project-b",
    ["http://localhost:3000/authenticate"],
)


def assert_stytch_error(resp: RawResponse, status: int, error_type: str | None = None) -> None:
    """A Stytch-shaped error: the HTTP status, JSON, all five fields consistent, no traceback."""
    assert resp.status == status, resp.json
    content_type = {k.lower(): v for k, v in resp.headers.items()}.get("content-type", "")
    assert content_type.startswith("application/json"), content_type
    body = resp.json
    assert isinstance(body, dict), body
    assert set(ERROR_FIELDS) <= set(body), body
    assert body["status_code"] == status
    assert REQUEST_ID.match(body["request_id"]), body["request_id"]
    assert isinstance(body["error_message"], str) and body["error_message"]
    assert body["error_url"] == (
        f"https://stytch.com/docs/b2b/api/errors/{status}#{body['error_type']}"
    )
    assert "Traceback" not in str(body) and 'File "' not in str(body)
    if error_type is not None:
        assert body["error_type"] == error_type, body


def assert_sdk_error(exc: pytest.ExceptionInfo[Any], status: int, error_type: str) -> None:
    """An SDK ``StytchError`` with this status and error type."""
    details = exc.value.details
    assert (details.status_code, details.error_type) == (status, error_type), details


def state_of(mock: StytchMock) -> dict[str, Any]:
    """The project's whole state document (``GET /_mock/state``)."""
    return mock.control("GET", "_mock/state")["state"]


def basic(project_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{project_id}:{secret}".encode()).decode()


def handle(server: MockServer, config: ProjectConfig) -> StytchMock:
    """A ``StytchMock`` handle on one project of another server (same helpers as the fixture)."""
    return StytchMock(server.url, config.project_id, config.secret)


# --- flows a test needs as set-up ---


def discovery_token(mock: StytchMock, email: str) -> str:
    """Send a discovery magic link through the SDK and read its token from the outbox."""
    mock.client.magic_links.email.discovery.send(email_address=email)
    return mock.outbox.latest_token(email)


def login_token(mock: StytchMock, org_id: str, email: str) -> str:
    """Send an organization login magic link through the SDK and read its token from the
    outbox."""
    mock.client.magic_links.email.login_or_signup(organization_id=org_id, email_address=email)
    return mock.outbox.latest_token(email)


def intermediate_session(mock: StytchMock, email: str) -> str:
    token = discovery_token(mock, email)
    resp = mock.client.magic_links.discovery.authenticate(discovery_magic_links_token=token)
    return resp.intermediate_session_token


def org_with_member(
    mock: StytchMock, email: str, name: str = "Acme Co", **org_settings: Any
) -> tuple[Any, Any]:
    """An organization and an active member (through the SDK)."""
    org = mock.client.organizations.create(organization_name=name, **org_settings).organization
    member = mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    ).member
    return org, member


def log_in(mock: StytchMock, org_id: str, email: str, **auth: Any) -> Any:
    """Log an existing member in with an organization magic link; the authenticate response."""
    token = login_token(mock, org_id, email)
    return mock.client.magic_links.authenticate(magic_links_token=token, **auth)


class MovableTime:
    """A time source for a server's clocks (``MockServer(clock_source=...)``) that a test moves
    by hand: ``time_source.now += 3600``."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.25

    def __call__(self) -> float:
        return self.now


# The reference app's cookie key in browser tests (so a test can read its session cookie).
APP_SECRET = "app-secret-for-the-browser-test"


class AppThread:
    """The reference app on a free port, served from a thread with its own event loop (the
    Playwright sync API owns the test's thread)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reference-app", daemon=True)

    def __enter__(self) -> AppThread:
        self._thread.start()
        if not self._ready.wait(timeout=30) or not self.url:
            raise RuntimeError("the reference app did not start")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._start())
        finally:
            self._ready.set()
        self._loop.run_forever()
        if self._runner is not None:
            self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _start(self) -> None:
        self._runner = web.AppRunner(create_app(self.config), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
