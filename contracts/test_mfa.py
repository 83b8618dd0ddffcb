"""Multi-factor authentication: a primary factor into an organization that needs MFA, then an
SMS code, a TOTP code or a recovery code with the intermediate session, then a full session.

Stytch's behaviour from the Python SDK's docstrings (``otps.sms.*``, ``totps.*``,
``recovery_codes.*``, the ``mfa_required`` model), Stytch's MFA guides
(https://stytch.com/docs/b2b/guides/mfa/overview) and error pages; where Stytch publishes no
status or value, the README's fidelity notes give the mock's choice. Every scenario reads codes
from the mock's outbox or computes TOTP codes at the mock's clock, so all are mock-only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt as pyjwt
import pytest

from contracts.helpers import company_email, discover, log_in, refused
from contracts.support import unique

pytestmark = pytest.mark.mock_only(reason="codes are read from the mock's outbox and clock")

PHONE = "+15555550100"
OTHER_PHONE = "+15555550199"
SESSION_CLAIM = "https://stytch.com/session"
KNOWN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def mfa_org(new_org):
    """``mfa_org(**settings)`` -> (organization, a fresh address on its allowed domain)."""

    def make(**settings: Any) -> tuple[Any, str]:
        email, label = company_email()
        settings.setdefault("mfa_policy", "REQUIRED_FOR_ALL")
        org = new_org(email_allowed_domains=[f"{label}.com"], **settings)
        return org, email

    return make


def factor_types(member_session: Any) -> list[tuple[str, str]]:
    return [(f.type.value, f.delivery_method.value) for f in member_session.authentication_factors]


def jwt_factor_types(session_jwt: str) -> list[tuple[str, str]]:
    claims = pyjwt.decode(session_jwt, options={"verify_signature": False})
    return [
        (f["type"], f["delivery_method"]) for f in claims[SESSION_CLAIM]["authentication_factors"]
    ]


def enrol_sms(sdk, mock, org, email) -> Any:
    """First login with SMS enrolment; the SMS authenticate response."""
    first = log_in(sdk, mock, org.organization_id, email)
    sdk.otps.sms.send(
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number=PHONE,
        intermediate_session_token=first.intermediate_session_token,
    )
    return sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=first.intermediate_session_token,
    )


def migrate_totp(sdk, org, member_id, codes=None) -> Any:
    return sdk.totps.migrate(
        organization_id=org.organization_id,
        member_id=member_id,
        secret=KNOWN_SECRET,
        recovery_codes=codes or [f"abcd-efgh-{i:04d}" for i in range(10)],
    )


def needs_mfa(resp: Any) -> None:
    """The shape of an answer that still needs MFA (Stytch's MFA sample response)."""
    assert resp.member_authenticated is False
    assert resp.intermediate_session_token
    assert resp.session_token == "" and resp.session_jwt == ""
    assert resp.member_session is None
    assert resp.mfa_required is not None
    assert resp.primary_required is None


# --- the whole MFA login ------------------------------------------------------------------


def test_org_magic_link_then_sms_enrolment_gives_a_session_with_both_factors(sdk, mock, mfa_org):
    org, email = mfa_org()
    first = log_in(sdk, mock, org.organization_id, email)
    needs_mfa(first)
    assert first.mfa_required.member_options is None  # nothing to choose from yet
    assert first.mfa_required.secondary_auth_initiated is None
    member_id = first.member_id

    sent = sdk.otps.sms.send(
        organization_id=org.organization_id,
        member_id=member_id,
        mfa_phone_number=PHONE,
        intermediate_session_token=first.intermediate_session_token,
    )
    assert sent.member.mfa_phone_number == PHONE
    assert sent.member.mfa_phone_number_verified is False
    message = mock.outbox.latest(PHONE)
    assert message["channel"] == "sms" and message["kind"] == "sms_otp"
    assert len(message["code"]) == 6 and message["code"].isdigit()
    assert message["code"] in message["text"]

    done = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=member_id,
        code=message["code"],
        intermediate_session_token=first.intermediate_session_token,
        session_duration_minutes=30,
    )

    expected = [("magic_link", "email"), ("otp", "sms")]
    assert factor_types(done.member_session) == expected
    assert jwt_factor_types(done.session_jwt) == expected
    sms = done.member_session.authentication_factors[1].phone_number_factor
    assert sms.phone_number == PHONE and sms.phone_id
    assert done.member.mfa_enrolled is True
    assert done.member.mfa_phone_number_verified is True
    assert done.member.default_mfa_method == "sms_otp"
    assert done.member_session.expires_at - done.member_session.started_at == timedelta(minutes=30)
    assert sdk.sessions.authenticate(session_token=done.session_token).member.member_id == member_id
    # The intermediate session was used up.
    refused(
        sdk.otps.sms.authenticate,
        404,
        "intermediate_session_not_found",
        organization_id=org.organization_id,
        member_id=member_id,
        code=message["code"],
        intermediate_session_token=first.intermediate_session_token,
    )


