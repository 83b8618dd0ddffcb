"""The reference app, over HTTP, against the in-process mock.

Each test runs the app in-process (aiohttp's test server) with ``STYTCH_API_URL`` pointed at
the ``stytch_mock`` fixture and its credentials, then drives it as a browser would: forms with
their CSRF token, the cookie jar, and the links the mock's outbox holds. What the app claims
is checked at the mock through the official SDK (the session in the cookie, its revocation).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from reference_app import Config, ConfigError, create_app
from reference_app.security import COOKIE_NAME, CookieState, fernet_for, unseal
from tests.support import REQUEST_ID, UUID, assert_sdk_error

APP_SECRET = "app-secret-for-the-reference-app-tests"
REPO = Path(__file__).resolve().parents[1]


def app_config(mock: StytchMock, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "project_id": mock.project_id,
        "secret": mock.secret,
        "api_url": mock.url,
        "app_secret": APP_SECRET,
    }
    values.update(overrides)
    return Config(**values)


class Browser:
    """The app under test, seen through one browser's cookie jar."""

    def __init__(self, client: TestClient, mock: StytchMock) -> None:
        self.client = client
        self.mock = mock
        self.base = str(client.make_url("/")).rstrip("/")

    async def get(self, path: str) -> tuple[int, str, Any]:
        resp = await self.client.get(path, allow_redirects=False)
        return resp.status, await resp.text(), resp

    async def post(self, path: str, **kwargs: Any) -> tuple[int, str, Any]:
        resp = await self.client.post(path, allow_redirects=False, **kwargs)
        return resp.status, await resp.text(), resp

    async def csrf(self, path: str = "/") -> str:
        status, html, _ = await self.get(path)
        assert status == 200, html
        return csrf_in(html)

    async def request_link(self, email: str) -> str:
        status, html, _ = await self.post(
            "/login", data={"email": email, "csrf_token": await self.csrf()}
        )
        assert status == 200, html
        assert "Check your email" in html
        return html

    def link_path(self, email: str) -> str:
        """The latest link mailed to ``email``: it must come back to this app."""
        link = self.mock.outbox.latest_link(email)
        assert link.startswith(self.base + "/authenticate?"), link
        return link[len(self.base) :]

    async def open_link(self, email: str) -> tuple[int, str, Any]:
        return await self.get(self.link_path(email))

    def cookie_value(self) -> str | None:
        found = self.client.session.cookie_jar.filter_cookies(self.client.make_url("/"))
        morsel = found.get(COOKIE_NAME)
        return morsel.value if morsel else None

    def state(self) -> CookieState:
        return unseal(fernet_for(APP_SECRET), self.cookie_value())

    def session(self) -> Any:
        """The session in the cookie, as the mock authenticates it (through the SDK)."""
        return self.mock.client.sessions.authenticate(session_token=self.state()["session_token"])

    def set_cookie(self, value: str) -> None:
        self.client.session.cookie_jar.update_cookies(
            {COOKIE_NAME: value}, response_url=self.client.make_url("/")
        )

    async def log_in_as_new_user(self, email: str) -> str:
        """Login link -> create organization -> dashboard; returns the session token."""
        await self.request_link(email)
        status, _, resp = await self.open_link(email)
        assert (status, resp.headers["Location"]) == (303, "/create-organization")
        token = await self.csrf("/create-organization")
        status, html, resp = await self.post(
            "/create-organization",
            data={
                "csrf_token": token,
                "organization_name": "Acme Labs",
                "organization_slug": "acme-labs",
            },
        )
        assert (status, resp.headers.get("Location")) == (303, "/dashboard"), html
        return self.state()["session_token"]


def csrf_in(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|code)>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def assert_friendly_error(
    status: int, html: str, resp: Any, expected_status: int, error_type: str
) -> None:
    """A page, not a JSON dump nor a traceback, naming the error_type and request_id."""
    assert status == expected_status, html
    assert resp.content_type == "text/html"
    assert text_of(html, "error-type") == error_type
    assert REQUEST_ID.fullmatch(text_of(html, "request-id"))
    assert "Traceback" not in html and '"status_code"' not in html


