"""The headless frontend SDK (``@stytch/vanilla-js``) in Chromium signing in with a password
and completing MFA with an SMS code or enrolling in TOTP, against the mock, offline: the SDK
keeps the intermediate session token in its own cookie between the calls, as on a real page.
The page, the bundle and the offline guard are test_frontend_sdk_versions.py's."""

from __future__ import annotations

import json
from typing import Any

from mockserver.pytest_plugin import StytchMock
from reference_app.frontend_sdk import SESSION_COOKIE
from tests.support import org_with_member
from tests.test_frontend_sdk_browser import Offline
from tests.test_frontend_sdk_versions import (  # noqa: F401 (fixtures)
    PageThread,
    SDKUnderTest,
    _options,
    browser_page,
    pytestmark,
    sdk_under_test,
)

STRONG = "correct horse battery staple 42"
PHONE = "+15555550100"


def _set_password(mock: StytchMock, org_id: str, email: str) -> None:
    """The member's password, set through the backend's reset email."""
    mock.client.passwords.email.reset_start(organization_id=org_id, email_address=email)
    mock.client.passwords.email.reset(
        password_reset_token=mock.outbox.latest_token(email), password=STRONG
    )


def test_headless_password_sign_in_then_sms_mfa(
    browser_page: tuple[Any, Offline],  # noqa: F811
    stytch_mock: StytchMock,
    sdk_under_test: SDKUnderTest,  # noqa: F811
) -> None:
    page, offline = browser_page
    plain, _ = org_with_member(stytch_mock, "ada@acme.co", name="Plain Co")
    _set_password(stytch_mock, plain.organization_id, "ada@acme.co")
    guarded, member = org_with_member(
        stytch_mock, "grace@acme.co", name="Guarded Co", mfa_policy="REQUIRED_FOR_ALL"
    )
    _set_password(stytch_mock, guarded.organization_id, "grace@acme.co")

    with PageThread(sdk_under_test.headless_bundle, sdk_under_test.adapter) as server:
        page.goto(server.url + "/page.html")
        page.evaluate(
            "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }",
            [stytch_mock.public_token, _options(stytch_mock)],
        )
        sign_in = (
            "([org, email, password]) => client.passwords.authenticate({ organization_id: org, "
            "email_address: email, password, session_duration_minutes: 30 })"
        )
        # A wrong password is Stytch's error, read by the SDK.
        error = page.evaluate(
            sign_in.replace("})", "}).then(() => null, (e) => String(e && e.error_type))"),
            [plain.organization_id, "ada@acme.co", "not the password at all"],
        )
        assert error == "unauthorized_credentials"

        # A password alone signs in where the organization asks for no MFA.
        done = page.evaluate(sign_in, [plain.organization_id, "ada@acme.co", STRONG])
        assert done["member_authenticated"] is True
        backend = stytch_mock.client.sessions.authenticate(session_token=done["session_token"])
        assert backend.member.email_address == "ada@acme.co"
        assert (
            page.evaluate("() => client.session.getSync()")["member_session_id"]
            == (done["member_session"]["member_session_id"])
        )
        page.evaluate("() => client.session.revoke()")

        # Where MFA is required the password gives an intermediate session, kept by the SDK in
        # its cookie; the SMS calls carry it back without the page passing it.
        primary = page.evaluate(sign_in, [guarded.organization_id, "grace@acme.co", STRONG])
        assert primary["member_authenticated"] is False and primary["session_token"] == ""
        assert primary["mfa_required"] is not None
        ids = {"organization_id": guarded.organization_id, "member_id": member.member_id}
        page.evaluate(
            "([ids, phone]) => client.otps.sms.send({ ...ids, mfa_phone_number: phone })",
            [ids, PHONE],
        )
        finished = page.evaluate(
            "([ids, code]) => client.otps.sms.authenticate("
            "{ ...ids, code, session_duration_minutes: 30 })",
            [ids, stytch_mock.outbox.latest_code(PHONE)],
        )
        factors = [
            (f["type"], f["delivery_method"])
            for f in finished["member_session"]["authentication_factors"]
        ]
        assert factors == [("password", "knowledge"), ("otp", "sms")]
        session = page.evaluate("() => client.session.getSync()")
        assert session["member_id"] == member.member_id
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        assert cookies[SESSION_COOKIE] == finished["session_token"]
        backend = stytch_mock.client.sessions.authenticate(session_token=finished["session_token"])
        assert backend.member.mfa_phone_number == PHONE
    calls = json.dumps(offline.sdk_calls)
    assert calls.count("/sdk/v1/b2b/otps/sms/") == 2


