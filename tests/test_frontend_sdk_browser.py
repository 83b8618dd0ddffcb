"""The reference app's prebuilt-UI login in a real browser against the mock, offline.

Debian's Chromium driven by Playwright runs ``@stytch/vanilla-js`` (its standalone bundle,
installed by ``make install`` from reference_app/frontend/package-lock.json) on the app's
``/sdk-login``: email, the link from the mock's outbox, the organization list, create an
organization, the dashboard (whose backend checks the SDK's ``stytch_session`` cookie with the
Python SDK), a reload that keeps the session, and a logout that ends it; then a second login
that joins the organization created first. The headless client and other SDK versions are in
test_frontend_sdk_versions.py.

Every request the browser makes outside loopback (Stytch's telemetry, CDN, captcha hosts...)
is aborted and recorded; each test asserts there were none. Skipped with the reason where
Chromium, Playwright or the npm package is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from reference_app import Config
from reference_app.frontend_sdk import BUNDLE_DIR, BUNDLES, SESSION_COOKIE
from tests.support import APP_SECRET, AppThread, assert_sdk_error

pytestmark = pytest.mark.slow  # a real browser

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture
def bundle() -> Path:
    path = BUNDLE_DIR / BUNDLES["b2b.js"]
    if not path.is_file():
        pytest.skip(f"{path} is missing: `make install` fetches @stytch/vanilla-js with npm")
    return path


@pytest.fixture
def sdk_app_url(stytch_mock: StytchMock, bundle: Path) -> Iterator[str]:
    config = Config(
        project_id=stytch_mock.project_id,
        secret=stytch_mock.secret,
        api_url=stytch_mock.url,
        app_secret=APP_SECRET,
        public_token=stytch_mock.public_token,
    )
    with AppThread(config) as app:
        # The SDK's cookies lose their Secure flag only on localhost / 127.x pages; the app
        # listens on 127.0.0.1 and the mock is another origin (port), so CORS is exercised.
        yield app.url


class Offline:
    """Aborts and records every request that would leave the machine."""

    def __init__(self, context: Any) -> None:
        self.blocked: list[str] = []
        self.sdk_calls: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            if "/sdk/v1/" in url:
                self.sdk_calls.append(f"{route.request.method} {urlsplit(url).path}")
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


def _cookies(context: Any) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in context.cookies()}


def _log_in_with_prebuilt_ui(page: Any, app_url: str, mock: StytchMock, email: str) -> None:
    """From /sdk-login to the organization list: the email, then the link from the outbox."""
    from playwright.sync_api import expect

    page.goto(app_url + "/sdk-login")
    ui = page.locator("#stytch-login")
    ui.get_by_role("textbox").fill(email)
    ui.get_by_role("button", name=re.compile("Continue", re.I)).click()
    expect(ui.get_by_text(re.compile("Check your email", re.I))).to_be_visible()

    # The mock's outbox, as a person reads it through the app's page.
    page.goto(app_url + "/outbox?to=" + email)
    page.locator("a.email-link").first.click()
    page.wait_for_url(re.compile(r"/sdk-login"))


def test_prebuilt_ui_create_organization_reload_logout_then_join(
    chromium: Any,  # noqa: F811
    sdk_app_url: str,
    stytch_mock: StytchMock,
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context()
    offline = Offline(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    email = "ada@acme-labs.com"

    _log_in_with_prebuilt_ui(page, sdk_app_url, stytch_mock, email)
    ui = page.locator("#stytch-login")
    # No organization yet: the UI offers to create one (bootstrap: create_organization_enabled).
    ui.get_by_role("button", name=re.compile("Create an organization", re.I)).click()
    page.wait_for_url(re.compile(r"/sdk-dashboard$"))
    expect(page.locator("#member-email")).to_have_text(email)
    expect(page.locator("#roles")).to_contain_text("stytch_admin")

    # The session the SDK stored is the one the backend API knows.
    cookies = _cookies(context)
    token = cookies[SESSION_COOKIE]["value"]
    assert cookies[SESSION_COOKIE]["secure"] is False  # a 127.0.0.1 page
    assert "stytch_intermediate_session_token" not in cookies
    session = stytch_mock.client.sessions.authenticate(session_token=token)
    assert session.member.email_address == email
    org_id = session.organization.organization_id
    assert session.organization.organization_name == "acme-labs"  # derived from the email

    # A reload keeps the session: the backend accepts the cookie again, and the SDK in the
    # page re-authenticates it at the mock.
    offline.sdk_calls.clear()
    with page.expect_response(re.compile(r"/sdk/v1/b2b/sessions/authenticate$")) as answer:
        page.reload()
    assert answer.value.status == 200
    expect(page.locator("#member-email")).to_have_text(email)
    assert _cookies(context)[SESSION_COOKIE]["value"] == token

    # Logout: the SDK revokes the session at the mock and drops its cookies.
    page.click("#logout")
    page.wait_for_url(re.compile(r"/sdk-login\?logged_out=1$"))
    assert SESSION_COOKIE not in _cookies(context)
    with pytest.raises(StytchError) as caught:
        stytch_mock.client.sessions.authenticate(session_token=token)
    assert_sdk_error(caught, 404, "session_not_found")
    page.goto(sdk_app_url + "/sdk-dashboard")
    page.wait_for_url(re.compile(r"/sdk-login$"))

    # Second login: the organization made above is listed; joining it logs straight in.
    _log_in_with_prebuilt_ui(page, sdk_app_url, stytch_mock, email)
    ui.get_by_text("acme-labs").click()
    page.wait_for_url(re.compile(r"/sdk-dashboard$"))
    second = _cookies(context)[SESSION_COOKIE]["value"]
    assert second != token
    again = stytch_mock.client.sessions.authenticate(session_token=second)
    assert again.organization.organization_id == org_id

    assert offline.blocked == []
    context.close()


def _password_sign_in(page: Any, app_url: str, email: str, password: str) -> None:
    """/sdk-login with the password product: "Use a password instead", then the form."""
    page.goto(app_url + "/sdk-login?products=emailMagicLinks,passwords")
    ui = page.locator("#stytch-login")
    ui.get_by_role("button", name=re.compile("Use a password instead", re.I)).click()
    ui.get_by_role("textbox", name=re.compile("email", re.I)).fill(email)
    page.locator("#stytch-login input[type=password]").fill(password)
    ui.get_by_role("button", name=re.compile("^Continue$", re.I)).click()


def test_prebuilt_ui_passwords_sign_in_and_a_step_up_to_create_an_organization(
    chromium: Any,  # noqa: F811
    sdk_app_url: str,
    stytch_mock: StytchMock,
) -> None:
    """Cross-organization passwords in the prebuilt UI's discovery flow: a password signs in to
    the member's organization; creating a new organization with it asks to verify the email
    (a returning password login proves none: primary_required), which a link completes."""
    import bcrypt
    from playwright.sync_api import expect

    email, password = "ada@acme-labs.com", "correct horse battery staple 42"
    stytch_mock.set_password_policy(cross_org_passwords=True)
    org = stytch_mock.client.organizations.create(organization_name="Acme Labs").organization
    stytch_mock.client.passwords.migrate(
        email_address=email,
        hash=bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode(),
        hash_type="bcrypt",
        organization_id=org.organization_id,
    )
    context = chromium.new_context()
    offline = Offline(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    ui = page.locator("#stytch-login")

    _password_sign_in(page, sdk_app_url, email, password)
    ui.get_by_text("Acme Labs").click()
    page.wait_for_url(re.compile(r"/sdk-dashboard$"))
    token = _cookies(context)[SESSION_COOKIE]["value"]
    session = stytch_mock.client.sessions.authenticate(session_token=token)
    assert session.organization.organization_id == org.organization_id
    assert [f.type for f in session.member_session.authentication_factors] == ["password"]
    page.click("#logout")
    page.wait_for_url(re.compile(r"/sdk-login\?logged_out=1$"))

    _password_sign_in(page, sdk_app_url, email, password)
    ui.get_by_role("button", name=re.compile("Create an organization", re.I)).click()
    expect(ui.get_by_text(re.compile("Verify your email", re.I))).to_be_visible()
    ui.get_by_role("button", name=re.compile("Email me a link", re.I)).click()
    expect(ui.get_by_text(re.compile("Check your email", re.I))).to_be_visible()
    link = stytch_mock.outbox.latest(email)
    assert link["kind"] == "login"
    page.goto(link["link"])
    page.wait_for_url(re.compile(r"/sdk-dashboard$"))
    created = stytch_mock.client.sessions.authenticate(
        session_token=_cookies(context)[SESSION_COOKIE]["value"]
    )
    assert created.organization.organization_id != org.organization_id
    assert sorted(f.type for f in created.member_session.authentication_factors) == [
        "magic_link",
        "password",
    ]
    assert created.member.email_address_verified is True
    assert offline.blocked == []
    context.close()


def test_prebuilt_ui_enrols_an_authenticator_app_for_an_organization_that_requires_mfa(
    chromium: Any,  # noqa: F811
    sdk_app_url: str,
    stytch_mock: StytchMock,
) -> None:
    """The prebuilt UI's MFA screens with TOTP: the QR code step, a code computed from the
    secret on the mock's clock, the backup codes (the member's recovery codes), then the
    dashboard with a session of both factors. (Its SMS screens need Stytch's clientside
    services iframe on js.stytch.com to parse phone numbers, which an offline page cannot load:
    README, "Frontend SDK offline".)"""
    from playwright.sync_api import expect

    email = "ada@acme-labs.com"
    org = stytch_mock.client.organizations.create(
        organization_name="Acme Labs", mfa_policy="REQUIRED_FOR_ALL"
    ).organization
    stytch_mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    )
    context = chromium.new_context()
    offline = Offline(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _log_in_with_prebuilt_ui(page, sdk_app_url, stytch_mock, email)
    ui = page.locator("#stytch-login")
    ui.get_by_text("Acme Labs").click()
    expect(ui.get_by_text(re.compile("Set up Multi-Factor Authentication", re.I))).to_be_visible()

    with page.expect_response(re.compile(r"/sdk/v1/b2b/totp$")) as created:
        ui.get_by_role("button", name=re.compile("authenticator app", re.I)).click()
    secret = created.value.json()["data"]["secret"]
    expect(ui.get_by_text(re.compile("Scan the QR code", re.I))).to_be_visible()
    ui.get_by_role("button", name=re.compile("^Continue$", re.I)).click()
    ui.locator("input").first.click()
    page.keyboard.type(stytch_mock.totp_code(secret))
    expect(ui.get_by_text(re.compile("^Save your backup codes", re.I))).to_be_visible()
    shown = re.findall(r"\b[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\b", ui.inner_text())
    assert len(shown) == 10
    ui.get_by_role("button", name=re.compile("^Done$", re.I)).click()
    page.wait_for_url(re.compile(r"/sdk-dashboard$"))

    session = stytch_mock.client.sessions.authenticate(
        session_token=_cookies(context)[SESSION_COOKIE]["value"]
    )
    assert sorted(f.type for f in session.member_session.authentication_factors) == [
        "magic_link",
        "totp",
    ]
    assert session.member.mfa_enrolled is True
    codes = stytch_mock.client.recovery_codes.get(
        organization_id=org.organization_id, member_id=session.member.member_id
    ).recovery_codes
    assert sorted(codes) == sorted(shown)
    assert offline.blocked == []
    context.close()
