"""B2B passwords: strength (zxcvbn and LUDS), sign-in, email resets, require_reset, session and
existing-password resets, migration, discovery, and deleting a password.

Behaviour from the Python SDK's docstrings (``stytch/b2b/api/passwords*.py``) and
https://stytch.com/docs/b2b/guides/passwords/strength-policies. The scenarios read reset emails
from the mock's outbox and change the project's password policy (a Dashboard setting on real
Stytch) through ``/_mock/password_policy``: they are mock-only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import pytest

from contracts.helpers import (
    MISSING_ORGANIZATION_ID,
    assert_near,
    assert_not_a_member,
    link_params,
    log_in,
    pkce_pair,
    refused,
)
from contracts.support import unique

pytestmark = pytest.mark.mock_only(
    reason="reads reset emails from the outbox and sets the password policy through /_mock/"
)

STRONG = "correct horse battery staple 42"
STRONGER = "Tr0ubadour & the quiet lighthouse"
REDIRECT_URL = "http://localhost:3000/authenticate"


@pytest.fixture
def org(new_org):
    slug = unique("pw")
    return new_org(organization_name=f"Passwords {slug}", organization_slug=slug)


@pytest.fixture
def member(sdk, org, email):
    address = email("ada", "acme.co")
    return sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=address
    ).member


def set_by_email(sdk, mock, org, address, password=STRONG, **reset_kwargs):
    """Set a member's password through the reset email, as a new member would."""
    sdk.passwords.email.reset_start(organization_id=org.organization_id, email_address=address)
    token = mock.outbox.latest(address)["token"]
    return sdk.passwords.email.reset(password_reset_token=token, password=password, **reset_kwargs)


def sign_in(sdk, org, address, password=STRONG, **kwargs):
    return sdk.passwords.authenticate(
        organization_id=org.organization_id, email_address=address, password=password, **kwargs
    )


def refused_sign_in(sdk, org, address, password, status, error_type):
    return refused(
        sdk.passwords.authenticate,
        status,
        error_type,
        organization_id=org.organization_id,
        email_address=address,
        password=password,
    )


def state_text(mock) -> str:
    return json.dumps(mock.control("GET", "_mock/state")["state"])


# --- strength ----------------------------------------------------------------------------------


def test_strength_zxcvbn_scores_and_explains(sdk, mock):
    weak = sdk.passwords.strength_check(password="p@ssword1")
    assert (weak.valid_password, weak.strength_policy) == (False, "zxcvbn")
    assert weak.score < 3
    assert weak.breach_detection_on_create is True
    assert weak.zxcvbn_feedback.warning == "This is similar to a commonly used password."
    assert weak.zxcvbn_feedback.suggestions

    strong = sdk.passwords.strength_check(password=STRONG)
    assert (strong.valid_password, strong.score, strong.breached_password) == (True, 4, False)
    assert strong.zxcvbn_feedback.warning == ""
    assert strong.zxcvbn_feedback.suggestions == []


def test_strength_breach_check_is_offline_and_honest(sdk, mock):
    # "password" is in zxcvbn's own list of common passwords: breached.
    found = sdk.passwords.strength_check(password="password")
    assert found.breached_password is True
    # A strong-scoring password breached by configuration fails validation once an email is
    # given (Stytch: the breach check joins validation when an email is included).
    mock.set_password_policy(breached_passwords=[STRONG])
    alone = sdk.passwords.strength_check(password=STRONG)
    assert (alone.breached_password, alone.valid_password) == (True, True)
    with_email = sdk.passwords.strength_check(password=STRONG, email_address="ada@acme.co")
    assert (with_email.breached_password, with_email.valid_password) == (True, False)

    mock.set_password_policy(breach_detection_on_create=False)
    off = sdk.passwords.strength_check(password="password", email_address="ada@acme.co")
    assert (off.breached_password, off.breach_detection_on_create) == (False, False)