def test_headless_totp_enrolment_and_recovery_codes(
    browser_page: tuple[Any, Offline],  # noqa: F811
    stytch_mock: StytchMock,
    sdk_under_test: SDKUnderTest,  # noqa: F811
) -> None:
    page, _ = browser_page
    org, member = org_with_member(stytch_mock, "grace@acme.co", mfa_policy="REQUIRED_FOR_ALL")
    _set_password(stytch_mock, org.organization_id, "grace@acme.co")
    with PageThread(sdk_under_test.headless_bundle, sdk_under_test.adapter) as server:
        page.goto(server.url + "/page.html")
        page.evaluate(
            "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }",
            [stytch_mock.public_token, _options(stytch_mock)],
        )
        page.evaluate(
            "([org, email, password]) => client.passwords.authenticate({ organization_id: org, "
            "email_address: email, password, session_duration_minutes: 30 })",
            [org.organization_id, "grace@acme.co", STRONG],
        )
        ids = {"organization_id": org.organization_id, "member_id": member.member_id}
        created = page.evaluate("(ids) => client.totp.create(ids)", ids)
        assert len(created["recovery_codes"]) == 10
        done = page.evaluate(
            "([ids, code]) => client.totp.authenticate({ ...ids, code, "
            "session_duration_minutes: 30 })",
            [ids, stytch_mock.totp_code(created["secret"])],
        )
        assert done["member"]["totp_registration_id"] == created["totp_registration_id"]
        assert page.evaluate("() => client.session.getSync()")["member_id"] == member.member_id
        # get and rotate act on the member of the SDK's session.
        got = page.evaluate("() => client.recoveryCodes.get()")
        assert got["recovery_codes"] == created["recovery_codes"]
        rotated = page.evaluate("() => client.recoveryCodes.rotate()")
        assert not set(rotated["recovery_codes"]) & set(created["recovery_codes"])
        stored = stytch_mock.client.recovery_codes.get(**ids)
        assert stored.recovery_codes == rotated["recovery_codes"]


def test_headless_oauth_start_then_authenticate(
    browser_page: tuple[Any, Offline],  # noqa: F811
    stytch_mock: StytchMock,
    sdk_under_test: SDKUnderTest,  # noqa: F811
) -> None:
    """``oauth.google.start`` navigates to the mock's public start URL; with the provider's
    ``login_hint`` (sent as ``provider_login_hint``) the mock's provider answers at once and
    sends the browser back with the token, which ``oauth.authenticate`` spends."""
    page, offline = browser_page
    org, member = org_with_member(stytch_mock, "ada@acme.co")
    with PageThread(sdk_under_test.headless_bundle, sdk_under_test.adapter) as server:
        make_client = (
            "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }"
        )
        page.goto(server.url + "/page.html")
        page.evaluate(make_client, [stytch_mock.public_token, _options(stytch_mock)])
        with page.expect_navigation(url=lambda url: "token=" in url):
            page.evaluate(
                "([org, back]) => { client.oauth.google.start({ organization_id: org, "
                "login_redirect_url: back, signup_redirect_url: back, "
                "provider_params: { login_hint: 'ada@acme.co' } }); }",
                [org.organization_id, server.url + "/page.html"],
            )
        assert "stytch_token_type=oauth" in page.url
        page.evaluate(make_client, [stytch_mock.public_token, _options(stytch_mock)])
        done = page.evaluate(
            "() => client.oauth.authenticate({ oauth_token: new URLSearchParams("
            "location.search).get('token'), session_duration_minutes: 30 })"
        )
        assert done["member_id"] == member.member_id and done["member_authenticated"] is True
        assert page.evaluate("() => client.session.getSync()")["member_id"] == member.member_id
        backend = stytch_mock.client.sessions.authenticate(session_token=done["session_token"])
        assert backend.member_session.authentication_factors[0].delivery_method == "oauth_google"
    assert "/sdk/v1/b2b/oauth/authenticate" in json.dumps(offline.sdk_calls)