def test_an_enrolled_member_gets_the_sms_sent_by_the_primary_login(sdk, mock, mfa_org):
    org, email = mfa_org()
    enrol_sms(sdk, mock, org, email)
    sent_before = len(mock.outbox.messages(PHONE))

    again = log_in(sdk, mock, org.organization_id, email)

    needs_mfa(again)
    options = again.mfa_required.member_options
    assert (options.mfa_phone_number, options.totp_registration_id) == (PHONE, "")
    assert again.mfa_required.secondary_auth_initiated == "sms_otp"
    assert len(mock.outbox.messages(PHONE)) == sent_before + 1
    done = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=again.member_id,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=again.intermediate_session_token,
    )
    assert factor_types(done.member_session) == [("magic_link", "email"), ("otp", "sms")]


def test_discovery_exchange_then_totp_enrolment(sdk, mock, mfa_org):
    org, email = mfa_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    ).member
    ist = discover(sdk, mock, email).intermediate_session_token

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=ist, organization_id=org.organization_id
    )
    needs_mfa(exchanged)
    assert exchanged.intermediate_session_token == ist  # the same IST comes back

    created = sdk.totps.create(
        organization_id=org.organization_id,
        member_id=member.member_id,
        intermediate_session_token=ist,
    )
    assert len(created.secret) == 32 and set(created.secret) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    )
    assert created.qr_code.startswith("data:image/png;base64,")
    assert len(created.recovery_codes) == 10
    assert all(len(c) == 14 and c.count("-") == 2 for c in created.recovery_codes)
    assert created.totp_registration_id.startswith("member-totp-test-")

    done = sdk.totps.authenticate(
        organization_id=org.organization_id,
        member_id=member.member_id,
        code=mock.totp_code(created.secret),
        intermediate_session_token=ist,
    )

    expected = [("magic_link", "email"), ("totp", "authenticator_app")]
    assert factor_types(done.member_session) == expected
    assert jwt_factor_types(done.session_jwt) == expected
    totp = done.member_session.authentication_factors[1].authenticator_app_factor
    assert totp.totp_id == created.totp_registration_id
    assert done.member.totp_registration_id == created.totp_registration_id
    assert done.member.mfa_enrolled is True
    assert done.member.default_mfa_method == "totp"
    # Now the member has a factor: the next login names it, and sends no SMS.
    again = log_in(sdk, mock, org.organization_id, email)
    options = again.mfa_required.member_options
    assert (options.mfa_phone_number, options.totp_registration_id) == (
        "",
        created.totp_registration_id,
    )
    assert again.mfa_required.secondary_auth_initiated is None


def test_email_code_as_primary_factor_then_sms(sdk, mock, mfa_org):
    org, email = mfa_org()
    enrol_sms(sdk, mock, org, email)

    sent = sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    assert sent.member_created is False
    message = mock.outbox.latest(email)
    assert (message["channel"], message["kind"]) == ("email", "email_otp_login")
    first = sdk.otps.email.authenticate(
        organization_id=org.organization_id, email_address=email, code=message["code"]
    )

    needs_mfa(first)
    assert first.method_id  # the member's email id
    assert first.organization_id == org.organization_id
    assert first.mfa_required.secondary_auth_initiated == "sms_otp"
    done = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=first.intermediate_session_token,
    )
    assert factor_types(done.member_session) == [("email_otp", "email"), ("otp", "sms")]


def test_a_primary_step_up_with_the_ist_counts_when_mfa_completes(sdk, mock, mfa_org):
    """Exchange into an organization that allows only email codes and requires MFA: the
    answer asks for both. An email code with the IST meets the primary requirement; the IST it
    hands back (MFA still needed) carries that factor, so the SMS code completes the login."""
    org, email = mfa_org(auth_methods="RESTRICTED", allowed_auth_methods=["email_otp"])
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email, mfa_phone_number=PHONE
    ).member
    found = discover(sdk, mock, email)
    first = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=org.organization_id,
    )
    assert first.primary_required.allowed_auth_methods == ["email_otp"]
    assert first.mfa_required is not None

    sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    stepped = sdk.otps.email.authenticate(
        organization_id=org.organization_id,
        email_address=email,
        code=mock.outbox.latest_code(email),
        intermediate_session_token=first.intermediate_session_token,
    )
    assert (stepped.member_authenticated, stepped.primary_required) == (False, None)
    assert stepped.mfa_required.secondary_auth_initiated == "sms_otp"

    done = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=member.member_id,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=stepped.intermediate_session_token,
    )
    assert sorted(factor_types(done.member_session)) == [
        ("email_otp", "email"),
        ("magic_link", "email"),
        ("otp", "sms"),
    ]


