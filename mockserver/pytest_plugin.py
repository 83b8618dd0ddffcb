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

import asyncio
import base64
import dataclasses
import html
import json
import re
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
# Any URL of the local machine, with or without a port, any path and query string (``**`` is
# the mock's any-run wildcard); stytch_mock.set_redirect_urls(...) narrows or widens it.
FIXTURE_REDIRECT_URLS = [
    "http://localhost:3000/authenticate",
    "http://localhost/**",
    "http://localhost:*/**",
    "http://127.0.0.1/**",
    "http://127.0.0.1:*/**",
]


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError, read like any other status


_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


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
    follow: bool = True,
) -> RawResponse:
    """One plain HTTP request with exactly these headers; any status comes back as a
    :class:`RawResponse` (JSON parsed when it is JSON). ``follow=False``: a redirect comes
    back as it is (its ``Location`` header)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    open_url = urllib.request.urlopen if follow else _NO_REDIRECTS.open
    try:
        with open_url(req, timeout=30) as resp:
            status, payload, resp_headers = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        status, payload, resp_headers = err.code, err.read(), dict(err.headers)
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = payload.decode(errors="replace")
    return RawResponse(status, parsed, resp_headers)


_SAML_FIELD = re.compile(r"""name=["'](SAMLResponse|RelayState)["'] value=["']([^"']*)["']""")
_FORM_ACTION = re.compile(r"""<form[^>]*action=["']([^"']+)["']""")


def browse(url: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
    """One browser step without following redirects: (status, Location, body text)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if form is not None else "GET")
    try:
        with _NO_REDIRECTS.open(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Location", ""), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read().decode(errors="replace")


def sso_login(
    base_url: str,
    public_token: str,
    connection_id: str,
    email: str,
    *,
    name: str = "",
    user_id: str = "",
    groups: list[str] | tuple[str, ...] = (),
    login_redirect_url: str | None = None,
    signup_redirect_url: str | None = None,
    pkce_code_challenge: str | None = None,
) -> dict[str, str]:
    """The non-interactive SSO login: ``/v1/public/sso/start`` with ``login_hint`` and the
    ``mock_*`` user parameters, through the built-in IdP, to the app's redirect URL. Returns
    the final URL's query (``stytch_token_type``, ``token``) plus ``url``."""
    params = {"connection_id": connection_id, "public_token": public_token, "login_hint": email}
    optional = {
        "mock_name": name,
        "mock_user_id": user_id,
        "mock_groups": ",".join(groups),
        "login_redirect_url": login_redirect_url,
        "signup_redirect_url": signup_redirect_url,
        "pkce_code_challenge": pkce_code_challenge,
    }
    params.update({k: v for k, v in optional.items() if v})
    url = base_url.rstrip("/") + "/v1/public/sso/start?" + urllib.parse.urlencode(params)
    form: dict[str, str] | None = None
    for _ in range(10):
        status, location, body = browse(url, form)
        form = None
        if 300 <= status < 400 and location:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
            if query.get("stytch_token_type") == "sso" and "token" in query:
                return {**query, "url": location}
            url = urllib.parse.urljoin(url, location)
        elif status == 200 and "SAMLResponse" in body:
            action = _FORM_ACTION.search(body)
            assert action is not None, body
            url = html.unescape(action.group(1))
            form = {k: html.unescape(v) for k, v in _SAML_FIELD.findall(body)}
        else:
            raise AssertionError(f"SSO login stopped at {url} with {status}: {body[:500]}")
    raise AssertionError("SSO login did not reach the app within 10 steps")


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
        self._mfa_changed = False
        self._redirect_urls_changed = False
        self._public_token: str | None = None
        # The request log's position when the test started (see pytest_runtest_makereport).
        self.requests_from = 0

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

    def close(self) -> None:
        """Close the aiohttp session the client's ``*_async`` methods opened, if any (the
        fixture does it after each test, so no "Unclosed client session" warning follows)."""
        client, self._client = self._client, None
        session = getattr(client.async_client, "_AsyncClient__session", None) if client else None
        if session is None or session.closed:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the usual case: the test's own loop has ended
            asyncio.run(session.close())
        else:
            loop.create_task(session.close())

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

    def totp_code(self, secret: str, *, steps: int = 0) -> str:
        """The TOTP code an authenticator app with ``secret`` shows at the mock's clock (so it
        follows ``advance_clock``); ``steps`` moves 30-second steps forward or back."""
        return self.control("POST", "_mock/totp_code", {"secret": secret, "steps": steps})["code"]

    def configure_mfa(self, **settings: Any) -> dict[str, Any]:
        """Change the project's MFA settings (``otp_sandbox``, ``mask_mfa_phone_number``,
        ``member_lock_threshold``, ``member_lock_minutes``) for this test; the fixture puts the
        defaults back afterwards."""
        self._mfa_changed = True
        return self.control("PUT", "_mock/settings/mfa", settings)

    def reset(self) -> None:
        """Forget every organization, member, token and session; empty the outbox; put the
        clock back."""
        self.control("POST", "_mock/reset")
        self.close()

    # --- OAuth (the mock's provider, non-interactive) -------------------------------------

    def oauth_redirect(
        self,
        provider: str,
        email: str,
        *,
        discovery: bool = False,
        organization: str | None = None,
        slug: str | None = None,
        redirect_url: str | None = None,
        pkce_code_challenge: str | None = None,
        custom_scopes: list[str] | None = None,
        **identity: Any,
    ) -> str:
        """Run an OAuth start URL with ``provider_login_hint=email`` and return where it
        redirects: the app's URL with ``stytch_token_type`` and ``token``. ``identity`` sets
        the provider's answer (``name``, ``email_verified``, ``hd``, ``tenant_ids`` (a list),
        ``subject``, ``deny``), sent as the start URL's ``mock_*`` parameters."""
        params: dict[str, str] = {"public_token": self.public_token, "provider_login_hint": email}
        if discovery:
            path = f"v1/b2b/public/oauth/{provider}/discovery/start"
            if redirect_url is not None:
                params["discovery_redirect_url"] = redirect_url
        else:
            path = f"v1/b2b/public/oauth/{provider}/start"
            if organization is not None:
                params["organization_id"] = organization
            if slug is not None:
                params["slug"] = slug
            if redirect_url is not None:
                params["login_redirect_url"] = params["signup_redirect_url"] = redirect_url
        if pkce_code_challenge is not None:
            params["pkce_code_challenge"] = pkce_code_challenge
        if custom_scopes:
            params["custom_scopes"] = " ".join(custom_scopes)
        for name, value in identity.items():
            if isinstance(value, list | tuple):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            params[f"mock_{name}"] = str(value)
        resp = send_http(f"{self.url}{path}?{urllib.parse.urlencode(params)}", follow=False)
        if resp.status != 302:
            raise AssertionError(f"OAuth start answered {resp.status}: {resp.json}")
        return resp.headers["Location"]

    def oauth_token(
        self, provider: str, email: str, *, organization: str | None = None, **kwargs: Any
    ) -> str:
        """A fresh ``oauth_token`` for ``oauth.authenticate``: ``email`` signs in with
        ``provider`` to ``organization`` (an id; or pass ``slug=``). See
        :meth:`oauth_redirect` for the other arguments."""
        return _token_of(self.oauth_redirect(provider, email, organization=organization, **kwargs))

    def discovery_oauth_token(self, provider: str, email: str, **kwargs: Any) -> str:
        """A fresh ``discovery_oauth_token`` for ``oauth.discovery.authenticate``."""
        return _token_of(self.oauth_redirect(provider, email, discovery=True, **kwargs))

    def set_password_policy(self, **fields: Any) -> dict[str, Any]:
        """Change the project's password policy until the next reset (``strength_policy``,
        ``luds_min_password_length``, ``cross_org_passwords``, ``lock_threshold``, …: see
        ``POST /_mock/password_policy``); returns the whole policy."""
        return self.control("POST", "_mock/password_policy", fields)["password_policy"]

    # --- faults on demand ----------------------------------------------------------------

    def fail_next(
        self,
        operation: str,
        error: str | None = "too_many_requests",
        *,
        times: int | None = 1,
        rate: float | None = None,
        latency_ms: int = 0,
        email_address: str | None = None,
        organization_id: str | None = None,
    ) -> dict[str, Any]:
        """Make the next ``times`` calls of ``operation`` (an SDK method path such as
        ``"magic_links.email.discovery.send"``, or ``"POST /v1/b2b/..."``) fail with ``error``
        (``too_many_requests``, ``internal_server_error``, ``server_unavailable``; None for
        latency alone), optionally only for one email or organization, or a ``rate`` share of
        them (``times=None`` for no limit). Returns the fault as ``GET /_mock/faults`` lists it.
        """
        spec = {
            "operation": operation,
            "error": error,
            "times": times,
            "rate": rate,
            "latency_ms": latency_ms,
            "email_address": email_address,
            "organization_id": organization_id,
        }
        body = {k: v for k, v in spec.items() if v is not None or k == "times"}
        return self.control("POST", "_mock/faults", body)["fault"]

    def faults(self) -> list[dict[str, Any]]:
        return self.control("GET", "_mock/faults")["faults"]

    def clear_faults(self) -> None:
        self.control("DELETE", "_mock/faults")

    # --- SSO ----------------------------------------------------------------------------

    def sso_token(self, connection_id: str, email: str, **user: Any) -> str:
        """Sign ``email`` in through the connection's built-in IdP, as a browser would, and
        return the SSO token the app receives (for ``sso.authenticate``). ``user``: ``name``,
        ``user_id``, ``groups`` (a list), and the start call's ``login_redirect_url``,
        ``signup_redirect_url``, ``pkce_code_challenge`` (see :func:`sso_login`)."""
        return sso_login(self.url, self.public_token, connection_id, email, **user)["token"]

    # --- impersonation ------------------------------------------------------------------

    def impersonation_token(
        self,
        organization_id: str,
        member_id: str,
        *,
        impersonator_email_address: str = "support@example.com",
    ) -> str:
        """A fresh ``impersonation_token`` for ``impersonation.authenticate`` (what Stytch's
        Dashboard "Impersonate Member" button makes; ``POST /_mock/impersonation_tokens``):
        single use, valid for 5 minutes on the mock's clock."""
        body = {
            "organization_id": organization_id,
            "member_id": member_id,
            "impersonator_email_address": impersonator_email_address,
        }
        return self.control("POST", "_mock/impersonation_tokens", body)["impersonation_token"]

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Load fixtures (the ``--seed`` document: organizations with members); returns the
        ids of what was made."""
        return self.control("POST", "_mock/seed", data)

    # --- shortcuts and diagnostics ------------------------------------------------------

    def session_for(
        self,
        email_address: str,
        *,
        organization: str | None = None,
        roles: list[str] | None = None,
        session_duration_minutes: int | None = None,
    ) -> dict[str, Any]:
        """A logged-in member without a login: ``session_token``, ``session_jwt``,
        ``member``, ``organization`` and ``member_session`` (``POST /_mock/sessions``). The
        organization is an id or slug (a new slug makes it); none: the one discovery would
        derive from the email."""
        body: dict[str, Any] = {"email_address": email_address}
        for name, value in (
            ("organization", organization),
            ("roles", roles),
            ("session_duration_minutes", session_duration_minutes),
        ):
            if value is not None:
                body[name] = value
        return self.control("POST", "_mock/sessions", body)

    def set_redirect_urls(self, urls: list[str]) -> list[str]:
        """Replace the project's registered redirect URLs (the first is the default; ``*``
        matches within a segment, ``**`` anything) for this test; the fixture puts its own
        back afterwards."""
        self._redirect_urls_changed = True
        body = self.control("PUT", "_mock/project/redirect_urls", {"redirect_urls": urls})
        return body["redirect_urls"]

    def requests(self, since: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        """The project's last Stytch API requests (``GET /_mock/requests``), oldest first."""
        path = f"_mock/requests?{urllib.parse.urlencode({'since': since, 'limit': limit})}"
        return self.control("GET", path)["requests"]

    def last_request_seq(self) -> int:
        return self.control("GET", "_mock/requests?limit=1")["last_seq"]


def _token_of(location: str) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    if "token" not in query:
        raise AssertionError(f"the OAuth redirect carries no token: {location}")
    return query["token"][0]


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
def stytch_mock(stytch_mock_server: MockServer) -> Iterator[StytchMock]:
    """The mock's project, empty at the start of every test."""
    mock = StytchMock(stytch_mock_server.url, FIXTURE_PROJECT_ID, FIXTURE_SECRET)
    mock.reset()
    mock.requests_from = mock.last_request_seq()
    yield mock
    mock.close()
    if mock._redirect_urls_changed:
        mock.control("PUT", "_mock/project/redirect_urls", {"redirect_urls": FIXTURE_REDIRECT_URLS})
    if mock._mfa_changed:
        from .domain.mfa import MfaSettings

        mock.control("PUT", "_mock/settings/mfa", dataclasses.asdict(MfaSettings()))


def format_requests(requests: list[dict[str, Any]]) -> str:
    """One line per request: time, method, path, status, error type, duration, client."""
    lines = []
    for r in requests:
        error = f" {r['error_type']}" if r.get("error_type") else ""
        lines.append(
            f"{r['at']} {r['method']} {r['path']} -> {r['status']}{error} "
            f"({r['duration_ms']} ms, {r['user_agent'] or 'no User-Agent'})"
        )
    return "\n".join(lines) or "(no request reached the mock)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test that used ``stytch_mock`` gets the requests it made in its report."""
    report = yield
    mock = getattr(item, "funcargs", {}).get("stytch_mock")
    if report.failed and call.when == "call" and isinstance(mock, StytchMock):
        try:
            text = format_requests(mock.requests(since=mock.requests_from))
        except Exception as exc:  # the server may be what failed
            text = f"(the request log could not be read: {exc})"
        report.sections.append(("stytch-mock requests", text))
    return report