def test_strength_luds_counts_missing_classes_and_characters(sdk, mock):
    mock.set_password_policy(strength_policy="luds", luds_min_password_length=12, luds_complexity=4)
    result = sdk.passwords.strength_check(password="abcDEF1")
    assert (result.valid_password, result.strength_policy) == (False, "luds")
    feedback = result.luds_feedback
    assert (feedback.has_lower_case, feedback.has_upper_case) == (True, True)
    assert (feedback.has_digit, feedback.has_symbol) == (True, False)
    assert (feedback.missing_complexity, feedback.missing_characters) == (1, 5)

    ok = sdk.passwords.strength_check(password="abcDEF1!ghij")
    assert ok.valid_password is True
    assert (ok.luds_feedback.missing_complexity, ok.luds_feedback.missing_characters) == (0, 0)
    # Any character outside a-z, A-Z and digits counts as a symbol.
    assert sdk.passwords.strength_check(password="abcDEF1ééghij").luds_feedback.has_symbol


@pytest.mark.parametrize("password", ["", "x" * 300])
def test_strength_refuses_empty_and_overlong_passwords(sdk, mock, password):
    refused(sdk.passwords.strength_check, 400, "invalid_argument", password=password)


# --- email reset, then sign-in -----------------------------------------------------------------


def test_reset_email_sets_the_password_and_signs_in(sdk, mock, org, member):
    address = member.email_address
    started = sdk.passwords.email.reset_start(
        organization_id=org.organization_id,
        email_address=address,
        reset_password_redirect_url=REDIRECT_URL,
    )
    assert (started.member_id, started.member.member_password_id) == (member.member_id, "")
    assert started.member_email_id
    message = mock.outbox.latest(address)
    assert message["kind"] == "reset_password"
    assert mock.outbox.latest_link(address) == message["link"]
    base, params = link_params(message["link"])
    assert base == REDIRECT_URL
    assert params == {
        "stytch_token_type": "multi_tenant_passwords",
        "token": message["token"],
        "slug": org.organization_slug,
    }
    expires_at = datetime.fromisoformat(message["expires_at"])
    assert_near(expires_at, mock.now() + timedelta(minutes=30), timedelta(seconds=5))

    done = sdk.passwords.email.reset(
        password_reset_token=message["token"], password=STRONG, session_duration_minutes=30
    )
    assert done.member_authenticated is True
    assert done.member_email_id == started.member_email_id
    assert done.organization_id == org.organization_id
    assert done.member.member_password_id.startswith("member-password-test-")
    assert done.member.email_address_verified is True
    assert done.member.status == "active"
    factors = done.member_session.authentication_factors
    assert [(f.type, f.delivery_method) for f in factors] == [("password", "knowledge")]

    again = sign_in(sdk, org, address)
    assert again.member_authenticated is True
    assert again.session_token and again.session_jwt
    assert again.intermediate_session_token == ""
    assert again.member_session.member_id == member.member_id
    assert [f.type for f in again.member_session.authentication_factors] == ["password"]
    # The session JWT verifies locally with the mock's JWKS and names the password factor.
    local = sdk.sessions.authenticate_jwt_local(session_jwt=again.session_jwt)
    assert local.member_id == member.member_id
    assert [f.type for f in local.authentication_factors] == ["password"]


def test_reset_token_is_single_use_and_expires(sdk, mock, org, member):
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    used = mock.outbox.latest(address)["token"]
    refused(
        sdk.passwords.email.reset,
        401,
        "unable_to_auth_password_reset_token",
        password_reset_token=used,
        password=STRONGER,
    )
    sdk.passwords.email.reset_start(
        organization_id=org.organization_id,
        email_address=address,
        reset_password_expiration_minutes=5,
    )
    mock.advance_clock(minutes=4, seconds=58)  # times are whole seconds: 1-2 s left
    in_time = sdk.passwords.email.reset(
        password_reset_token=mock.outbox.latest(address)["token"], password=STRONGER
    )
    assert in_time.member_id
    sdk.passwords.email.reset_start(
        organization_id=org.organization_id,
        email_address=address,
        reset_password_expiration_minutes=5,
    )
    token = mock.outbox.latest(address)["token"]
    mock.advance_clock(minutes=5)
    refused(
        sdk.passwords.email.reset,
        401,
        "unable_to_auth_password_reset_token",
        password_reset_token=token,
        password=STRONG,
    )
    sign_in(sdk, org, address, STRONGER)  # the password set in time still works
    refused_sign_in(sdk, org, address, STRONG, 401, "unauthorized_credentials")
    refused(
        sdk.passwords.email.reset_start,
        400,
        "invalid_expiration",
        organization_id=org.organization_id,
        email_address=address,
        reset_password_expiration_minutes=4,
    )