def test_a_recovery_code_completes_mfa_once(sdk, mock, mfa_org):
    org, email = mfa_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    ).member
    codes = [f"abcd-efgh-{i:04d}" for i in range(10)]
    migrated = migrate_totp(sdk, org, member.member_id, codes)
    assert migrated.member.totp_registration_id == migrated.totp_registration_id
    assert migrated.recovery_codes == codes
    first = log_in(sdk, mock, org.organization_id, email)
    needs_mfa(first)

    done = sdk.recovery_codes.recover(
        organization_id=org.organization_id,
        member_id=member.member_id,
        recovery_code=codes[3],
        intermediate_session_token=first.intermediate_session_token,
    )

    assert done.recovery_codes_remaining == 9
    assert factor_types(done.member_session) == [
        ("magic_link", "email"),
        ("recovery_codes", "recovery_code"),
    ]
    assert done.member_session.authentication_factors[1].recovery_code_factor.totp_recovery_code_id
    left = sdk.recovery_codes.get(organization_id=org.organization_id, member_id=member.member_id)
    assert left.recovery_codes == codes[:3] + codes[4:]
    again = log_in(sdk, mock, org.organization_id, email)
    refused(
        sdk.recovery_codes.recover,
        401,
        "unable_to_authenticate_recovery_code",
        organization_id=org.organization_id,
        member_id=member.member_id,
        recovery_code=codes[3],
        intermediate_session_token=again.intermediate_session_token,
    )
    # Rotating replaces every code.
    rotated = sdk.recovery_codes.rotate(
        organization_id=org.organization_id, member_id=member.member_id
    )
    assert len(rotated.recovery_codes) == 10 and not set(rotated.recovery_codes) & set(codes)
    refused(
        sdk.recovery_codes.recover,
        401,
        "unable_to_authenticate_recovery_code",
        organization_id=org.organization_id,
        member_id=member.member_id,
        recovery_code=codes[0],
        intermediate_session_token=again.intermediate_session_token,
    )
    last = sdk.recovery_codes.recover(
        organization_id=org.organization_id,
        member_id=member.member_id,
        recovery_code=rotated.recovery_codes[0],
        intermediate_session_token=again.intermediate_session_token,
    )
    assert last.recovery_codes_remaining == 9


def test_optional_policy_asks_only_enrolled_members(sdk, mock, mfa_org):
    org, email = mfa_org(mfa_policy="OPTIONAL")
    first = log_in(sdk, mock, org.organization_id, email)
    assert first.member_authenticated is True and first.mfa_required is None

    # Step-up on the session with set_mfa_enrollment=enroll: the member opts in.
    sdk.otps.sms.send(
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number=PHONE,
        session_token=first.session_token,
    )
    stepped = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.outbox.latest_code(PHONE),
        session_token=first.session_token,
        set_mfa_enrollment="enroll",
    )
    assert stepped.member.mfa_enrolled is True
    assert stepped.member_session.member_session_id == first.member_session.member_session_id
    assert factor_types(stepped.member_session) == [("magic_link", "email"), ("otp", "sms")]

    again = log_in(sdk, mock, org.organization_id, email)
    needs_mfa(again)
    assert again.mfa_required.secondary_auth_initiated == "sms_otp"

    # Unenrolled by an administrator: no MFA at the next login.
    sdk.organizations.members.update(
        organization_id=org.organization_id, member_id=first.member_id, mfa_enrolled=False
    )
    third = log_in(sdk, mock, org.organization_id, email)
    assert third.member_authenticated is True


def test_sms_step_up_without_enrollment_flag_keeps_optional_member_unenrolled(sdk, mock, mfa_org):
    org, email = mfa_org(mfa_policy="OPTIONAL")
    first = log_in(sdk, mock, org.organization_id, email)
    sdk.otps.sms.send(
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number=PHONE,
        session_jwt=first.session_jwt,
    )
    stepped = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.outbox.latest_code(PHONE),
        session_jwt=first.session_jwt,
    )
    assert stepped.member.mfa_enrolled is False
    assert stepped.member.mfa_phone_number_verified is True


# --- codes: format, lifetime, single use ------------------------------------------------


@pytest.fixture
def waiting(sdk, mock, mfa_org):
    """A member with a verified phone, logged in by magic link and waiting for MFA (the SMS
    code was auto-sent): (org, member_id, ist)."""
    org, email = mfa_org()
    enrol_sms(sdk, mock, org, email)
    first = log_in(sdk, mock, org.organization_id, email)
    return org, first.member_id, first.intermediate_session_token


def sms_auth(sdk, waiting, code, **kwargs):
    org, member_id, ist = waiting
    kwargs.setdefault("intermediate_session_token", ist)
    return sdk.otps.sms.authenticate(
        organization_id=org.organization_id, member_id=member_id, code=code, **kwargs
    )


def test_a_wrong_sms_code_is_404_and_leaves_the_right_one_usable(sdk, mock, waiting):
    code = mock.outbox.latest_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    refused(lambda: sms_auth(sdk, waiting, wrong), 404, "otp_code_not_found")
    assert sms_auth(sdk, waiting, code).session_token


@pytest.mark.parametrize("bad", ["12345", "1234567", "12a456", ""])
def test_a_malformed_sms_code_is_400(sdk, mock, waiting, bad):
    refused(lambda: sms_auth(sdk, waiting, bad), 400, "invalid_code")
    assert sms_auth(sdk, waiting, mock.outbox.latest_code(PHONE)).session_token


def test_an_sms_code_lasts_two_minutes_on_the_mock_clock(sdk, mock, waiting):
    code = mock.outbox.latest_code(PHONE)
    message = mock.outbox.latest(PHONE)
    assert message["expires_at"] > message["created_at"]
    mock.advance_clock(seconds=121)
    refused(lambda: sms_auth(sdk, waiting, code), 401, "unable_to_auth_otp_code")


def test_an_sms_code_works_just_before_it_expires(sdk, mock, waiting):
    code = mock.outbox.latest_code(PHONE)
    mock.advance_clock(seconds=110)
    assert sms_auth(sdk, waiting, code).session_token


