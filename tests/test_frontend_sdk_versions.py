"""Stytch's frontend SDK on a page of its own, against the mock, offline: the scenarios the SDK
matrix runs for each frontend SDK version (``make sdk-matrix``, its frontend column).

The page reaches the SDK through one small interface, ``window.sdkUnderTest``
(tests/frontend_sdk/): ``headless(publicToken, options)`` gives a client,
``mountUI(publicToken, options, elementId, redirectURL, callbacks)`` mounts the prebuilt B2B
UI in the discovery flow with email magic links, built with the package's own constants (the
StytchB2B element, ``StytchB2BUIClient.mount`` in 5.x, or ``<StytchB2B>`` rendered with React;
null for a package without a prebuilt UI, which skips that scenario).

- By default the SDK is the reference app's ``@stytch/vanilla-js`` 6.x: its standalone bundles
  (``index.headless.js`` for the headless client, ``index.js`` for the UI) and
  tests/frontend_sdk/iife-adapter.js.
- With ``STYTCH_FRONTEND_DIR`` (set by contracts/tools/sdk_matrix.py), the ``bundle.js`` built
  there with esbuild from tests/frontend_sdk/<package>.mjs for one package version.

Every non-loopback request is aborted and recorded (none may happen). The page is served by a
loopback server: Chromium lets a page reach the mock on 127.0.0.1 only from the local address
space.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from stytch.core.response_base import StytchError

from mockserver.domain.frontend import FrontendSettings
from mockserver.domain.project import ProjectConfig
from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from reference_app import Config
from reference_app.frontend_sdk import BUNDLE_DIR, BUNDLES, SESSION_COOKIE
from tests.support import AppThread, assert_sdk_error, handle
from tests.test_frontend_sdk_browser import Offline

pytestmark = pytest.mark.slow  # a real browser

HERE = Path(__file__).parent / "frontend_sdk"
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>frontend SDK under test</title></head>
<body><div id="ui"></div><script src="/sdk.js"></script><script src="/adapter.js"></script>
</body></html>"""


@dataclass
class SDKUnderTest:
    label: str
    headless_bundle: Path
    ui_bundle: Path
    adapter: Path | None  # None: the bundle defines sdkUnderTest itself


@pytest.fixture(scope="module")
def sdk_under_test() -> SDKUnderTest:
    directory = os.environ.get("STYTCH_FRONTEND_DIR")
    if directory:
        bundle = Path(directory) / "bundle.js"
        if not bundle.is_file():
            pytest.fail(f"STYTCH_FRONTEND_DIR has no bundle.js: {directory}")
        label = (Path(directory) / "package.txt").read_text(encoding="utf-8").strip()
        return SDKUnderTest(label, bundle, bundle, None)
    headless, ui = BUNDLE_DIR / BUNDLES["b2b-headless.js"], BUNDLE_DIR / BUNDLES["b2b.js"]
    if not ui.is_file():
        pytest.skip(f"{ui} is missing: `make install` fetches @stytch/vanilla-js with npm")
    return SDKUnderTest(
        "reference app's @stytch/vanilla-js", headless, ui, HERE / "iife-adapter.js"
    )