def test_reset_refuses_weak_and_breached_passwords_and_keeps_the_token(sdk, mock, org, member):
    address = member.email_address
    sdk.passwords.email.reset_start(organization_id=org.organization_id, email_address=address)
    token = mock.outbox.latest(address)["token"]
    refused(
        sdk.passwords.email.reset,
        400,
        "weak_password",
        password_reset_token=token,
        password="qwerty78x",
    )
    refused(
        sdk.passwords.email.reset,
        400,
        "breached_password",
        password_reset_token=token,
        password="password1",
    )
    before = state_text(mock)
    for bad in ("", "Long enough, surely! " * 15):
        refused(
            sdk.passwords.email.reset,
            400,
            "invalid_argument",
            password_reset_token=token,
            password=bad,
        )
    assert state_text(mock) == before
    assert (
        sdk.organizations.members.get(
            organization_id=org.organization_id, member_id=member.member_id
        ).member.member_password_id
        == ""
    )
    done = sdk.passwords.email.reset(password_reset_token=token, password=STRONG)
    assert done.member_authenticated is True


def test_reset_with_pkce(sdk, mock, org, member):
    verifier, challenge = pkce_pair()
    address = member.email_address
    sdk.passwords.email.reset_start(
        organization_id=org.organization_id, email_address=address, code_challenge=challenge
    )
    token = mock.outbox.latest(address)["token"]
    refused(
        sdk.passwords.email.reset,
        400,
        "pkce_expected_code_verifier",
        password_reset_token=token,
        password=STRONG,
    )
    refused(
        sdk.passwords.email.reset,
        400,
        "pkce_mismatch",
        password_reset_token=token,
        password=STRONG,
        code_verifier=verifier + "x",
    )
    done = sdk.passwords.email.reset(
        password_reset_token=token, password=STRONG, code_verifier=verifier
    )
    assert done.member_authenticated is True


def test_reset_revokes_the_members_sessions(sdk, mock, org, member):
    address = member.email_address
    first = set_by_email(sdk, mock, org, address)
    set_by_email(sdk, mock, org, address, password=STRONGER)
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=first.session_token)


def test_reset_start_needs_an_existing_member(sdk, mock, org):
    refused(
        sdk.passwords.email.reset_start,
        404,
        "member_not_found",
        organization_id=org.organization_id,
        email_address="nobody@acme.co",
    )
    refused(
        sdk.passwords.email.reset_start,
        404,
        "organization_not_found",
        organization_id=MISSING_ORGANIZATION_ID,
        email_address="nobody@acme.co",
    )
    assert mock.outbox.messages("nobody@acme.co") == []


# --- sign-in rules -----------------------------------------------------------------------------


def test_sign_in_failures(sdk, mock, org, member):
    address = member.email_address
    refused_sign_in(sdk, org, address, STRONG, 404, "member_password_not_found")
    set_by_email(sdk, mock, org, address)
    refused_sign_in(sdk, org, address, STRONGER, 401, "unauthorized_credentials")
    refused(
        sdk.passwords.authenticate,
        404,
        "member_not_found",
        organization_id=org.organization_id,
        email_address="eve@acme.co",
        password=STRONG,
    )
    for bad in ("", "y" * 300):
        refused_sign_in(sdk, org, address, bad, 400, "invalid_argument")