def test_an_sms_code_is_single_use(sdk, mock, waiting):
    org, member_id, _ = waiting
    code = mock.outbox.latest_code(PHONE)
    done = sms_auth(sdk, waiting, code)
    refused(
        lambda: sms_auth(
            sdk, waiting, code, intermediate_session_token=None, session_token=done.session_token
        ),
        401,
        "unable_to_auth_otp_code",
    )


def test_sending_again_supersedes_the_previous_sms_code(sdk, mock, waiting):
    org, member_id, ist = waiting
    old = mock.outbox.latest_code(PHONE)
    sdk.otps.sms.send(
        organization_id=org.organization_id, member_id=member_id, intermediate_session_token=ist
    )
    new = mock.outbox.latest_code(PHONE)
    if new == old:  # one chance in a million: send once more
        sdk.otps.sms.send(organization_id=org.organization_id, member_id=member_id)
        new = mock.outbox.latest_code(PHONE)
    refused(lambda: sms_auth(sdk, waiting, old), 401, "unable_to_auth_otp_code")
    assert sms_auth(sdk, waiting, new).session_token


def test_an_expired_intermediate_session_cannot_complete_mfa(sdk, mock, waiting):
    mock.advance_clock(minutes=11)
    org, member_id, ist = waiting
    sdk.otps.sms.send(organization_id=org.organization_id, member_id=member_id)
    refused(
        lambda: sms_auth(sdk, waiting, mock.outbox.latest_code(PHONE)),
        404,
        "intermediate_session_not_found",
    )


# --- TOTP codes ----------------------------------------------------------------------------


@pytest.fixture
def totp_waiting(sdk, mock, mfa_org):
    """A member with a migrated TOTP, waiting for MFA: (org, member_id, ist)."""
    org, email = mfa_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    ).member
    migrate_totp(sdk, org, member.member_id)
    first = log_in(sdk, mock, org.organization_id, email)
    return org, member.member_id, first.intermediate_session_token


def totp_auth(sdk, waiting, code, **kwargs):
    org, member_id, ist = waiting
    kwargs.setdefault("intermediate_session_token", ist)
    return sdk.totps.authenticate(
        organization_id=org.organization_id, member_id=member_id, code=code, **kwargs
    )


def test_totp_codes_follow_the_mock_clock_with_one_step_either_side(sdk, mock, totp_waiting):
    current = mock.totp_code(KNOWN_SECRET)
    mock.advance_clock(seconds=30)
    # The code of the step before still works (±1 step); two steps back does not.
    refused(
        lambda: totp_auth(sdk, totp_waiting, mock.totp_code(KNOWN_SECRET, steps=-2)),
        401,
        "unable_to_authenticate_totp",
    )
    assert totp_auth(sdk, totp_waiting, current).session_token


def test_a_totp_code_cannot_be_used_twice(sdk, mock, totp_waiting):
    org, member_id, _ = totp_waiting
    code = mock.totp_code(KNOWN_SECRET)
    done = totp_auth(sdk, totp_waiting, code)
    refused(
        lambda: totp_auth(
            sdk,
            totp_waiting,
            code,
            intermediate_session_token=None,
            session_token=done.session_token,
        ),
        401,
        "totp_code_already_authenticated",
    )


@pytest.mark.parametrize(
    ("code", "status", "error_type"),
    [
        ("12345", 400, "invalid_totp_code"),
        ("abcdef", 400, "invalid_totp_code"),
        ("abcd-efgh-0001", 400, "recovery_code_used_as_totp_code"),
    ],
)
def test_malformed_totp_codes(sdk, mock, totp_waiting, code, status, error_type):
    refused(lambda: totp_auth(sdk, totp_waiting, code), status, error_type)
    assert totp_auth(sdk, totp_waiting, mock.totp_code(KNOWN_SECRET)).session_token


def test_a_member_without_totp_gets_404(sdk, mock, waiting):
    refused(lambda: totp_auth(sdk, waiting, "123456"), 404, "totp_not_found")


def test_a_pending_totp_lapses_after_its_expiration(sdk, mock, mfa_org):
    org, email = mfa_org()
    first = log_in(sdk, mock, org.organization_id, email)
    created = sdk.totps.create(
        organization_id=org.organization_id,
        member_id=first.member_id,
        expiration_minutes=5,
        intermediate_session_token=first.intermediate_session_token,
    )
    assert created.member.totp_registration_id == ""  # live after its first code
    mock.advance_clock(minutes=6)
    again = log_in(sdk, mock, org.organization_id, email)
    refused(
        sdk.totps.authenticate,
        401,
        "expired_totp",
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.totp_code(created.secret),
        intermediate_session_token=again.intermediate_session_token,
    )


def test_one_active_totp_per_member(sdk, mock, totp_waiting):
    org, member_id, ist = totp_waiting
    refused(
        sdk.totps.create,
        400,
        "active_totp_exists",
        organization_id=org.organization_id,
        member_id=member_id,
        intermediate_session_token=ist,
    )
    deleted = sdk.organizations.members.delete_totp(
        organization_id=org.organization_id, member_id=member_id
    )
    assert deleted.member.totp_registration_id == ""
    refused(
        sdk.recovery_codes.get,
        404,
        "no_active_recovery_code_backed_factor",
        organization_id=org.organization_id,
        member_id=member_id,
    )
    created = sdk.totps.create(
        organization_id=org.organization_id, member_id=member_id, intermediate_session_token=ist
    )
    assert created.secret != KNOWN_SECRET


