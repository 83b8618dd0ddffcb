"""The reference app in a real browser: Debian's Chromium driven by Playwright.

A person's whole first visit: type an email, submit, open the link from the mock's outbox,
create the organization, see the dashboard (a screenshot is saved under the test's
``tmp_path``), log out. Skipped, with the reason, where ``/usr/bin/chromium`` or the
``playwright`` package is missing (``.ci/run`` installs Chromium with apt-get; Playwright's
own browser downloads are not used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from reference_app import Config
from reference_app.security import COOKIE_NAME, fernet_for, unseal
from tests.support import APP_SECRET, AppThread, assert_sdk_error

pytestmark = pytest.mark.slow  # a real browser


@pytest.fixture
def app_url(stytch_mock: StytchMock) -> Iterator[str]:
    config = Config(
        project_id=stytch_mock.project_id,
        secret=stytch_mock.secret,
        api_url=stytch_mock.url,
        app_secret=APP_SECRET,
        public_token=stytch_mock.public_token,
    )
    with AppThread(config) as app:
        yield app.url


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


def test_a_plain_member_sees_stytchs_refusal_when_renaming_the_organization(
    chromium: object, app_url: str, stytch_mock: StytchMock, tmp_path: Path
) -> None:
    """The dashboard's admin-only action runs with the member's own session: a plain member
    gets Stytch's 403 ``session_authorization_error`` and the organization keeps its name."""
    from playwright.sync_api import expect

    made = stytch_mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Navy Labs",
                    "organization_slug": "navy-labs",
                    "members": [{"email_address": "grace@navy.example"}],
                }
            ]
        }
    )
    org_id = made["organizations"][0]["organization_id"]
    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(app_url + "/")
    page.fill("#email", "grace@navy.example")
    page.click("button[type=submit]")
    page.click("#outbox-link")
    page.locator("a.email-link").first.click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#roles")).to_have_text("stytch_member")

    page.fill("#organization_name", "Mutiny Labs")
    page.click("#rename-organization button[type=submit]")
    expect(page.locator("#rename-error")).to_contain_text(
        "Only an admin of the organization may do that."
    )
    expect(page.locator("#error-type")).to_have_text("session_authorization_error")
    expect(page.locator("#request-id")).to_contain_text("request-id-test-")
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    org = stytch_mock.client.organizations.get(organization_id=org_id).organization
    assert org.organization_name == "Navy Labs"
    context.close()


def test_continue_with_google_through_the_provider_page_to_an_existing_organization(
    chromium: object, app_url: str, stytch_mock: StytchMock
) -> None:
    """Discovery OAuth: the app's button, the mock's consent page (typing the identity), back
    to the app, which exchanges into the member's only organization."""
    from playwright.sync_api import expect

    org = stytch_mock.client.organizations.create(organization_name="Acme Labs").organization
    stytch_mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address="grace@acme-labs.com"
    )
    page = chromium.new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(10_000)
    page.goto(app_url + "/")
    page.click("#oauth-google")

    expect(page.locator("h1")).to_have_text("Sign in with Google")
    page.fill("#email", "grace@acme-labs.com")
    page.fill("#name", "Grace Hopper")
    page.click("#identity button[value=approve]")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#member-email")).to_have_text("grace@acme-labs.com")
    expect(page.locator("#organization-name")).to_contain_text("Acme Labs")
    page.close()


def test_continue_with_microsoft_signs_up_and_a_denial_is_a_readable_page(
    chromium: object, app_url: str
) -> None:
    from playwright.sync_api import expect

    page = chromium.new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(10_000)
    page.goto(app_url + "/")
    page.click("#oauth-microsoft")
    expect(page.locator("h1")).to_have_text("Sign in with Microsoft")
    page.click("#identity button[value=deny]")
    expect(page.locator("h1")).to_have_text("Sign-in cancelled")

    page.goto(app_url + "/")
    page.click("#oauth-microsoft")
    page.fill("#email", "ada@new-co.io")
    page.click("#identity button[value=approve]")
    expect(page.locator("h1")).to_have_text("Create your organization")
    expect(page.locator("#organization_name")).to_have_value("New Co")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#member-email")).to_have_text("ada@new-co.io")
    page.close()