def test_wrong_passwords_lock_the_member(sdk, mock, org, member):
    mock.set_password_policy(lock_threshold=3, lock_minutes=60)
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    for _ in range(3):
        refused_sign_in(sdk, org, address, STRONGER, 401, "unauthorized_credentials")
    locked = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=member.member_id
    ).member
    assert locked.is_locked is True
    assert_near(locked.lock_expires_at, mock.now() + timedelta(minutes=60), timedelta(seconds=5))
    refused_sign_in(sdk, org, address, STRONG, 429, "user_lock_limit_reached")
    mock.advance_clock(minutes=61)
    assert sign_in(sdk, org, address).member_authenticated is True


def test_a_lock_reads_as_over_once_the_clock_passes_it(sdk, mock, org, member):
    mock.set_password_policy(lock_threshold=3, lock_minutes=60)
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    for _ in range(3):
        refused_sign_in(sdk, org, address, STRONGER, 401, "unauthorized_credentials")

    def read():
        return sdk.organizations.members.get(
            organization_id=org.organization_id, member_id=member.member_id
        ).member

    locked = read()
    assert locked.is_locked is True
    assert locked.lock_expires_at - locked.lock_created_at == timedelta(minutes=60)
    mock.advance_clock(minutes=59)
    assert read().is_locked is True
    mock.advance_clock(minutes=1)
    # No attempt since: the member reads as unlocked, without lock times (the SDK's Member:
    # "When the member lock was created/expires, if there is one").
    unlocked = read()
    assert (unlocked.is_locked, unlocked.lock_created_at, unlocked.lock_expires_at) == (
        False,
        None,
        None,
    )
    assert sign_in(sdk, org, address).member_authenticated is True


def test_a_correct_breached_password_must_be_reset(sdk, mock, org, member):
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    # The password shows up in a breach after it was set (breach detection at login is on).
    mock.set_password_policy(breached_passwords=[STRONG])
    refused_sign_in(sdk, org, address, STRONG, 401, "member_reset_password")
    mock.set_password_policy(breach_detection_on_login=False)
    assert sign_in(sdk, org, address).member_authenticated is True


def test_mfa_org_gets_an_intermediate_session(sdk, mock, new_org, email):
    org = new_org(mfa_policy="REQUIRED_FOR_ALL")
    address = email("mfa", "acme.co")
    sdk.organizations.members.create(organization_id=org.organization_id, email_address=address)
    reset = set_by_email(sdk, mock, org, address)
    assert reset.member_authenticated is False
    result = sign_in(sdk, org, address)
    assert result.member_authenticated is False
    assert (result.session_token, result.session_jwt, result.member_session) == ("", "", None)
    assert result.intermediate_session_token
    assert result.mfa_required is not None
    assert_near(result.intermediate_session_token_expires_at, mock.now() + timedelta(minutes=10))
    # Signing in again with that IST adds the factor to it: MFA is still due, same IST back.
    again = sign_in(sdk, org, address, intermediate_session_token=result.intermediate_session_token)
    assert again.intermediate_session_token == result.intermediate_session_token
    assert again.member_authenticated is False

    # The IST is tied to its organization: refused elsewhere, before anything changes.
    other = new_org()
    sdk.organizations.members.create(organization_id=other.organization_id, email_address=address)
    sdk.passwords.email.reset_start(organization_id=other.organization_id, email_address=address)
    token = mock.outbox.latest(address)["token"]
    refused(
        sdk.passwords.email.reset,
        400,
        "invalid_intermediate_session_token_for_organization",
        password_reset_token=token,
        password=STRONG,
        intermediate_session_token=result.intermediate_session_token,
    )
    assert sdk.passwords.email.reset(password_reset_token=token, password=STRONG).member_id