# --- who may complete MFA -------------------------------------------------------------------


def test_mfa_authenticate_needs_exactly_one_of_ist_session_token_jwt(sdk, mock, waiting):
    code = mock.outbox.latest_code(PHONE)
    refused(
        lambda: sms_auth(sdk, waiting, code, intermediate_session_token=None),
        400,
        "no_associated_session_passed_in",
    )
    refused(
        lambda: sms_auth(sdk, waiting, code, session_token="x" * 44),
        400,
        "too_many_session_arguments",
    )
    assert sms_auth(sdk, waiting, code).session_token


def test_an_intermediate_session_of_another_organization_is_refused(sdk, mock, mfa_org, waiting):
    other_org, other_email = mfa_org()
    other = log_in(sdk, mock, other_org.organization_id, other_email)
    code = mock.outbox.latest_code(PHONE)
    refused(
        lambda: sms_auth(
            sdk, waiting, code, intermediate_session_token=other.intermediate_session_token
        ),
        400,
        "invalid_intermediate_session_token_for_organization",
    )
    assert sms_auth(sdk, waiting, code).session_token


def test_a_session_of_another_member_is_refused(sdk, mock, mfa_org, waiting):
    org, member_id, _ = waiting
    outsider, outsider_email = mfa_org(mfa_policy="OPTIONAL")
    theirs = log_in(sdk, mock, outsider.organization_id, outsider_email)
    refused(
        lambda: sms_auth(
            sdk,
            waiting,
            mock.outbox.latest_code(PHONE),
            intermediate_session_token=None,
            session_token=theirs.session_token,
        ),
        400,
        "member_session_member_id_mismatch",
    )


# --- organization settings ---------------------------------------------------------------


def test_restricted_mfa_methods_refuse_sms_and_allow_totp(sdk, mock, mfa_org):
    org, email = mfa_org(mfa_methods="RESTRICTED", allowed_mfa_methods=["totp"])
    first = log_in(sdk, mock, org.organization_id, email)
    refused(
        sdk.otps.sms.send,
        400,
        "operation_restricted_by_organization_mfa_methods",
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number=PHONE,
        intermediate_session_token=first.intermediate_session_token,
    )
    member = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=first.member_id
    ).member
    assert member.mfa_phone_number == ""
    assert mock.outbox.messages(PHONE) == []
    created = sdk.totps.create(
        organization_id=org.organization_id,
        member_id=first.member_id,
        intermediate_session_token=first.intermediate_session_token,
    )
    done = sdk.totps.authenticate(
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.totp_code(created.secret),
        intermediate_session_token=first.intermediate_session_token,
    )
    assert done.member.mfa_enrolled is True


def test_restricted_mfa_methods_send_no_sms_at_login(sdk, mock, mfa_org):
    org, email = mfa_org()
    enrol_sms(sdk, mock, org, email)
    sdk.organizations.update(
        organization_id=org.organization_id,
        mfa_methods="RESTRICTED",
        allowed_mfa_methods=["totp"],
    )
    sent_before = len(mock.outbox.messages(PHONE))
    again = log_in(sdk, mock, org.organization_id, email)
    needs_mfa(again)
    assert again.mfa_required.secondary_auth_initiated is None
    assert len(mock.outbox.messages(PHONE)) == sent_before


def test_mfa_waits_for_the_primary_requirement(sdk, mock, mfa_org):
    org, email = mfa_org(auth_methods="RESTRICTED", allowed_auth_methods=["magic_link"])
    enrol_sms(sdk, mock, org, email)
    sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    first = sdk.otps.email.authenticate(
        organization_id=org.organization_id,
        email_address=email,
        code=mock.outbox.latest_code(email),
    )
    assert first.member_authenticated is False
    assert first.primary_required.allowed_auth_methods == ["magic_link"]
    sdk.otps.sms.send(organization_id=org.organization_id, member_id=first.member_id)
    refused(
        sdk.otps.sms.authenticate,
        400,
        "action_available_only_once_primary_authentication_is_met",
        organization_id=org.organization_id,
        member_id=first.member_id,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=first.intermediate_session_token,
    )


# --- enrolment input ---------------------------------------------------------------------


@pytest.mark.parametrize("number", ["5555550100", "+0123456789", "+1 555 555 0100", "+1555abc0100"])
def test_a_malformed_phone_number_is_refused_and_nothing_changes(sdk, mock, mfa_org, number):
    org, email = mfa_org()
    first = log_in(sdk, mock, org.organization_id, email)
    refused(
        sdk.otps.sms.send,
        400,
        "invalid_phone_number",
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number=number,
        intermediate_session_token=first.intermediate_session_token,
    )
    member = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=first.member_id
    ).member
    assert member.mfa_phone_number == ""
    assert mock.outbox.messages(number) == []


def test_sms_send_without_any_number_is_404(sdk, mock, mfa_org):
    org, email = mfa_org()
    first = log_in(sdk, mock, org.organization_id, email)
    refused(
        sdk.otps.sms.send,
        404,
        "member_phone_number_not_found",
        organization_id=org.organization_id,
        member_id=first.member_id,
    )