def test_password_sign_in_and_forgot_password_through_the_outbox(
    chromium: object, app_url: str, stytch_mock: StytchMock
) -> None:
    """Beside the email link: "Forgot password?" sends a reset email (read from the mock's
    outbox), the new password signs in, and the password form signs in again later."""
    from playwright.sync_api import expect

    slug, email, password = "acme-pw", "pat@acme-pw.com", "correct horse battery staple 42"
    stytch_mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Acme Passwords",
                    "organization_slug": slug,
                    "members": [{"email_address": email}],
                }
            ]
        }
    )
    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(app_url + "/")
    page.fill("#pw-organization", slug)
    page.fill("#pw-email", email)
    page.fill("#pw-password", password)
    page.click("#password-sign-in")
    expect(page.locator("#password-error")).to_have_text("Wrong organization, email or password.")

    page.fill("#pw-organization", slug)
    page.fill("#pw-email", email)
    page.click("#forgot-password")
    expect(page.locator("h1")).to_have_text("Check your email")
    page.click("#outbox-link")
    expect(page.locator(".subject").first).to_have_text("Reset your password for Acme Passwords")
    page.locator("a.email-link").first.click()

    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.fill("#new-password", "password1")
    page.click("#set-password")
    expect(page.locator(".error")).to_contain_text("breached")
    page.fill("#new-password", password)
    page.click("#set-password")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#member-email")).to_have_text(email)

    page.click("#logout")
    page.fill("#pw-organization", slug)
    page.fill("#pw-email", email)
    page.fill("#pw-password", password)
    page.click("#password-sign-in")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#organization-name")).to_contain_text("Acme Passwords")
    context.close()


def test_mfa_login_with_an_sms_code_read_from_the_outbox(
    chromium: object, app_url: str, stytch_mock: StytchMock
) -> None:
    """An organization that requires MFA: after the email link, the app asks for a phone
    number, texts a code (read from the mock's outbox page) and lets the member in."""
    from playwright.sync_api import expect

    stytch_mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Acme Labs",
                    "organization_slug": "acme-labs",
                    "mfa_policy": "REQUIRED_FOR_ALL",
                    "members": [{"email_address": "ada@acme-labs.com"}],
                }
            ]
        }
    )
    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(app_url + "/")
    page.fill("#email", "ada@acme-labs.com")
    page.click("button[type=submit]")
    page.click("#outbox-link")
    page.locator("a.email-link").first.click()

    expect(page.locator("h1")).to_have_text("Verify it's you")
    page.fill("#phone-number", "+15555550100")
    page.click("#phone-form button[type=submit]")
    expect(page.locator("#sms-form")).to_be_visible()
    mfa_url = page.url
    page.click("#outbox-link")
    code = page.locator(".otp-code").first.inner_text()
    assert re.fullmatch(r"\d{6}", code)
    page.goto(mfa_url)
    page.fill("#sms-code", code)
    page.click("#sms-form button[type=submit]")

    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#member-email")).to_have_text("ada@acme-labs.com")
    member = stytch_mock.client.organizations.members.search(
        organization_ids=[
            stytch_mock.client.organizations.get(
                organization_id="acme-labs"
            ).organization.organization_id
        ]
    ).members[0]
    assert member.mfa_phone_number == "+15555550100" and member.mfa_enrolled is True
    context.close()


@pytest.mark.parametrize("kind", ["saml", "oidc"])
def test_sign_in_with_sso_through_the_built_in_idp(
    chromium: object,
    app_url: str,
    stytch_mock: StytchMock,
    kind: str,
) -> None:
    """The login page's "Sign in with SSO": the organization's slug, the mock IdP's login page
    (a typed user), then the SAML auto-post or the OIDC redirect, back to the dashboard."""
    from playwright.sync_api import expect

    client = stytch_mock.client
    org = client.organizations.create(
        organization_name="Grace Labs", organization_slug="grace-labs"
    ).organization
    getattr(client.sso, kind).create_connection(organization_id=org.organization_id)
    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(app_url + "/")
    page.fill("#organization", "grace-labs")
    page.click("#sso-submit")
    expect(page.locator("h1")).to_contain_text("Sign in to the mock IdP")
    page.fill("#email", "grace@grace-labs.com")
    page.fill("#name", "Grace Hopper")
    page.click("#sign-in")

    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.locator("#member-email")).to_have_text("grace@grace-labs.com")
    expect(page.locator("#organization-name")).to_contain_text("Grace Labs")
    cookie = next(c for c in context.cookies() if c["name"] == COOKIE_NAME)
    session_token = unseal(fernet_for(APP_SECRET), cookie["value"])["session_token"]
    session = client.sessions.authenticate(session_token=session_token)
    [factor] = session.member_session.authentication_factors
    assert (factor.type, factor.delivery_method) == ("sso", f"sso_{kind}")

    # An organization without SSO is refused on the mock's own error page.
    client.organizations.create(organization_name="No SSO", organization_slug="no-sso")
    page.goto(app_url + "/")
    page.fill("#organization", "no-sso")
    page.click("#sso-submit")
    expect(page.locator("h1")).to_have_text("Sign-in failed")
    expect(page.locator("#error-type")).to_have_text("no_sso_connection_exists_for_organization")
    context.close()