def test_restricted_auth_methods_without_password_refuse_sign_in(sdk, mock, new_org, email):
    org = new_org(auth_methods="RESTRICTED", allowed_auth_methods=["magic_link"])
    address = email("res", "acme.co")
    sdk.organizations.members.create(organization_id=org.organization_id, email_address=address)
    set_by_email(sdk, mock, org, address)
    refused_sign_in(
        sdk, org, address, STRONG, 403, "operation_restricted_by_organization_auth_methods"
    )
    sdk.organizations.update(
        organization_id=org.organization_id, allowed_auth_methods=["magic_link", "password"]
    )
    assert sign_in(sdk, org, address).member_authenticated is True


# --- existing-password and session resets ------------------------------------------------------


def test_existing_password_reset(sdk, mock, org, member):
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    kwargs = {"organization_id": org.organization_id, "email_address": address}
    refused(
        sdk.passwords.existing_password.reset,
        401,
        "unauthorized_credentials",
        existing_password=STRONGER,
        new_password=STRONGER + "!",
        **kwargs,
    )
    refused(
        sdk.passwords.existing_password.reset,
        400,
        "cannot_reset_password_with_existing_password",
        existing_password=STRONG,
        new_password=STRONG,
        **kwargs,
    )
    refused(
        sdk.passwords.existing_password.reset,
        400,
        "weak_password",
        existing_password=STRONG,
        new_password="abc12345x",
        **kwargs,
    )
    done = sdk.passwords.existing_password.reset(
        existing_password=STRONG, new_password=STRONGER, **kwargs
    )
    assert done.member_authenticated is True
    assert done.member_session.member_id == member.member_id
    refused(sdk.passwords.authenticate, 401, "unauthorized_credentials", password=STRONG, **kwargs)
    assert sign_in(sdk, org, address, STRONGER).member_authenticated is True


def test_session_reset_needs_a_recent_session_of_the_org(sdk, mock, org, member, new_org):
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    current = sign_in(sdk, org, address, session_duration_minutes=60)
    other = sign_in(sdk, org, address)
    done = sdk.passwords.sessions.reset(
        organization_id=org.organization_id,
        password=STRONGER,
        session_token=current.session_token,
    )
    assert done.member_authenticated is True
    assert done.session_token == current.session_token
    assert done.member.member_id == member.member_id
    sdk.sessions.authenticate(session_token=current.session_token)
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=other.session_token)
    assert sign_in(sdk, org, address, STRONGER).member_authenticated is True

    elsewhere = new_org()
    refused(
        sdk.passwords.sessions.reset,
        403,
        "session_authorization_tenancy_error",
        organization_id=elsewhere.organization_id,
        password=STRONG,
        session_token=current.session_token,
    )
    mock.advance_clock(minutes=6)
    refused(
        sdk.passwords.sessions.reset,
        400,
        "session_too_old_to_reset_password",
        organization_id=org.organization_id,
        password=STRONG,
        session_token=current.session_token,
    )
    refused(
        sdk.passwords.sessions.reset,
        400,
        "no_session_arguments",
        organization_id=org.organization_id,
        password=STRONG,
    )


# --- require_reset, delete, and the project's password mode -----------------------------------


def test_require_reset_forces_the_reset_path(sdk, mock, org, member):
    mock.set_password_policy(cross_org_passwords=True)
    address = member.email_address
    set_by_email(sdk, mock, org, address)
    required = sdk.passwords.email.require_reset(
        email_address=address, organization_id=org.organization_id
    )
    assert required.member_id == member.member_id
    refused_sign_in(sdk, org, address, STRONG, 401, "member_reset_password")
    assert set_by_email(sdk, mock, org, address, STRONGER).member_authenticated is True
    done = sign_in(sdk, org, address, STRONGER)
    assert done.member_authenticated is True
    # Cross-organization projects delete passwords through require_reset only.
    refused(
        sdk.organizations.members.delete_password,
        400,
        "cross_org_passwords_enabled",
        organization_id=org.organization_id,
        member_password_id=done.member.member_password_id,
    )


def test_require_reset_needs_cross_org_passwords(sdk, mock, member):
    refused(
        sdk.passwords.email.require_reset,
        400,
        "cross_org_passwords_not_enabled",
        email_address=member.email_address,
    )


