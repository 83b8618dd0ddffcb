"""The reference app in a real browser: Debian's Chromium driven by Playwright.

A person's whole first visit: type an email, submit, open the link from the mock's outbox,
create the organization, see the dashboard (a screenshot is saved under the test's
``tmp_path``), log out. Skipped, with the reason, where ``/usr/bin/chromium`` or the
``playwright`` package is missing (``.ci/run`` installs Chromium with apt-get; Playwright's
own browser downloads are not used).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from reference_app import Config, create_app
from reference_app.security import COOKIE_NAME, fernet_for, unseal
from tests.support import assert_sdk_error

pytestmark = pytest.mark.slow  # a real browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
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


@pytest.fixture
def app_url(stytch_mock: StytchMock) -> Iterator[str]:
    config = Config(
        project_id=stytch_mock.project_id,
        secret=stytch_mock.secret,
        api_url=stytch_mock.url,
        app_secret=APP_SECRET,
    )
    with AppThread(config) as app:
        yield app.url


@pytest.fixture
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def test_first_visit_from_email_to_dashboard_and_logout(
    chromium: object, app_url: str, stytch_mock: StytchMock, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(app_url + "/")
    page.fill("#email", "ada@acme-labs.com")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Check your email")

    page.click("#outbox-link")
    expect(page.locator("h1")).to_have_text("Outbox for ada@acme-labs.com")
    page.locator("a.email-link").first.click()

    expect(page.locator("h1")).to_have_text("Create your organization")
    expect(page.locator("#organization_name")).to_have_value("Acme Labs")
    page.click("button[type=submit]")

    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#member-email")).to_have_text("ada@acme-labs.com")
    expect(page.locator("#organization-name")).to_contain_text("Acme Labs")
    expect(page.locator("#roles")).to_contain_text("stytch_admin")
    screenshot = tmp_path / "dashboard.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 1000

    cookie = next(c for c in context.cookies() if c["name"] == COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    session_token = unseal(fernet_for(APP_SECRET), cookie["value"])["session_token"]
    session = stytch_mock.client.sessions.authenticate(session_token=session_token)
    assert session.member.email_address == "ada@acme-labs.com"

    page.click("#logout")
    expect(page.locator(".notice")).to_have_text("You have been logged out.")
    with pytest.raises(StytchError) as caught:
        stytch_mock.client.sessions.authenticate(session_token=session_token)
    assert_sdk_error(caught, 404, "session_not_found")
    page.goto(app_url + "/dashboard")
    expect(page.locator("h1")).to_have_text("Log in or sign up")
    context.close()