@pytest.fixture
async def browser(stytch_mock: StytchMock, aiohttp_client: Any) -> Browser:
    client = await aiohttp_client(create_app(app_config(stytch_mock)))
    return Browser(client, stytch_mock)


def seed_orgs(mock: StytchMock, email: str, *names: str) -> list[str]:
    made = mock.seed(
        {
            "organizations": [
                {
                    "organization_name": name,
                    "organization_slug": name.lower().replace(" ", "-"),
                    "members": [{"email_address": email, "status": "active"}],
                }
                for name in names
            ]
        }
    )
    return [org["organization_id"] for org in made["organizations"]]


# --- the login paths ---


async def test_new_user_creates_an_organization_and_sees_the_dashboard(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.request_link("ada@acme-labs.com")
    status, _, resp = await browser.open_link("ada@acme-labs.com")
    assert (status, resp.headers["Location"]) == (303, "/create-organization")

    status, html, _ = await browser.get("/create-organization")
    assert status == 200
    assert 'name="organization_name" value="Acme Labs"' in html  # prefilled from the email
    assert 'name="organization_slug" value="acme-labs"' in html
    status, _, resp = await browser.post(
        "/create-organization",
        data={
            "csrf_token": csrf_in(html),
            "organization_name": "Acme Labs",
            "organization_slug": "acme-labs",
        },
    )
    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    assert "ist" not in browser.state()  # the intermediate session is spent

    status, html, _ = await browser.get("/dashboard")
    assert status == 200
    session = browser.session()
    assert session.member.email_address == "ada@acme-labs.com"
    assert session.organization.organization_slug == "acme-labs"
    assert text_of(html, "member-email") == "ada@acme-labs.com"
    assert text_of(html, "organization-name") == "Acme Labs (acme-labs)"
    assert set(text_of(html, "roles").split(", ")) == set(session.member_session.roles)
    assert "stytch_admin" in session.member_session.roles  # the creator administers it
    expires = session.member_session.expires_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert text_of(html, "session-expires") == expires


async def test_returning_member_is_logged_straight_in_to_their_organization(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    (org_id,) = seed_orgs(stytch_mock, "grace@navy.example", "Navy Labs")
    await browser.request_link("grace@navy.example")
    status, _, resp = await browser.open_link("grace@navy.example")
    assert (status, resp.headers["Location"]) == (303, "/dashboard")

    session = browser.session()
    assert session.organization.organization_id == org_id
    assert session.member.email_address == "grace@navy.example"
    status, html, _ = await browser.get("/dashboard")
    assert status == 200
    assert text_of(html, "organization-name") == "Navy Labs (navy-labs)"


async def test_member_of_two_organizations_picks_one(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    first, second = seed_orgs(stytch_mock, "lin@two.example", "Alpha Team", "Beta Team")
    await browser.request_link("lin@two.example")
    status, _, resp = await browser.open_link("lin@two.example")
    assert (status, resp.headers["Location"]) == (303, "/select-organization")

    status, html, _ = await browser.get("/select-organization")
    assert status == 200
    offered = re.findall(r'name="organization_id" value="([^"]+)"', html)
    assert sorted(offered) == sorted([first, second])
    assert "Alpha Team" in html and "Beta Team" in html

    status, _, resp = await browser.post(
        "/select-organization", data={"csrf_token": csrf_in(html), "organization_id": second}
    )
    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    session = browser.session()
    assert session.organization.organization_id == second
    status, html, _ = await browser.get("/dashboard")
    assert text_of(html, "organization-name") == "Beta Team (beta-team)"


async def test_multi_tenant_magic_link_logs_in_to_its_organization(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    (org_id,) = seed_orgs(stytch_mock, "kim@mt.example", "Multi Tenant")
    stytch_mock.client.magic_links.email.login_or_signup(
        organization_id=org_id,
        email_address="kim@mt.example",
        login_redirect_url=browser.base + "/authenticate",
        signup_redirect_url=browser.base + "/authenticate",
    )
    path = browser.link_path("kim@mt.example")
    assert parse_qs(urlsplit(path).query)["stytch_token_type"] == ["multi_tenant_magic_links"]

    status, _, resp = await browser.get(path)
    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    session = browser.session()
    assert session.organization.organization_id == org_id
    status, html, _ = await browser.get("/dashboard")
    assert text_of(html, "member-email") == "kim@mt.example"


async def test_json_login_sends_the_discovery_link(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    status, html, _ = await browser.post("/login", json={"email": "json@acme.example"})
    assert status == 200, html
    assert "Check your email" in html
    message = stytch_mock.outbox.latest("json@acme.example")
    assert message["kind"] == "discovery"
    assert message["link"].startswith(browser.base + "/authenticate?stytch_token_type=discovery")


async def test_outbox_page_lists_the_mocks_links_for_that_email(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    html = await browser.request_link("ada@outbox.example")
    assert 'href="/outbox?to=ada%40outbox.example"' in html
    await browser.request_link("bob@outbox.example")  # not on ada's page
    status, html, _ = await browser.get("/outbox?to=ada%40outbox.example")
    assert status == 200
    links = [unescape(href) for href in re.findall(r'class="email-link" href="([^"]+)"', html)]
    assert links == [stytch_mock.outbox.latest_link("ada@outbox.example")]


async def test_outbox_page_shows_every_message_with_its_body(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.request_link("ada@outbox.example")
    await browser.request_link("bob@outbox.example")
    status, html, _ = await browser.get("/outbox")
    assert status == 200
    assert "<h1>Outbox</h1>" in html
    # newest first, each with its recipient and its body
    assert html.index("email to bob@outbox.example") < html.index("email to ada@outbox.example")
    bodies = re.findall(r'<pre class="body">(.*?)</pre>', html, re.S)
    assert len(bodies) == 2
    assert "Click the link below to log in." in unescape(bodies[0])
    assert (
        unescape(bodies[0]).strip().endswith(stytch_mock.outbox.latest_link("bob@outbox.example"))
    )


async def test_a_second_person_at_a_company_is_offered_a_free_slug_and_told_why(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    """ada made acme-widgets; bob@acme-widgets.com is not offered it (email JIT is off by
    default), so the form suggests acme-widgets-2 and says why, instead of a taken slug."""
    stytch_mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Acme Widgets",
                    "organization_slug": "acme-widgets",
                    "members": [{"email_address": "ada@acme-widgets.com"}],
                },
                {"organization_name": "Acme Widgets 2", "organization_slug": "acme-widgets-2"},
            ]
        }
    )
    await browser.request_link("bob@acme-widgets.com")
    status, _, resp = await browser.open_link("bob@acme-widgets.com")
    assert (status, resp.headers["Location"]) == (303, "/create-organization")
    status, html, _ = await browser.get("/create-organization")
    assert status == 200
    assert 'name="organization_slug" value="acme-widgets-3"' in html
    notice = re.search(r'id="slug-taken">(.*?)</p>', html, re.S)
    assert notice, html
    text = " ".join(re.sub(r"<[^>]+>", "", unescape(notice.group(1))).split())
    assert "An organization called acme-widgets exists already" in text
    assert "email JIT provisioning is off" in text
    status, _, resp = await browser.post(
        "/create-organization",
        data={
            "csrf_token": csrf_in(html),
            "organization_name": "Bob's Widgets",
            "organization_slug": "acme-widgets-3",
        },
    )
    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    assert browser.session().organization.organization_slug == "acme-widgets-3"


async def test_outbox_page_does_not_exist_when_talking_to_stytch(
    stytch_mock: StytchMock, aiohttp_client: Any
) -> None:
    config = app_config(stytch_mock, api_url="https://test.stytch.com/")
    client = await aiohttp_client(create_app(config))
    resp = await client.get("/outbox?to=ada%40acme.example")
    assert resp.status == 404
    assert "There is no page here." in await resp.text()


# --- logout and the cookie ---


async def test_logout_revokes_the_session_at_stytch_and_clears_the_cookie(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    session_token = await browser.log_in_as_new_user("ada@logout.example")
    stytch_mock.client.sessions.authenticate(session_token=session_token)  # valid until now

    status, _, resp = await browser.get("/logout")
    assert (status, resp.headers["Location"]) == (303, "/?logged_out=1")
    assert browser.cookie_value() is None
    assert "Max-Age=0" in resp.headers["Set-Cookie"]
    with pytest.raises(StytchError) as caught:
        stytch_mock.client.sessions.authenticate(session_token=session_token)
    assert_sdk_error(caught, 404, "session_not_found")
    status, html, _ = await browser.get("/?logged_out=1")
    assert "You have been logged out." in html


async def test_session_cookie_is_encrypted_httponly_and_samesite_lax(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.request_link("ada@cookie.example")
    _, _, resp = await browser.open_link("ada@cookie.example")
    set_cookie = resp.headers["Set-Cookie"]
    assert set_cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    ist = browser.state()["ist"]
    assert ist
    assert ist not in browser.cookie_value()  # not readable from the cookie


async def test_tampered_cookie_is_not_a_session(browser: Browser, stytch_mock: StytchMock) -> None:
    session_token = await browser.log_in_as_new_user("ada@tamper.example")
    value = browser.cookie_value()
    assert value and session_token not in value
    middle = len(value) // 2
    tampered = value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]
    browser.set_cookie(tampered)

    status, _, resp = await browser.get("/dashboard")
    assert (status, resp.headers["Location"]) == (303, "/")
    assert "session_token" not in browser.state()  # replaced by a fresh, anonymous cookie

    browser.set_cookie(value)  # the genuine cookie still works: only the forgery was refused
    status, html, _ = await browser.get("/dashboard")
    assert status == 200
    assert text_of(html, "member-email") == "ada@tamper.example"


async def test_cookie_sealed_with_another_app_secret_is_refused(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    from reference_app.security import seal

    session_token = await browser.log_in_as_new_user("ada@forge.example")
    forged = seal(fernet_for("some other secret"), {"session_token": session_token})
    browser.set_cookie(forged)
    status, _, resp = await browser.get("/dashboard")
    assert (status, resp.headers["Location"]) == (303, "/")


# --- CSRF ------------------------------------------------------------------------------


async def test_login_form_without_csrf_token_is_refused(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.csrf()  # the browser has its cookie, the forged form lacks the token
    status, html, _ = await browser.post("/login", data={"email": "victim@csrf.example"})
    assert status == 403
    assert "This form has expired or did not come from this app." in html
    status, _, _ = await browser.post(
        "/login", data={"email": "victim@csrf.example", "csrf_token": "guessed"}
    )
    assert status == 403
    assert stytch_mock.outbox.messages("victim@csrf.example") == []


async def test_create_organization_without_csrf_token_creates_nothing(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.request_link("ada@csrf-org.example")
    await browser.open_link("ada@csrf-org.example")
    form = {"organization_name": "Evil Corp", "organization_slug": "evil-corp"}
    status, _, _ = await browser.post("/create-organization", data=form)
    assert status == 403
    assert stytch_mock.client.organizations.search().organizations == []

    token = await browser.csrf("/create-organization")  # the real form still works
    status, _, resp = await browser.post("/create-organization", data={**form, "csrf_token": token})
    assert (status, resp.headers["Location"]) == (303, "/dashboard")


async def test_cross_origin_json_login_is_refused(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    status, _, _ = await browser.post(
        "/login", json={"email": "victim@json.example"}, headers={"Origin": "https://evil.example"}
    )
    assert status == 403
    assert stytch_mock.outbox.messages("victim@json.example") == []


async def test_csrf_token_changes_when_logging_in(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    before = await browser.csrf()
    await browser.log_in_as_new_user("ada@rotate.example")
    assert browser.state()["csrf"] != before


# --- errors become pages ---


async def test_expired_link_shows_a_friendly_page(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.request_link("ada@late.example")
    stytch_mock.advance_clock(minutes=61)
    status, html, resp = await browser.open_link("ada@late.example")
    assert_friendly_error(status, html, resp, 401, "unable_to_auth_magic_link")
    assert "This login link has expired or has already been used." in html


async def test_used_link_shows_a_friendly_page(browser: Browser, stytch_mock: StytchMock) -> None:
    seed_orgs(stytch_mock, "ada@twice.example", "Twice")
    await browser.request_link("ada@twice.example")
    status, _, _ = await browser.open_link("ada@twice.example")
    assert status == 303
    status, html, resp = await browser.open_link("ada@twice.example")
    assert_friendly_error(status, html, resp, 401, "unable_to_auth_magic_link")


async def test_invalid_email_shows_stytchs_error_on_a_page(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    status, html, resp = await browser.post(
        "/login", data={"email": "not-an-email", "csrf_token": await browser.csrf()}
    )
    assert_friendly_error(status, html, resp, 400, "invalid_email")


async def test_empty_email_shows_the_form_again(browser: Browser) -> None:
    status, html, _ = await browser.post(
        "/login", data={"email": "  ", "csrf_token": await browser.csrf()}
    )
    assert status == 400
    assert "Enter your email address." in html and 'action="/login"' in html


async def test_unknown_token_type_gives_a_400_page(browser: Browser) -> None:
    status, html, resp = await browser.get("/authenticate?stytch_token_type=sms&token=abc")
    assert status == 400
    assert resp.content_type == "text/html"
    assert text_of(html, "error-type") == "unsupported token type: sms"


async def test_slug_taken_shows_the_form_again_with_stytchs_error(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    seed_orgs(stytch_mock, "someone@else.example", "Acme Labs")  # slug acme-labs is taken
    await browser.request_link("ada@acme-labs.com")
    await browser.open_link("ada@acme-labs.com")
    # ada is not in the seeded org (another domain): she gets the create form
    status, html, _ = await browser.get("/create-organization")
    assert status == 200
    status, html, _ = await browser.post(
        "/create-organization",
        data={
            "csrf_token": csrf_in(html),
            "organization_name": "Acme Labs",
            "organization_slug": "acme-labs",
        },
    )
    assert status == 400, html
    assert "<code>organization_slug_already_used</code>" in html
    assert re.search(rf"request_id <code>request-id-test-{UUID}</code>", html), html
    assert 'action="/create-organization"' in html


async def test_expired_session_sends_the_member_back_to_login(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.log_in_as_new_user("ada@expire.example")
    stytch_mock.advance_clock(minutes=61)  # sessions last 60 minutes by default
    status, _, resp = await browser.get("/dashboard")
    assert (status, resp.headers["Location"]) == (303, "/")
    assert "session_token" not in browser.state()
    status, html, _ = await browser.get("/")
    assert "Your session has ended. Please log in again." in html


async def test_unknown_page_and_wrong_method_are_pages_too(browser: Browser) -> None:
    status, html, resp = await browser.get("/nope")
    assert (status, resp.content_type) == (404, "text/html")
    assert "There is no page here." in html
    status, html, resp = await browser.get("/login")
    assert (status, resp.content_type) == (405, "text/html")
    assert "This page does not take that kind of request." in html


async def test_unexpected_error_is_a_page_without_traceback(
    browser: Browser, stytch_mock: StytchMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reference_app.app

    def broken(email: str) -> tuple[str, str]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(reference_app.app, "_prefill", broken)
    await browser.request_link("ada@broken.example")
    await browser.open_link("ada@broken.example")
    status, html, resp = await browser.get("/create-organization")
    assert (status, resp.content_type) == (500, "text/html")
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


async def test_dashboard_without_a_session_redirects_to_login(browser: Browser) -> None:
    status, _, resp = await browser.get("/dashboard")
    assert (status, resp.headers["Location"]) == (303, "/")


async def test_select_organization_without_a_login_in_progress(browser: Browser) -> None:
    status, html, _ = await browser.get("/select-organization")
    assert status == 400
    assert "There is no login in progress" in html


async def test_unreachable_stytch_gives_a_502_page(
    stytch_mock: StytchMock, aiohttp_client: Any, unused_tcp_port: int
) -> None:
    config = app_config(stytch_mock, api_url=f"http://127.0.0.1:{unused_tcp_port}/")
    browser = Browser(await aiohttp_client(create_app(config)), stytch_mock)
    status, html, _ = await browser.post(
        "/login", data={"email": "ada@down.example", "csrf_token": await browser.csrf()}
    )
    assert status == 502
    assert "Stytch cannot be reached" in html and "Traceback" not in html


# --- configuration ---


def test_config_reads_the_environment_before_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "STYTCH_PROJECT_ID=project-test-from-file\nSTYTCH_SECRET=secret-from-file\n"
        "APP_SECRET=file-secret\nPORT=4000\n"
    )
    config = Config.from_env({"STYTCH_SECRET": "secret-from-env"}, env_file=env_file)
    assert (config.project_id, config.secret) == ("project-test-from-file", "secret-from-env")
    assert (config.app_secret, config.port, config.api_url) == ("file-secret", 4000, None)
    assert not config.ephemeral_app_secret and not config.talks_to_mock


def test_config_without_credentials_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="STYTCH_PROJECT_ID and STYTCH_SECRET must be set"):
        Config.from_env({}, env_file=tmp_path / "missing.env")


def test_config_without_app_secret_uses_a_random_key(tmp_path: Path) -> None:
    env = {"STYTCH_PROJECT_ID": "project-test-x", "STYTCH_SECRET": "s"}
    one = Config.from_env(env, env_file=tmp_path / "none")
    two = Config.from_env(env, env_file=tmp_path / "none")
    assert one.ephemeral_app_secret and one.app_secret != two.app_secret
    assert one.port == 3000


# --- make run ---


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    done = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(marker):
                done.set()
        done.set()

    threading.Thread(target=pump, daemon=True).start()
    done.wait(timeout)
    return lines


@pytest.fixture
def devserver(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STYTCH_", "APP_"))}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reference_app.devserver", "--port", "0", "--mock-port", "0"],
        cwd=tmp_path,  # no .env there
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc, _read_until(proc, "Ctrl-C stops both.", timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow  # real processes
@pytest.mark.parametrize("taken", ["--port", "--mock-port"])
def test_devserver_says_which_server_cannot_listen(tmp_path: Path, taken: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STYTCH_", "APP_"))}
    env["PYTHONPATH"] = str(REPO)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ports = {"--port": "0", "--mock-port": "0", taken: str(port)}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reference_app.devserver",
                *(x for kv in ports.items() for x in kv),
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    server = "the reference app" if taken == "--port" else "the mock"
    assert f"devserver: error: {server} cannot listen on 127.0.0.1:{port}" in done.stderr
    assert f'make run ARGS="{taken} {port + 1}"' in done.stderr


@pytest.mark.slow  # real processes
@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_devserver_runs_the_mock_and_the_app_wired_together(
    devserver: tuple[subprocess.Popen[str], list[str]], stop_with: signal.Signals
) -> None:
    proc, lines = devserver
    output = "\n".join(lines)
    mock = re.search(r"stytch-b2b-mock \S+ listening on (http://127\.0\.0\.1:\d+/)", output)
    app = re.search(r"^open (http://localhost:(\d+))$", output, re.M)
    assert mock and app, output
    with urllib.request.urlopen(mock.group(1) + "_mock/health", timeout=10) as resp:
        assert resp.status == 200
    app_url = f"http://127.0.0.1:{app.group(2)}"
    with urllib.request.urlopen(app_url + "/", timeout=10) as resp:
        assert "Log in or sign up" in resp.read().decode()
    # the app reads the mock's outbox with the mock's credentials: they are wired together
    with urllib.request.urlopen(app_url + "/outbox?to=ada%40dev.example", timeout=10) as resp:
        assert "No message to ada@dev.example yet." in resp.read().decode()

    started = time.monotonic()
    proc.send_signal(stop_with)
    assert proc.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    assert "stopping the reference app and the mock" in "\n".join(lines)


# --- acting as the member: renaming the organization ---


async def test_an_admin_renames_the_organization_with_their_own_session(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    await browser.log_in_as_new_user("ada@acme-labs.com")
    org_id = browser.session().organization.organization_id
    status, html, resp = await browser.post(
        "/rename-organization",
        data={"csrf_token": await browser.csrf("/dashboard"), "organization_name": "Acme Rockets"},
    )
    assert (status, resp.headers.get("Location")) == (303, "/dashboard"), html
    status, html, _ = await browser.get("/dashboard")
    assert status == 200
    assert text_of(html, "organization-name") == "Acme Rockets (acme-labs)"
    assert "The organization is now called Acme Rockets." in html
    org = stytch_mock.client.organizations.get(organization_id=org_id).organization
    assert org.organization_name == "Acme Rockets"


async def test_a_plain_member_is_refused_by_stytch_when_renaming(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    (org_id,) = seed_orgs(stytch_mock, "grace@navy.example", "Navy Labs")
    await browser.request_link("grace@navy.example")
    await browser.open_link("grace@navy.example")
    assert browser.session().member_session.roles == ["stytch_member"]
    status, html, resp = await browser.post(
        "/rename-organization",
        data={"csrf_token": await browser.csrf("/dashboard"), "organization_name": "Mutiny"},
    )
    assert_friendly_error(status, html, resp, 403, "session_authorization_error")
    assert "Only an admin of the organization may do that." in html
    org = stytch_mock.client.organizations.get(organization_id=org_id).organization
    assert org.organization_name == "Navy Labs"


async def test_renaming_without_a_csrf_token_or_a_session_changes_nothing(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    status, _, resp = await browser.post("/rename-organization", data={"organization_name": "X"})
    assert status == 403
    status, _, resp = await browser.post(
        "/rename-organization", data={"csrf_token": await browser.csrf(), "organization_name": "X"}
    )
    assert (status, resp.headers.get("Location")) == (303, "/")


async def test_an_impersonation_link_from_the_console_logs_the_app_in_as_the_member(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    """The console's Impersonate button does what Stytch's Dashboard does: the browser lands on
    the app's /authenticate with stytch_token_type=multi_tenant_impersonation."""
    (org_id,) = seed_orgs(stytch_mock, "kim@mt.example", "Multi Tenant")
    member = stytch_mock.client.organizations.members.get(
        organization_id=org_id, email_address="kim@mt.example"
    ).member
    token = stytch_mock.impersonation_token(org_id, member.member_id)

    status, _, resp = await browser.get(
        f"/authenticate?stytch_token_type=multi_tenant_impersonation&token={token}"
    )

    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    session = browser.session()
    assert session.member.member_id == member.member_id
    factor = session.member_session.authentication_factors[0]
    assert (factor.type, factor.impersonated_factor.impersonator_email_address) == (
        "impersonated",
        "support@example.com",
    )
    status, html, _ = await browser.get("/dashboard")
    assert text_of(html, "member-email") == "kim@mt.example"