def test_a_second_number_is_refused_until_the_first_is_deleted(sdk, mock, mfa_org):
    org, email = mfa_org()
    done = enrol_sms(sdk, mock, org, email)
    member_id = done.member_id
    refused(
        sdk.otps.sms.send,
        400,
        "duplicate_member_phone_number_for_member",
        organization_id=org.organization_id,
        member_id=member_id,
        mfa_phone_number=OTHER_PHONE,
        session_token=done.session_token,
    )
    deleted = sdk.organizations.members.delete_mfa_phone_number(
        organization_id=org.organization_id, member_id=member_id
    )
    assert deleted.member.mfa_phone_number == ""
    assert deleted.member.mfa_phone_number_verified is False
    # The session that holds the SMS factor stays valid.
    assert sdk.sessions.authenticate(session_token=done.session_token).member_session
    again = log_in(sdk, mock, org.organization_id, email)
    assert again.mfa_required.member_options is None


def test_mfa_factors_are_for_active_members_only(sdk, mock, mfa_org):
    org, email = mfa_org()
    pending = sdk.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address=email
    )
    assert pending.member.status == "pending"
    refused(
        sdk.otps.sms.send,
        400,
        "action_available_only_for_active_members",
        organization_id=org.organization_id,
        member_id=pending.member_id,
        mfa_phone_number=PHONE,
    )


# --- email codes ------------------------------------------------------------------------


def test_email_code_signup_activates_a_new_member(sdk, mock, mfa_org):
    org, email = mfa_org(mfa_policy="OPTIONAL")
    sent = sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    assert sent.member_created is True and sent.member.status == "pending"
    message = mock.outbox.latest(email)
    assert message["kind"] == "email_otp_signup"
    assert message["code"] in message["text"]

    done = sdk.otps.email.authenticate(
        organization_id=org.organization_id, email_address=email, code=message["code"]
    )

    assert done.member_authenticated is True
    assert done.member.status == "active"
    assert done.member.email_address_verified is True
    assert factor_types(done.member_session) == [("email_otp", "email")]
    assert done.member_session.authentication_factors[0].email_factor.email_address == email
    refused(
        sdk.otps.email.authenticate,
        401,
        "unable_to_auth_otp_code",
        organization_id=org.organization_id,
        email_address=email,
        code=message["code"],
    )


def test_email_codes_last_ten_minutes_by_default(sdk, mock, mfa_org):
    org, email = mfa_org(mfa_policy="OPTIONAL")
    sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    mock.advance_clock(minutes=9, seconds=58)  # times are whole seconds: 1-2 s left
    done = sdk.otps.email.authenticate(
        organization_id=org.organization_id,
        email_address=email,
        code=mock.outbox.latest_code(email),
    )
    assert done.member_authenticated is True
    sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    code = mock.outbox.latest_code(email)
    mock.advance_clock(minutes=10, seconds=1)
    refused(
        sdk.otps.email.authenticate,
        401,
        "unable_to_auth_otp_code",
        organization_id=org.organization_id,
        email_address=email,
        code=code,
    )


@pytest.mark.parametrize("minutes", [1, 16])
def test_email_code_lifetime_bounds(sdk, mfa_org, minutes):
    org, email = mfa_org(mfa_policy="OPTIONAL")
    refused(
        sdk.otps.email.login_or_signup,
        400,
        "invalid_expiration_otp",
        organization_id=org.organization_id,
        email_address=email,
        signup_expiration_minutes=minutes,
    )
    refused(
        sdk.organizations.members.get,
        404,
        "member_not_found",
        organization_id=org.organization_id,
        email_address=email,
    )


def test_email_code_for_unknown_member_is_404(sdk, mfa_org):
    org, email = mfa_org()
    refused(
        sdk.otps.email.authenticate,
        404,
        "member_not_found",
        organization_id=org.organization_id,
        email_address=email,
        code="123456",
    )


def test_email_code_discovery_then_create_organization(sdk, mock, made_orgs):
    email, _ = company_email()
    sent = sdk.otps.email.discovery.send(email_address=email)
    assert sent.status_code == 200
    message = mock.outbox.latest(email)
    assert message["kind"] == "email_otp_discovery"

    found = sdk.otps.email.discovery.authenticate(email_address=email, code=message["code"])

    assert found.email_address == email
    assert found.discovered_organizations == []
    assert found.intermediate_session_token
    slug = unique("contract")
    created = sdk.discovery.organizations.create(
        intermediate_session_token=found.intermediate_session_token,
        organization_name=f"Contract {slug}",
        organization_slug=slug,
    )
    made_orgs.append(created.organization.organization_id)
    assert created.member_authenticated is True
    assert factor_types(created.member_session) == [("email_otp", "email")]
    refused(
        sdk.otps.email.discovery.authenticate,
        401,
        "unable_to_auth_otp_code",
        email_address=email,
        code=message["code"],
    )


def test_email_code_discovery_lists_the_members_organizations(sdk, mock, mfa_org):
    org, email = mfa_org()
    sdk.organizations.members.create(organization_id=org.organization_id, email_address=email)
    sdk.otps.email.discovery.send(email_address=email)
    found = sdk.otps.email.discovery.authenticate(
        email_address=email, code=mock.outbox.latest_code(email)
    )
    [entry] = found.discovered_organizations
    assert entry.organization.organization_id == org.organization_id
    assert entry.member_authenticated is False
    assert entry.mfa_required is not None
    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=org.organization_id,
    )
    needs_mfa(exchanged)


