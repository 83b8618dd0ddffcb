"""The frontend SDK's factor routes (``/sdk/v1/b2b/passwords``, ``otps``, ``totp``,
``recovery_codes``) over raw HTTP, sent as the headless clients send them
(https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b):
the session as the Basic password, the intermediate session token in the body, answers in
``{"data": ...}``, errors flat. The browser itself is in test_frontend_sdk_versions.py."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.pytest_plugin import StytchMock
from tests.support import assert_stytch_error, org_with_member, state_of
from tests.test_frontend_sdk_api import ok, sdk

STRONG = "correct horse battery staple 42"
NEWER = "another horse battery staple 43"
PHONE = "+15555550100"


def factor_types(member_session: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["type"], f["delivery_method"]) for f in member_session["authentication_factors"]]


def set_password(mock: StytchMock, org_id: str, email: str) -> dict[str, Any]:
    """A member's first password, through the browser's reset-by-email calls."""
    started = ok(
        sdk(
            mock,
            "POST",
            "b2b/passwords/email/reset/start",
            {"organization_id": org_id, "email_address": email},
        )
    )
    assert set(started) == {"status_code", "request_id"}
    token = mock.outbox.latest_token(email)
    return ok(
        sdk(
            mock,
            "POST",
            "b2b/passwords/email/reset",
            {"password_reset_token": token, "password": STRONG, "session_duration_minutes": 60},
        )
    )


def sign_in(mock: StytchMock, org_id: str, email: str, password: str = STRONG) -> Any:
    return sdk(
        mock,
        "POST",
        "b2b/passwords/authenticate",
        {
            "organization_id": org_id,
            "email_address": email,
            "password": password,
            "session_duration_minutes": 60,
        },
    )


# --- passwords ----------------------------------------------------------------------------


def test_strength_check_answers_in_the_envelope(stytch_mock: StytchMock) -> None:
    weak = ok(sdk(stytch_mock, "POST", "b2b/passwords/strength_check", {"password": "p@ssword1"}))
    assert (weak["valid_password"], weak["strength_policy"]) == (False, "zxcvbn")
    strong = ok(sdk(stytch_mock, "POST", "b2b/passwords/strength_check", {"password": STRONG}))
    assert (strong["valid_password"], strong["score"]) == (True, 4)


def test_password_reset_then_sign_in_then_wrong_password(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.co")
    reset = set_password(stytch_mock, org.organization_id, "ada@acme.co")
    assert reset["member_id"] == member.member_id and reset["member_authenticated"] is True
    assert reset["session_token"]

    signed_in = ok(sign_in(stytch_mock, org.organization_id, "ada@acme.co"))
    assert signed_in["member_authenticated"] is True
    assert signed_in["organization_id"] == org.organization_id
    assert factor_types(signed_in["member_session"]) == [("password", "knowledge")]
    # The browser session is the backend's.
    checked = stytch_mock.client.sessions.authenticate(session_token=signed_in["session_token"])
    assert checked.member_session.member_id == member.member_id

    before = state_of(stytch_mock)
    wrong = sign_in(stytch_mock, org.organization_id, "ada@acme.co", "not the password at all")
    assert_stytch_error(wrong, 401, "unauthorized_credentials")
    assert state_of(stytch_mock) == before


def test_existing_password_and_session_resets(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.co")
    set_password(stytch_mock, org.organization_id, "ada@acme.co")
    changed = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/passwords/existing_password/reset",
            {
                "organization_id": org.organization_id,
                "email_address": "ada@acme.co",
                "existing_password": STRONG,
                "new_password": NEWER,
                "session_duration_minutes": 60,
            },
        )
    )
    assert changed["session_token"]
    assert_stytch_error(sign_in(stytch_mock, org.organization_id, "ada@acme.co"), 401)
    session = ok(sign_in(stytch_mock, org.organization_id, "ada@acme.co", NEWER))

    # A session reset names no organization: it is the session's (Basic password).
    no_session = sdk(stytch_mock, "POST", "b2b/passwords/session/reset", {"password": STRONG})
    assert_stytch_error(no_session, 404, "session_not_found")
    again = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/passwords/session/reset",
            {"password": STRONG},
            session=session["session_token"],
        )
    )
    assert (
        again["member_session"]["member_session_id"]
        == (session["member_session"]["member_session_id"])
    )
    assert ok(sign_in(stytch_mock, org.organization_id, "ada@acme.co"))["member_authenticated"]


def test_password_discovery_reset_and_authenticate(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.co")
    stytch_mock.set_password_policy(cross_org_passwords=True)
    started = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/passwords/discovery/reset/start",
            {"email_address": "ada@acme.co"},
        )
    )
    assert set(started) == {"status_code", "request_id"}
    token = stytch_mock.outbox.latest_token("ada@acme.co")
    reset = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/passwords/discovery/reset",
            {"password_reset_token": token, "password": STRONG},
        )
    )
    assert reset["intermediate_session_token"]
    found = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/passwords/discovery/authenticate",
            {"email_address": "ada@acme.co", "password": STRONG},
        )
    )
    assert found["email_address"] == "ada@acme.co"
    assert [d["organization"]["organization_id"] for d in found["discovered_organizations"]] == [
        org.organization_id
    ]


# --- one-time codes -------------------------------------------------------------------------


def test_password_then_sms_mfa_from_the_browser(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.co", mfa_policy="REQUIRED_FOR_ALL")
    first = set_password(stytch_mock, org.organization_id, "ada@acme.co")
    assert first["member_authenticated"] is False and first["session_token"] == ""
    primary = ok(sign_in(stytch_mock, org.organization_id, "ada@acme.co"))
    assert primary["member_authenticated"] is False
    ist = primary["intermediate_session_token"]
    assert ist and primary["mfa_required"] is not None

    send_body = {
        "organization_id": org.organization_id,
        "member_id": member.member_id,
        "mfa_phone_number": PHONE,
    }
    sent = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/otps/sms/send",
            {**send_body, "intermediate_session_token": ist},
        )
    )
    assert set(sent) == {"status_code", "request_id"}
    code = stytch_mock.outbox.latest_code(PHONE)
    auth_body = {
        "organization_id": org.organization_id,
        "member_id": member.member_id,
        "session_duration_minutes": 60,
        "intermediate_session_token": ist,
    }
    wrong = "000000" if code != "000000" else "111111"
    before = state_of(stytch_mock)
    assert_stytch_error(
        sdk(stytch_mock, "POST", "b2b/otps/sms/authenticate", {**auth_body, "code": wrong}),
        404,
        "otp_code_not_found",
    )
    assert state_of(stytch_mock) == before
    done = ok(sdk(stytch_mock, "POST", "b2b/otps/sms/authenticate", {**auth_body, "code": code}))
    assert done["member_id"] == member.member_id and done["session_token"]
    assert factor_types(done["member_session"]) == [("password", "knowledge"), ("otp", "sms")]
    assert done["member"]["mfa_phone_number_verified"] is True


def test_email_codes_for_an_organization_and_for_discovery(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.co")
    sent = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/otps/email/login_or_signup",
            {"organization_id": org.organization_id, "email_address": "ada@acme.co"},
        )
    )
    assert set(sent) == {"status_code", "request_id"}
    done = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/otps/email/authenticate",
            {
                "organization_id": org.organization_id,
                "email_address": "ada@acme.co",
                "code": stytch_mock.outbox.latest_code("ada@acme.co"),
                "session_duration_minutes": 60,
            },
        )
    )
    assert done["member_authenticated"] is True and done["method_id"].startswith("email-test-")
    assert factor_types(done["member_session"]) == [("email_otp", "email")]

    ok(sdk(stytch_mock, "POST", "b2b/otps/email/discovery/send", {"email_address": "ada@acme.co"}))
    found = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/otps/email/discovery/authenticate",
            {"email_address": "ada@acme.co", "code": stytch_mock.outbox.latest_code("ada@acme.co")},
        )
    )
    assert found["intermediate_session_token"]
    assert [d["organization"]["organization_id"] for d in found["discovered_organizations"]] == [
        org.organization_id
    ]


# --- TOTP and recovery codes ------------------------------------------------------------------


def test_totp_enrolment_then_recovery_codes(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.co", mfa_policy="REQUIRED_FOR_ALL")
    set_password(stytch_mock, org.organization_id, "ada@acme.co")
    ist = ok(sign_in(stytch_mock, org.organization_id, "ada@acme.co"))["intermediate_session_token"]
    ids = {"organization_id": org.organization_id, "member_id": member.member_id}
    created = ok(sdk(stytch_mock, "POST", "b2b/totp", {**ids, "intermediate_session_token": ist}))
    assert created["qr_code"].startswith("data:image/png;base64,")
    assert len(created["recovery_codes"]) == 10
    done = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/totp/authenticate",
            {
                **ids,
                "code": stytch_mock.totp_code(created["secret"]),
                "session_duration_minutes": 60,
                "intermediate_session_token": ist,
            },
        )
    )
    assert factor_types(done["member_session"]) == [
        ("password", "knowledge"),
        ("totp", "authenticator_app"),
    ]
    session = done["session_token"]

    # get and rotate name no member: the session's.
    assert_stytch_error(sdk(stytch_mock, "GET", "b2b/recovery_codes"), 404, "session_not_found")
    codes = ok(sdk(stytch_mock, "GET", "b2b/recovery_codes", session=session))["recovery_codes"]
    assert codes == created["recovery_codes"]
    rotated = ok(sdk(stytch_mock, "POST", "b2b/recovery_codes/rotate", {}, session=session))
    assert len(rotated["recovery_codes"]) == 10 and not set(rotated["recovery_codes"]) & set(codes)

    ist = ok(sign_in(stytch_mock, org.organization_id, "ada@acme.co"))["intermediate_session_token"]
    recover = {**ids, "session_duration_minutes": 60, "intermediate_session_token": ist}
    assert_stytch_error(
        sdk(
            stytch_mock,
            "POST",
            "b2b/recovery_codes/recover",
            {**recover, "recovery_code": codes[0]},
        ),
        401,
        "unable_to_authenticate_recovery_code",
    )
    recovered = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/recovery_codes/recover",
            {**recover, "recovery_code": rotated["recovery_codes"][0]},
        )
    )
    assert recovered["recovery_codes_remaining"] == 9
    assert factor_types(recovered["member_session"]) == [
        ("password", "knowledge"),
        ("recovery_codes", "recovery_code"),
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "b2b/recovery_codes"), ("POST", "b2b/recovery_codes/rotate")],
)
def test_recovery_codes_without_totp_are_refused(
    stytch_mock: StytchMock, method: str, path: str
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.co")
    session = set_password(stytch_mock, org.organization_id, "ada@acme.co")["session_token"]
    resp = sdk(stytch_mock, method, path, {} if method == "POST" else None, session=session)
    assert_stytch_error(resp, 404, "no_active_recovery_code_backed_factor")