def test_delete_password(sdk, mock, org, member):
    address = member.email_address
    password_id = set_by_email(sdk, mock, org, address).member.member_password_id
    deleted = sdk.organizations.members.delete_password(
        organization_id=org.organization_id, member_password_id=password_id
    )
    assert deleted.member_id == member.member_id
    assert deleted.member.member_password_id == ""
    refused_sign_in(sdk, org, address, STRONG, 404, "member_password_not_found")
    refused(
        sdk.organizations.members.delete_password,
        404,
        "password_not_found",
        organization_id=org.organization_id,
        member_password_id=password_id,
    )


# --- migrate -----------------------------------------------------------------------------------


def test_migrate_creates_a_verified_member_and_the_hash_signs_in(sdk, mock, org, email):
    import bcrypt

    address = email("mig", "acme.co")
    hashed = bcrypt.hashpw(STRONG.encode(), bcrypt.gensalt(rounds=4)).decode()
    migrated = sdk.passwords.migrate(
        email_address=address,
        hash=hashed,
        hash_type="bcrypt",
        organization_id=org.organization_id,
        name="Migrated Ada",
    )
    assert migrated.member_created is True
    assert migrated.member.email_address_verified is True
    assert migrated.member.status == "active"
    assert migrated.member.name == "Migrated Ada"
    assert migrated.member.member_password_id
    assert hashed in state_text(mock)
    result = sign_in(sdk, org, address)
    assert result.member_authenticated is True
    # Verified once, then re-stored as argon2id.
    assert hashed not in state_text(mock)
    assert "$argon2id$" in state_text(mock)
    refused(
        sdk.passwords.migrate,
        400,
        "password_already_exists",
        email_address=address,
        hash=hashed,
        hash_type="bcrypt",
        organization_id=org.organization_id,
    )


@pytest.mark.parametrize(
    ("hash_type", "hash", "extra", "error_type"),
    [
        ("rot13", "abc", {}, "invalid_hash_type"),
        ("bcrypt", "$2b$04$short", {}, "invalid_bcrypt_hash"),
        ("md_5", "xyz", {}, "invalid_md_5_hash"),
        ("sha_1", "0" * 39, {}, "invalid_sha_1_hash"),
        ("sha_512", "g" * 128, {}, "invalid_sha_512_hash"),
        ("phpass", "$X$123", {}, "invalid_phpass_hash_prefix"),
        ("phpass", "$P$B!!", {}, "invalid_phpass_hash_format"),
        ("scrypt", "not base64!", {}, "invalid_base64_scrypt_hash"),
        ("pbkdf_2", "AAAA", {}, "invalid_pbkdf_2_hash"),
        (
            "pbkdf_2",
            "AAAAAAAAAAAAAAAAAAAAAA==",
            {
                "pbkdf_2_config": {
                    "salt": "c2FsdA==",
                    "iteration_amount": 1000,
                    "key_length": 32,
                    "algorithm": "sha256",
                }
            },
            "pbkdf_2_key_length_mismatch",
        ),
        (
            "argon_2id",
            "00" * 16,
            {
                "argon_2_config": {
                    "salt": "somesalt",
                    "iteration_amount": 2,
                    "memory": 64,
                    "threads": 1,
                    "key_length": 32,
                }
            },
            "argon_2_key_length_mismatch",
        ),
        ("argon_2i", "$argon2i$garbage", {}, "invalid_hash"),
    ],
)
def test_migrate_refuses_bad_hashes_and_changes_nothing(
    sdk, mock, org, email, hash_type, hash, extra, error_type
):
    address = email("bad", "acme.co")
    before = state_text(mock)
    refused(
        sdk.passwords.migrate,
        400,
        error_type,
        email_address=address,
        hash=hash,
        hash_type=hash_type,
        organization_id=org.organization_id,
        **extra,
    )
    assert state_text(mock) == before
    assert_not_a_member(sdk, org.organization_id, address)


# --- discovery (cross-organization passwords) --------------------------------------------------