# --- sandbox values and locks (project settings) ------------------------------------------


def test_sandbox_values_work_only_when_the_project_turns_them_on(sdk, mock, mfa_org):
    org, email = mfa_org()
    first = log_in(sdk, mock, org.organization_id, email)
    sdk.otps.sms.send(
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number="+10000000000",
        intermediate_session_token=first.intermediate_session_token,
    )
    refused(
        sdk.otps.sms.authenticate,
        404,
        "otp_code_not_found",
        organization_id=org.organization_id,
        member_id=first.member_id,
        code="000000" if mock.outbox.latest_code("+10000000000") != "000000" else "999999",
        intermediate_session_token=first.intermediate_session_token,
    )
    mock.configure_mfa(otp_sandbox=True)
    done = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=first.member_id,
        code="000000",
        intermediate_session_token=first.intermediate_session_token,
    )
    assert done.member.mfa_phone_number_verified is True


def test_member_lock_after_failed_codes_when_enabled(sdk, mock, waiting):
    mock.configure_mfa(member_lock_threshold=3, member_lock_minutes=60)
    code = mock.outbox.latest_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        refused(lambda: sms_auth(sdk, waiting, wrong), 404, "otp_code_not_found")
    refused(lambda: sms_auth(sdk, waiting, code), 429, "user_lock_limit_reached")
    org, member_id, _ = waiting
    member = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=member_id
    ).member
    assert member.is_locked is True
    mock.advance_clock(minutes=61)
    # The lock is over before any new attempt: the member reads as unlocked.
    member = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=member_id
    ).member
    assert (member.is_locked, member.lock_created_at, member.lock_expires_at) == (
        False,
        None,
        None,
    )
    # The code and the IST have expired meanwhile; a fresh login works again.
    refused(lambda: sms_auth(sdk, waiting, code), 404, "intermediate_session_not_found")


# One lock per member, whichever check made it (mockserver.domain.locks).

PASSWORD = "correct horse battery staple 42"
WRONG_PASSWORD = "Tr0ubadour & the quiet lighthouse"


def give_password(sdk, mock, org, email) -> None:
    """Set the member's password through the reset email."""
    sdk.passwords.email.reset_start(organization_id=org.organization_id, email_address=email)
    token = mock.outbox.latest(email)["token"]
    sdk.passwords.email.reset(password_reset_token=token, password=PASSWORD)


def password_sign_in(sdk, org, email, password) -> Any:
    return sdk.passwords.authenticate(
        organization_id=org.organization_id, email_address=email, password=password
    )


def error_of(details) -> tuple[int, str, str]:
    return details.status_code, details.error_type, details.error_message


def test_a_member_locked_by_wrong_passwords_is_refused_by_the_mfa_checks(sdk, mock, mfa_org):
    mock.set_password_policy(lock_threshold=3, lock_minutes=60)  # MFA locks stay off
    org, email = mfa_org()
    member_id = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    ).member.member_id
    codes = [f"abcd-efgh-{i:04d}" for i in range(10)]
    migrate_totp(sdk, org, member_id, codes)
    give_password(sdk, mock, org, email)
    for _ in range(3):
        refused(
            lambda: password_sign_in(sdk, org, email, WRONG_PASSWORD),
            401,
            "unauthorized_credentials",
        )
    by_password = refused(
        lambda: password_sign_in(sdk, org, email, PASSWORD), 429, "user_lock_limit_reached"
    )

    ist = log_in(sdk, mock, org.organization_id, email).intermediate_session_token
    by_totp = refused(
        sdk.totps.authenticate,
        429,
        "user_lock_limit_reached",
        organization_id=org.organization_id,
        member_id=member_id,
        code=mock.totp_code(KNOWN_SECRET),
        intermediate_session_token=ist,
    )
    by_recovery_code = refused(
        sdk.recovery_codes.recover,
        429,
        "user_lock_limit_reached",
        organization_id=org.organization_id,
        member_id=member_id,
        recovery_code=codes[0],
        intermediate_session_token=ist,
    )
    assert error_of(by_totp) == error_of(by_recovery_code) == error_of(by_password)

    mock.advance_clock(minutes=60)
    # The refused recovery code was not spent.
    ist = log_in(sdk, mock, org.organization_id, email).intermediate_session_token
    done = sdk.recovery_codes.recover(
        organization_id=org.organization_id,
        member_id=member_id,
        recovery_code=codes[0],
        intermediate_session_token=ist,
    )
    assert done.recovery_codes_remaining == 9


def test_a_member_locked_by_wrong_sms_codes_is_refused_a_password_sign_in(sdk, mock, mfa_org):
    mock.configure_mfa(member_lock_threshold=3, member_lock_minutes=60)
    org, email = mfa_org()
    enrol_sms(sdk, mock, org, email)
    give_password(sdk, mock, org, email)
    first = log_in(sdk, mock, org.organization_id, email)  # sends the SMS code
    waiting = (org, first.member_id, first.intermediate_session_token)
    code = mock.outbox.latest_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        refused(lambda: sms_auth(sdk, waiting, wrong), 404, "otp_code_not_found")
    by_sms = refused(lambda: sms_auth(sdk, waiting, code), 429, "user_lock_limit_reached")
    by_password = refused(
        lambda: password_sign_in(sdk, org, email, PASSWORD), 429, "user_lock_limit_reached"
    )
    assert error_of(by_password) == error_of(by_sms)

    mock.advance_clock(minutes=60)
    assert password_sign_in(sdk, org, email, PASSWORD).intermediate_session_token


