"""pytest plugin (entry point ``pytest11``): the ``stytch_mock`` fixture.

::

    def test_login(stytch_mock):
        client = stytch_mock.client                      # a stytch.B2BClient pointed at the mock
        client.magic_links.email.discovery.send(email_address="ada@example.com")
        token = stytch_mock.outbox.latest_token("ada@example.com")
        ...
        stytch_mock.advance_clock(minutes=61)           # instead of sleeping

The server starts once per test session, in a background thread; every test starts with an
empty project (state, outbox and clock reset). The fixture talks to the server only over HTTP,
through the same control API a user has (``/_mock/…``).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported lazily: this module loads in every pytest run of the environment
    from stytch import B2BClient

    from .server import MockServer

FIXTURE_PROJECT_ID = "project-test-11111111-1111-4111-8111-111111111111"
FIXTURE_SECRET = "secret-test-stytch-mock-pytest-fixture"
FIXTURE_REDIRECT_URLS = [
    "http://localhost:3000/authenticate",
    "http://localhost:*/*",
    "http://127.0.0.1:*/*",
]


@dataclass
class RawResponse:
    status: int
    json: Any
    headers: dict[str, str]


def send_http(
    url: str,
    method: str = "GET",
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> RawResponse:
    """One plain HTTP request with exactly these headers; any status comes back as a
    :class:`RawResponse` (JSON parsed when it is JSON)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, payload, resp_headers = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        status, payload, resp_headers = err.code, err.read(), dict(err.headers)
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = payload.decode(errors="replace")
    return RawResponse(status, parsed, resp_headers)


class Outbox:
    """The project's outbox, as ``GET /_mock/outbox`` returns it (oldest first)."""

    def __init__(self, mock: StytchMock) -> None:
        self._mock = mock

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        path = "_mock/outbox" + (f"?{urllib.parse.urlencode({'to': to})}" if to else "")
        return self._mock.control("GET", path)["messages"]

    def latest(self, to: str) -> dict[str, Any]:
        found = self.messages(to)
        if not found:
            raise AssertionError(f"no email to {to!r} in the mock's outbox")
        return found[-1]

    def _latest_with(self, to: str, field: str) -> dict[str, Any]:
        for message in reversed(self.messages(to)):
            if field in message:
                return message
        raise AssertionError(f"no message with a {field} to {to!r} in the mock's outbox")

    def latest_token(self, to: str) -> str:
        """The token of the newest message to ``to`` that carries a link (any kind)."""
        return self._latest_with(to, "link")["token"]

    def latest_link(self, to: str) -> str:
        """The link of the newest message to ``to`` that carries one (any kind)."""
        return self._latest_with(to, "link")["link"]

    def latest_code(self, to: str) -> str:
        """The one-time code of the newest message to ``to`` (an email address or a phone
        number) that carries one."""
        return self._latest_with(to, "code")["code"]

    def clear(self) -> None:
        self._mock.control("DELETE", "_mock/outbox")


class StytchMock:
    """A handle on the in-process mock: its URL, credentials, a client, and the control API."""

    def __init__(self, url: str, project_id: str, secret: str) -> None:
        self.url = url
        self.project_id = project_id
        self.secret = secret
        self.outbox = Outbox(self)
        self._client: B2BClient | None = None
        self._public_token: str | None = None

    @property
    def public_token(self) -> str:
        """The project's public token (``public-token-test-…``), for frontend SDKs."""
        if self._public_token is None:
            self._public_token = self.control("GET", "_mock/project")["public_token"]
        return self._public_token

    # --- clients ------------------------------------------------------------------------

    def new_client(self, **kwargs: Any) -> B2BClient:
        """A fresh official ``stytch.B2BClient`` pointed at the mock."""
        from stytch import B2BClient

        return B2BClient(
            project_id=self.project_id, secret=self.secret, environment=self.url, **kwargs
        )

    @property
    def client(self) -> B2BClient:
        """One ``B2BClient`` per test (sync methods, and ``*_async`` ones)."""
        if self._client is None:
            self._client = self.new_client()
        return self._client

    # --- raw HTTP -----------------------------------------------------------------------

    @property
    def auth_header(self) -> str:
        raw = f"{self.project_id}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def sdk_auth_header(self, session_token: str | None = None) -> str:
        """The frontend SDK's ``Authorization``: ``public_token:session_token``, or the public
        token twice when logged out."""
        raw = f"{self.public_token}:{session_token or self.public_token}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> RawResponse:
        """Send one raw HTTP request (for what the SDK cannot express). Paths under ``sdk/``
        (the frontend SDK's API) go as a browser on ``http://localhost:3000`` sends them: the
        public token in the Basic user name (and password: logged out) and an ``Origin``."""
        data = (
            body
            if body is not None
            else (json.dumps(json_body).encode() if json_body is not None else None)
        )
        sent = {"Content-Type": "application/json"}
        if path.lstrip("/").startswith("sdk/"):
            sent["Origin"] = "http://localhost:3000"
            if auth:
                sent["Authorization"] = self.sdk_auth_header()
        elif auth:
            sent["Authorization"] = self.auth_header
        sent.update(headers or {})
        return send_http(self.url + path.lstrip("/"), method, body=data, headers=sent)

    def control(self, method: str, path: str, json_body: Any = None) -> Any:
        resp = self.request(method, path, json_body)
        if resp.status != 200:
            raise RuntimeError(f"{method} /{path} -> {resp.status}: {resp.json}")
        return resp.json

    # --- time and state -----------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromisoformat(self.control("GET", "_mock/clock")["now"])

    def advance_clock(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> datetime:
        """Move the project's clock forward; every expiry (links, ISTs, sessions, JWT
        times) follows it. Returns the new ``now``."""
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        body = self.control("POST", "_mock/clock", {"advance_seconds": total})
        return datetime.fromisoformat(body["now"])

    def reset(self) -> None:
        """Forget every organization, member, token and session; empty the outbox; put the
        clock back."""
        self.control("POST", "_mock/reset")
        self._client = None

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Load fixtures (the ``--seed`` document: organizations with members); returns the
        ids of what was made."""
        return self.control("POST", "_mock/seed", data)


def _start_server() -> MockServer:
    from .domain.project import ProjectConfig
    from .server import MockServer

    return MockServer(
        [ProjectConfig(FIXTURE_PROJECT_ID, FIXTURE_SECRET, list(FIXTURE_REDIRECT_URLS))]
    ).start()


@pytest.fixture(scope="session")
def stytch_mock_server() -> Iterator[MockServer]:
    """The in-process mock server, started once per test session."""
    server = _start_server()
    yield server
    server.stop()


@pytest.fixture
def stytch_mock(stytch_mock_server: MockServer) -> StytchMock:
    """The mock's project, empty at the start of every test."""
    mock = StytchMock(stytch_mock_server.url, FIXTURE_PROJECT_ID, FIXTURE_SECRET)
    mock.reset()
    return mock