def test_discovery_sign_in_lists_organizations_and_exchanges(sdk, mock, new_org, email):
    mock.set_password_policy(cross_org_passwords=True)
    first, second = new_org(), new_org()
    address = email("cross", "acme.co")
    for o in (first, second):
        sdk.organizations.members.create(organization_id=o.organization_id, email_address=address)
    # One password per email: setting it in one organization sets it for both.
    set_by_email(sdk, mock, first, address)
    assert sign_in(sdk, second, address).member_authenticated is True

    found = sdk.passwords.discovery.authenticate(email_address=address, password=STRONG)
    assert found.email_address == address
    assert found.intermediate_session_token
    assert_near(found.intermediate_session_token_expires_at, mock.now() + timedelta(minutes=10))
    ids = [d.organization.organization_id for d in found.discovered_organizations]
    assert ids == [first.organization_id, second.organization_id]
    assert all(d.membership.type == "active_member" for d in found.discovered_organizations)
    joined = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=second.organization_id,
    )
    assert joined.member_authenticated is True
    assert [f.type for f in joined.member_session.authentication_factors] == ["password"]
    refused(
        sdk.passwords.discovery.authenticate,
        401,
        "unauthorized_credentials",
        email_address=address,
        password=STRONGER,
    )


def test_a_returning_password_creates_an_organization_only_after_a_step_up(
    sdk, mock, made_orgs, email
):
    """A returning password login does not verify the email in real time, so creating an
    organization with its intermediate session asks for a primary step-up (the Python SDK's
    discovery organizations.create docstring); an email code completes it."""
    mock.set_password_policy(cross_org_passwords=True)
    home = sdk.organizations.create(organization_name="Home").organization
    made_orgs.append(home.organization_id)
    address = email("founder", "acme.co")
    sdk.organizations.members.create(organization_id=home.organization_id, email_address=address)
    set_by_email(sdk, mock, home, address)

    found = sdk.passwords.discovery.authenticate(email_address=address, password=STRONG)
    # Joining by email domain (JIT) with it asks for the step-up too.
    open_org = sdk.organizations.create(
        organization_name="Open",
        email_allowed_domains=["acme.co"],
        email_jit_provisioning="RESTRICTED",
    ).organization
    made_orgs.append(open_org.organization_id)
    sdk.passwords.migrate(  # a verified colleague, which JIT by email domain needs
        email_address=email("colleague", "acme.co"),
        hash=hashlib.md5(STRONG.encode()).hexdigest(),
        hash_type="md_5",
        organization_id=open_org.organization_id,
    )
    joined = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=open_org.organization_id,
    )
    assert joined.member_authenticated is False and joined.primary_required is not None
    created = sdk.discovery.organizations.create(
        intermediate_session_token=found.intermediate_session_token,
        organization_name="Founded",
    )
    made_orgs.append(created.organization.organization_id)

    assert created.member_authenticated is False
    assert (created.session_token, created.member_session) == ("", None)
    assert "email_otp" in created.primary_required.allowed_auth_methods
    assert created.member.email_address_verified is False
    org_id = created.organization.organization_id
    sdk.otps.email.login_or_signup(organization_id=org_id, email_address=address)
    done = sdk.otps.email.authenticate(
        organization_id=org_id,
        email_address=address,
        code=mock.outbox.latest_code(address),
        intermediate_session_token=created.intermediate_session_token,
    )
    assert done.member_authenticated is True
    assert sorted(f.type for f in done.member_session.authentication_factors) == [
        "email_otp",
        "password",
    ]
    assert done.member.email_address_verified is True


def test_a_password_set_by_a_discovery_reset_creates_an_organization_at_once(
    sdk, mock, made_orgs, org, member
):
    """A password first set through a reset email proves the mailbox: no step-up."""
    mock.set_password_policy(cross_org_passwords=True)
    sdk.passwords.discovery.email.reset_start(
        email_address=member.email_address, reset_password_redirect_url=REDIRECT_URL
    )
    done = sdk.passwords.discovery.email.reset(
        password_reset_token=mock.outbox.latest(member.email_address)["token"], password=STRONG
    )
    created = sdk.discovery.organizations.create(
        intermediate_session_token=done.intermediate_session_token, organization_name="Second"
    )
    made_orgs.append(created.organization.organization_id)
    assert created.member_authenticated is True and created.primary_required is None


