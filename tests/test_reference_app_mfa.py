"""The reference app with an organization that requires MFA: the login lands on ``/mfa``,
which texts a code (enrolling a phone number first when the member has none) or takes an
authenticator app's code (showing the QR code when enrolling) or a recovery code, and then
the dashboard."""

from __future__ import annotations

import re
from typing import Any

from mockserver.pytest_plugin import StytchMock
from tests.test_reference_app import Browser, assert_friendly_error, browser, csrf_in  # noqa: F401

PHONE = "+15555550100"
EMAIL = "ada@acme-labs.com"


def mfa_org(mock: StytchMock, **member: Any) -> str:
    made = mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Acme Labs",
                    "organization_slug": "acme-labs",
                    "mfa_policy": "REQUIRED_FOR_ALL",
                    "members": [{"email_address": EMAIL, "status": "active", **member}],
                }
            ]
        }
    )
    return made["organizations"][0]["organization_id"]


async def reach_mfa(browser: Browser) -> str:  # noqa: F811
    """Log in by discovery link; the app asks for a second factor. The /mfa page."""
    await browser.request_link(EMAIL)
    status, html, resp = await browser.open_link(EMAIL)
    assert (status, resp.headers.get("Location")) == (303, "/mfa"), html
    status, html, _ = await browser.get("/mfa")
    assert status == 200, html
    assert "Verify it" in html
    return html


async def submit(browser: Browser, page: str, path: str, **fields: str) -> tuple[int, str, Any]:  # noqa: F811
    return await browser.post(path, data={"csrf_token": csrf_in(page), **fields})


def factor_types(browser: Browser) -> list[str]:  # noqa: F811
    session = browser.session().member_session
    return [f.type.value for f in session.authentication_factors]


async def test_sms_enrolment_then_dashboard(browser: Browser, stytch_mock: StytchMock) -> None:  # noqa: F811
    mfa_org(stytch_mock)
    page = await reach_mfa(browser)
    assert 'id="phone-form"' in page and 'id="totp-create-form"' in page

    status, html, resp = await submit(browser, page, "/mfa/sms/send", phone_number="555-0100")
    assert_friendly_error(status, html, resp, 400, "invalid_phone_number")

    status, html, resp = await submit(browser, page, "/mfa/sms/send", phone_number=PHONE)
    assert (status, resp.headers.get("Location")) == (303, "/mfa"), html
    _, page, _ = await browser.get("/mfa")
    assert 'id="sms-form"' in page and PHONE in page
    code = stytch_mock.outbox.latest_code(PHONE)

    wrong = "000000" if code != "000000" else "111111"
    status, html, resp = await submit(browser, page, "/mfa/sms", code=wrong)
    assert_friendly_error(status, html, resp, 404, "otp_code_not_found")

    status, html, resp = await submit(browser, page, "/mfa/sms", code=code)
    assert (status, resp.headers.get("Location")) == (303, "/dashboard"), html
    assert factor_types(browser) == ["magic_link", "otp"]
    status, html, _ = await browser.get("/dashboard")
    assert status == 200 and EMAIL in html


async def test_enrolled_member_gets_the_code_without_asking(
    browser: Browser,  # noqa: F811
    stytch_mock: StytchMock,
) -> None:
    mfa_org(stytch_mock, mfa_phone_number=PHONE)
    page = await reach_mfa(browser)
    assert 'id="sms-form"' in page and 'id="phone-form"' not in page
    status, html, resp = await submit(
        browser, page, "/mfa/sms", code=stytch_mock.outbox.latest_code(PHONE)
    )
    assert (status, resp.headers.get("Location")) == (303, "/dashboard"), html


async def test_totp_enrolment_shows_the_qr_code_then_dashboard(
    browser: Browser,  # noqa: F811
    stytch_mock: StytchMock,
) -> None:
    mfa_org(stytch_mock)
    page = await reach_mfa(browser)
    status, page, _ = await submit(browser, page, "/mfa/totp/create")
    assert status == 200, page
    assert re.search(r'id="totp-qr" src="data:image/png;base64,[A-Za-z0-9+/=]+"', page)
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', page)
    assert secret, page
    assert len(re.findall(r"<li><code>[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}</code></li>", page)) == 10

    status, html, resp = await submit(
        browser, page, "/mfa/totp", code=stytch_mock.totp_code(secret.group(1))
    )
    assert (status, resp.headers.get("Location")) == (303, "/dashboard"), html
    assert factor_types(browser) == ["magic_link", "totp"]


async def test_recovery_code_instead_of_the_app(browser: Browser, stytch_mock: StytchMock) -> None:  # noqa: F811
    org_id = mfa_org(stytch_mock)
    member = stytch_mock.client.organizations.members.get(
        organization_id=org_id, email_address=EMAIL
    ).member
    codes = stytch_mock.client.totps.migrate(
        organization_id=org_id,
        member_id=member.member_id,
        secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        recovery_codes=[],
    ).recovery_codes
    page = await reach_mfa(browser)
    assert 'id="totp-form"' in page and 'id="recover-form"' in page
    status, html, resp = await submit(browser, page, "/mfa/recover", recovery_code=codes[0])
    assert (status, resp.headers.get("Location")) == (303, "/dashboard"), html
    assert factor_types(browser) == ["magic_link", "recovery_codes"]


async def test_mfa_page_without_a_login_in_progress(browser: Browser) -> None:  # noqa: F811
    status, html, _ = await browser.get("/mfa")
    assert status == 400 and "Please start again" in html