class PageThread(AppThread):
    """A bare loopback web server for the test page, the SDK bundle and its adapter."""

    def __init__(self, script: Path, adapter: Path | None) -> None:
        super().__init__(Config(project_id="unused", secret="unused"))
        self._script, self._adapter = script, adapter

    async def _start(self) -> None:
        async def page(request: web.Request) -> web.Response:
            return web.Response(text=PAGE, content_type="text/html")

        async def script(request: web.Request) -> web.StreamResponse:
            return web.FileResponse(self._script, headers={"Content-Type": "text/javascript"})

        async def adapter(request: web.Request) -> web.StreamResponse:
            if self._adapter is None:
                return web.Response(text="", content_type="text/javascript")
            return web.FileResponse(self._adapter, headers={"Content-Type": "text/javascript"})

        app = web.Application()
        app.router.add_get("/page.html", page)
        app.router.add_get("/sdk.js", script)
        app.router.add_get("/adapter.js", adapter)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        # "localhost", not the mock's 127.0.0.1: another origin, so CORS is exercised.
        self.url = f"http://localhost:{self._runner.addresses[0][1]}"


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[tuple[Any, Offline]]:  # noqa: F811
    context = chromium.new_context()
    offline = Offline(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, offline
    context.close()
    assert offline.blocked == [], "the SDK tried to reach the internet"


def _options(mock: StytchMock) -> dict[str, Any]:
    api = mock.url.rstrip("/")
    return {"endpoints": {"testAPIURL": api, "liveAPIURL": api}}


def test_headless_discovery_flow(
    browser_page: tuple[Any, Offline], stytch_mock: StytchMock, sdk_under_test: SDKUnderTest
) -> None:
    """The headless client: send, authenticate the link, list (IST from the SDK's cookie),
    create an organization, read the session and organization, revoke."""
    page, offline = browser_page
    with PageThread(sdk_under_test.headless_bundle, sdk_under_test.adapter) as server:
        redirect = server.url + "/page.html"
        page.goto(redirect)
        page.evaluate(
            "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }",
            [stytch_mock.public_token, _options(stytch_mock)],
        )
        email = "grace@hopper-labs.com"
        page.evaluate(
            "([email, redirect]) => client.magicLinks.email.discovery.send("
            "{ email_address: email, discovery_redirect_url: redirect })",
            [email, redirect],
        )
        link = stytch_mock.outbox.latest_link(email)
        assert link.startswith(redirect + "?stytch_token_type=discovery&")
        found = page.evaluate(
            "(token) => client.magicLinks.discovery.authenticate("
            "{ discovery_magic_links_token: token })",
            stytch_mock.outbox.latest_token(email),
        )
        assert found["email_address"] == email and found["discovered_organizations"] == []
        listed = page.evaluate("() => client.discovery.organizations.list()")
        assert listed["email_address"] == email  # the IST came back from the SDK's cookie

        created = page.evaluate(
            "() => client.discovery.organizations.create({ session_duration_minutes: 30, "
            "organization_name: 'Hopper Labs' })"
        )
        assert created["member_authenticated"] is True
        assert created["organization"]["organization_name"] == "Hopper Labs"
        token = created["session_token"]
        backend = stytch_mock.client.sessions.authenticate(session_token=token)
        assert backend.member.member_id == created["member_id"]
        session, member = page.evaluate("() => [client.session.getSync(), client.self.getSync()]")
        assert session["member_session_id"] == created["member_session"]["member_session_id"]
        assert member["email_address"] == email
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        assert cookies[SESSION_COOKIE] == token

        me = page.evaluate("() => client.organization.get()")
        assert me["organization_id"] == created["organization"]["organization_id"]
        page.evaluate("() => client.session.revoke()")
        assert page.evaluate("() => client.session.getSync()") is None
        assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
        with pytest.raises(StytchError) as caught:
            stytch_mock.client.sessions.authenticate(session_token=token)
        assert_sdk_error(caught, 404, "session_not_found")
        # After logout a call needing the session meets the mock's error, as a Stytch error.
        error = page.evaluate(
            "() => client.organization.get().then(() => null, (e) => String(e && "
            "(e.error_type || e.message || e)))"
        )
        assert error is not None and "session_not_found" in error, error
    assert json.dumps(offline.sdk_calls).count("/sdk/v1/b2b/discovery/organizations") == 2


def test_prebuilt_ui_discovery_flow(
    browser_page: tuple[Any, Offline], stytch_mock: StytchMock, sdk_under_test: SDKUnderTest
) -> None:
    """The prebuilt UI on a page: email, the outbox link, create an organization, the
    flow-complete event; a reload re-authenticates the session; revoke clears it."""
    from playwright.sync_api import expect

    page, offline = browser_page
    with PageThread(sdk_under_test.ui_bundle, sdk_under_test.adapter) as server:
        url = server.url + "/page.html"
        page.goto(url)
        if page.evaluate("() => sdkUnderTest.mountUI === null"):
            pytest.skip(f"{sdk_under_test.label}: no prebuilt UI in this bundle")
        mount = (
            "([token, options, redirect]) => { window.events = []; "
            "window.client = sdkUnderTest.mountUI(token, options, 'ui', redirect, "
            "{ onEvent: (e) => window.events.push(e.type) }); }"
        )
        args = [stytch_mock.public_token, _options(stytch_mock), url]
        page.evaluate(mount, args)
        ui = page.locator("#ui")
        email = "ada@acme-labs.com"
        ui.get_by_role("textbox").first.fill(email)
        ui.get_by_role("button", name=re.compile("Continue", re.I)).first.click()
        expect(ui.get_by_text(re.compile("Check your email", re.I)).first).to_be_visible()

        page.goto(stytch_mock.outbox.latest_link(email))
        page.evaluate(mount, args)  # the app mounts the UI again on the page the link opens
        ui.get_by_role("button", name=re.compile("Create an organization", re.I)).first.click()
        page.wait_for_function("() => window.events.includes('AUTHENTICATE_FLOW_COMPLETE')")
        token = {c["name"]: c["value"] for c in page.context.cookies()}[SESSION_COOKIE]
        backend = stytch_mock.client.sessions.authenticate(session_token=token)
        assert backend.member.email_address == email

        offline.sdk_calls.clear()
        with page.expect_response(re.compile(r"/sdk/v1/b2b/sessions/authenticate$")) as answer:
            page.reload()
            page.evaluate(
                "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }",
                args[:2],
            )
        assert answer.value.status == 200
        assert page.evaluate("() => client.session.getSync().member_id") == (
            backend.member.member_id
        )
        page.evaluate("() => client.session.revoke()")
        assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
        with pytest.raises(StytchError) as caught:
            stytch_mock.client.sessions.authenticate(session_token=token)
        assert_sdk_error(caught, 404, "session_not_found")


PKCE_PROJECT = ProjectConfig(
    "project-test-dddddddd-dddd-4ddd-8ddd-dddddddddddd",
    "secret-test-project-d",
    ["http://localhost:*/*"],
    frontend=FrontendSettings(pkce_required_for_email_magic_links=True),
)


@pytest.fixture(scope="module")
def pkce_project() -> Iterator[StytchMock]:
    with MockServer([PKCE_PROJECT]) as server:
        yield handle(server, PKCE_PROJECT)


def test_headless_discovery_with_pkce_required(
    browser_page: tuple[Any, Offline], pkce_project: StytchMock, sdk_under_test: SDKUnderTest
) -> None:
    """With PKCE required in the bootstrap, the SDK sends a code challenge with the link and
    its verifier with the token; the token alone is refused."""
    page, _ = browser_page
    mock = pkce_project
    mock.reset()
    with PageThread(sdk_under_test.headless_bundle, sdk_under_test.adapter) as server:
        redirect = server.url + "/page.html"
        page.goto(redirect)
        page.evaluate(
            "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }",
            [mock.public_token, _options(mock)],
        )
        email = "ada@pkce.example"
        page.evaluate(
            "([email, redirect]) => client.magicLinks.email.discovery.send("
            "{ email_address: email, discovery_redirect_url: redirect })",
            [email, redirect],
        )
        token = mock.outbox.latest_token(email)
        without = mock.request(
            "POST",
            "v1/b2b/magic_links/discovery/authenticate",
            {"discovery_magic_links_token": token},
        )
        assert without.status == 400 and without.json["error_type"] == (
            "pkce_expected_code_verifier"
        )
        found = page.evaluate(
            "(token) => client.magicLinks.discovery.authenticate("
            "{ discovery_magic_links_token: token })",
            token,
        )
        assert found["email_address"] == email