def test_discovery_reset(sdk, mock, org, member):
    mock.set_password_policy(cross_org_passwords=True)
    address = member.email_address
    sent = sdk.passwords.discovery.email.reset_start(
        email_address=address, reset_password_redirect_url=REDIRECT_URL
    )
    assert sent.status_code == 200
    message = mock.outbox.latest(address)
    assert message["kind"] == "discovery_reset_password"
    base, params = link_params(message["link"])
    assert base == REDIRECT_URL
    assert params == {
        "stytch_redirect_type": "reset_password",
        "stytch_token_type": "discovery",
        "token": message["token"],
    }
    # An organization's reset endpoint does not take a discovery token, nor the reverse.
    refused(
        sdk.passwords.email.reset,
        401,
        "unable_to_auth_password_reset_token",
        password_reset_token=message["token"],
        password=STRONG,
    )
    done = sdk.passwords.discovery.email.reset(
        password_reset_token=message["token"], password=STRONG
    )
    assert done.email_address == address
    assert done.intermediate_session_token
    assert [d.organization.organization_id for d in done.discovered_organizations] == [
        org.organization_id
    ]
    assert sign_in(sdk, org, address).member_authenticated is True
    sdk.passwords.email.reset_start(organization_id=org.organization_id, email_address=address)
    org_token = mock.outbox.latest(address)["token"]
    refused(
        sdk.passwords.discovery.email.reset,
        401,
        "unable_to_auth_password_reset_token",
        password_reset_token=org_token,
        password=STRONGER,
    )


def test_discovery_endpoints_need_cross_org_passwords(sdk, mock, member):
    refused(
        sdk.passwords.discovery.authenticate,
        400,
        "cross_org_passwords_not_enabled",
        email_address=member.email_address,
        password=STRONG,
    )
    refused(
        sdk.passwords.discovery.email.reset_start,
        400,
        "cross_org_passwords_not_enabled",
        email_address=member.email_address,
    )


# --- storage -----------------------------------------------------------------------------------


def test_state_holds_hashes_never_passwords(sdk, mock, org, member):
    set_by_email(sdk, mock, org, member.email_address)
    sign_in(sdk, org, member.email_address)
    text = state_text(mock)
    assert STRONG not in text
    assert "$argon2id$v=19$m=1024,t=1,p=1$" in text


def test_seeded_password_signs_in(sdk, mock, email):
    address = email("seed", "acme.co")
    seeded = mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Seeded",
                    "organization_slug": unique("seeded"),
                    "members": [{"email_address": address, "password": STRONG}],
                }
            ]
        }
    )
    org_id = seeded["organizations"][0]["organization_id"]
    assert STRONG not in state_text(mock)
    result = sdk.passwords.authenticate(
        organization_id=org_id, email_address=address, password=STRONG
    )
    assert result.member_authenticated is True


def test_magic_link_member_can_add_a_password_by_session_reset(sdk, mock, org, member):
    login = log_in(sdk, mock, org.organization_id, member.email_address)
    done = sdk.passwords.sessions.reset(
        organization_id=org.organization_id, password=STRONG, session_token=login.session_token
    )
    assert done.member.member_password_id
    assert sign_in(sdk, org, member.email_address).member_authenticated is True


def test_changing_the_email_clears_the_password(sdk, mock, org, member):
    set_by_email(sdk, mock, org, member.email_address)
    new_address = "ada.new@acme.co"
    updated = sdk.organizations.members.update(
        organization_id=org.organization_id, member_id=member.member_id, email_address=new_address
    )
    assert updated.member.member_password_id == ""
    refused_sign_in(sdk, org, new_address, STRONG, 404, "member_password_not_found")
    assert 'member_passwords": []' in state_text(mock)