def test_masked_phone_number_setting(sdk, mock, mfa_org):
    org, email = mfa_org()
    enrol_sms(sdk, mock, org, email)
    mock.configure_mfa(mask_mfa_phone_number=True)
    again = log_in(sdk, mock, org.organization_id, email)
    assert again.mfa_required.member_options.mfa_phone_number == "XXXXXXXX0100"


def test_a_second_step_up_refreshes_the_factor_instead_of_adding_one(sdk, mock, mfa_org):
    org, email = mfa_org(mfa_policy="OPTIONAL")
    first = log_in(sdk, mock, org.organization_id, email)
    ids = {"organization_id": org.organization_id, "member_id": first.member_id}
    sdk.otps.sms.send(**ids, mfa_phone_number=PHONE, session_token=first.session_token)
    once = sdk.otps.sms.authenticate(
        **ids, code=mock.outbox.latest_code(PHONE), session_token=first.session_token
    )
    mock.advance_clock(minutes=5)
    sdk.otps.sms.send(**ids, session_token=first.session_token)
    twice = sdk.otps.sms.authenticate(
        **ids, code=mock.outbox.latest_code(PHONE), session_token=first.session_token
    )

    assert factor_types(twice.member_session) == [("magic_link", "email"), ("otp", "sms")]
    before, after = (
        once.member_session.authentication_factors[1],
        twice.member_session.authentication_factors[1],
    )
    assert after.last_authenticated_at - before.last_authenticated_at >= timedelta(minutes=5)
    assert after.created_at == before.created_at


def test_an_email_code_meets_a_primary_requirement_on_the_intermediate_session(sdk, mock, mfa_org):
    org, email = mfa_org(
        mfa_policy="OPTIONAL", auth_methods="RESTRICTED", allowed_auth_methods=["email_otp"]
    )
    first = log_in(sdk, mock, org.organization_id, email)
    assert first.member_authenticated is False
    assert first.primary_required.allowed_auth_methods == ["email_otp"]

    sdk.otps.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    done = sdk.otps.email.authenticate(
        organization_id=org.organization_id,
        email_address=email,
        code=mock.outbox.latest_code(email),
        intermediate_session_token=first.intermediate_session_token,
    )

    assert done.member_authenticated is True
    assert done.intermediate_session_token == ""
    assert sorted(factor_types(done.member_session)) == [
        ("email_otp", "email"),
        ("magic_link", "email"),
    ]


def test_a_discovery_intermediate_session_completes_mfa_directly(sdk, mock, mfa_org):
    org, email = mfa_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email, mfa_phone_number=PHONE
    ).member
    ist = discover(sdk, mock, email).intermediate_session_token

    sdk.otps.sms.send(
        organization_id=org.organization_id,
        member_id=member.member_id,
        intermediate_session_token=ist,
    )
    done = sdk.otps.sms.authenticate(
        organization_id=org.organization_id,
        member_id=member.member_id,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=ist,
    )

    assert done.organization.organization_id == org.organization_id
    assert factor_types(done.member_session) == [("magic_link", "email"), ("otp", "sms")]


def test_members_create_and_update_check_the_mfa_phone_number(sdk, mfa_org):
    org, email = mfa_org()
    refused(
        sdk.organizations.members.create,
        400,
        "invalid_phone_number",
        organization_id=org.organization_id,
        email_address=email,
        mfa_phone_number="555-0100",
    )
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email
    ).member
    ids = {"organization_id": org.organization_id, "member_id": member.member_id}

    updated = sdk.organizations.members.update(**ids, mfa_phone_number=PHONE).member
    assert (updated.mfa_phone_number, updated.mfa_phone_number_verified) == (PHONE, False)
    # An existing number is not overwritten: delete it first.
    refused(
        sdk.organizations.members.update,
        400,
        "duplicate_member_phone_number_for_member",
        **ids,
        mfa_phone_number=OTHER_PHONE,
    )
    sdk.organizations.members.delete_mfa_phone_number(**ids)
    again = sdk.organizations.members.update(**ids, mfa_phone_number=OTHER_PHONE).member
    assert again.mfa_phone_number == OTHER_PHONE


def test_mfa_calls_take_the_organization_slug_and_the_members_external_id(sdk, mock, mfa_org):
    org, email = mfa_org()
    sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email, external_id="ext-ada"
    )
    first = log_in(sdk, mock, org.organization_id, email)
    ids = {"organization_id": org.organization_slug, "member_id": "ext-ada"}

    sent = sdk.otps.sms.send(
        **ids, mfa_phone_number=PHONE, intermediate_session_token=first.intermediate_session_token
    )
    done = sdk.otps.sms.authenticate(
        **ids,
        code=mock.outbox.latest_code(PHONE),
        intermediate_session_token=first.intermediate_session_token,
    )

    assert sent.member_id == first.member_id == done.member_id
    assert done.organization.organization_id == org.organization_id
