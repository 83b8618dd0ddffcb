"""Multi-factor authentication: the records the second factors keep, and the rules they share.

This module is the low level every MFA family stands on (one-time codes by SMS and email,
TOTP registrations with their recovery codes, the organization's ``mfa_methods`` setting, and
the MFA settings, among them when failed codes lock a member: ``domain.locks`` has the lock
rules); the stores ``stores.OneTimeCodes`` and ``stores.TotpRegistrations`` keep the state.
It logs nobody in: ``login.log_in`` decides whether a login still needs MFA and
``mfa_login.finish`` completes one.

Sources: the Python SDK's docstrings (``stytch/b2b/api/otp_sms.py``, ``otp_email.py``,
``totps.py``, ``recovery_codes.py``: lifetimes, single use, one active code per member, ±1 TOTP
step), Stytch's error-type list (``StytchAPIErrorType`` in stytchauth/stytch-browser) for the
error names, and the README's fidelity notes for what Stytch does not publish (statuses, the
sandbox values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import StytchError
from ..ids import new_id
from .entities import AuthenticationFactor, Member, MemberStatus, Organization
from .locks import Threshold

SMS_OTP = "sms_otp"
TOTP = "totp"
MFA_METHODS = (SMS_OTP, TOTP)

CODE_DIGITS = 6
SMS_CODE_MINUTES = 2  # otps.sms.send: "The OTP will be valid for 2 minutes"
EMAIL_CODE_MINUTES = 10  # otps.email.*: default 10, between 2 and 15
MIN_EMAIL_CODE_MINUTES = 2
MAX_EMAIL_CODE_MINUTES = 15
# Spent (used or superseded) codes remembered per recipient, so that re-sending one is told
# apart from a wrong code (401 vs 404); older ones read as wrong codes.
SPENT_CODES_KEPT = 10

# Consumer sandbox values (https://stytch.com/docs/guides/testing/sandbox-values); Stytch
# publishes none for B2B, so the mock honours these only when a project turns them on.
SANDBOX_PHONE_NUMBER = "+10000000000"
SANDBOX_EMAIL = "sandbox@stytch.com"
SANDBOX_CODE = "000000"

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
SIX_DIGITS = re.compile(r"[0-9]{6}")


@dataclass
class MfaSettings:
    """Per-project choices where Stytch publishes nothing (README, fidelity notes).

    - ``otp_sandbox``: the consumer sandbox values work (code ``000000`` for the phone
      ``+10000000000`` and the email ``sandbox@stytch.com``); real codes still go to the outbox.
    - ``mask_mfa_phone_number``: ``mfa_required.member_options.mfa_phone_number`` shows only
      the last four digits (Stytch's docs sample) instead of the full number (its UI fixtures).
    - ``member_lock_threshold``: consecutive failed code checks (SMS, email, TOTP, recovery
      code) that lock a member for ``member_lock_minutes``; 0 (the default) leaves these
      failures uncounted (``domain.locks``: one lock and one run of failures per member,
      shared with passwords).
    """

    otp_sandbox: bool = False
    mask_mfa_phone_number: bool = False
    member_lock_threshold: int = 0
    member_lock_minutes: int = 60


@dataclass(slots=True)
class OneTimeCode:
    """The one live code of a recipient: ``key`` is ``("sms", member_id)``, ``("email",
    member_id)`` or ``("discovery", lowercased email)``."""

    key: tuple[str, str]
    code: str
    sent_to: str
    expires_at: datetime


@dataclass(slots=True)
class TotpRegistration:
    """A member's TOTP. ``active`` once a first code was authenticated (or it was migrated);
    a pending one lapses at ``expires_at``. ``recovery_codes`` maps each unused code to its id;
    ``last_step`` is the newest 30-second step a code was accepted for."""

    totp_registration_id: str
    member_id: str
    secret: str
    active: bool
    expires_at: datetime | None
    recovery_codes: dict[str, str] = field(default_factory=dict)
    last_step: int = -1


# --- organization and member rules --------------------------------------------------------


def check_method_allowed(org: Organization, member: Member, method: str) -> None:
    """The organization's ``mfa_methods``/``allowed_mfa_methods`` (break-glass exempt)."""
    if org.mfa_methods == "RESTRICTED" and method not in org.allowed_mfa_methods:
        if not member.is_breakglass:
            raise operation_restricted_by_organization_mfa_methods(method)


def method_allowed(org: Organization, member: Member, method: str) -> bool:
    try:
        check_method_allowed(org, member, method)
    except StytchError:
        return False
    return True


def check_active(member: Member) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise action_available_only_for_active_members()


def check_phone_number(number: str) -> str:
    if not E164.fullmatch(number):
        raise invalid_phone_number()
    return number


def has_active_totp(registration: TotpRegistration | None) -> bool:
    return registration is not None and registration.active


def member_options(member: Member, *, masked: bool) -> dict[str, str] | None:
    """``mfa_required.member_options``: null until the member has a factor."""
    if not (member.mfa_phone_number or member.totp_registration_id):
        return None
    number = member.mfa_phone_number
    if masked and number:
        number = "X" * (len(number) - 4) + number[-4:]
    return {"mfa_phone_number": number, "totp_registration_id": member.totp_registration_id}


# --- member locks (mockserver.domain.locks; off unless a project sets a threshold) ---------


def lock_threshold(settings: MfaSettings) -> Threshold:
    """When failed code checks (SMS, email, TOTP, recovery code) lock a member."""
    return Threshold(settings.member_lock_threshold, settings.member_lock_minutes)


# --- authentication factors ---------------------------------------------------------------


def _factor(
    factor_type: str, delivery_method: str, now: datetime, **proved: dict[str, str]
) -> AuthenticationFactor:
    """A factor proved now; ``proved`` is its one sub-object (``email_factor={...}``, ...)."""
    return AuthenticationFactor(
        type=factor_type,
        delivery_method=delivery_method,
        created_at=now,
        last_authenticated_at=now,
        updated_at=now,
        **proved,  # type: ignore[arg-type]
    )


def sms_factor(member: Member, now: datetime, env: str) -> AuthenticationFactor:
    number = {"phone_id": phone_id(member, env), "phone_number": member.mfa_phone_number}
    return _factor("otp", "sms", now, phone_number_factor=number)


def phone_id(member: Member, env: str) -> str:
    # [chosen] Stytch does not publish the phone id format; a stable id per member's number.
    return f"member-phone-{env}-{member.member_id.split('-', 2)[-1]}"


def totp_factor(registration_id: str, now: datetime) -> AuthenticationFactor:
    return _factor(
        "totp", "authenticator_app", now, authenticator_app_factor={"totp_id": registration_id}
    )


def recovery_code_factor(code_id: str, now: datetime) -> AuthenticationFactor:
    return _factor(
        "recovery_codes",
        "recovery_code",
        now,
        recovery_code_factor={"totp_recovery_code_id": code_id},
    )


def email_otp_factor(email: str, email_id: str, now: datetime) -> AuthenticationFactor:
    return _factor(
        "email_otp", "email", now, email_factor={"email_id": email_id, "email_address": email}
    )


# Factor types that complete MFA (the rest are primary factors).
MFA_FACTOR_TYPES = frozenset({"otp", "totp", "recovery_codes"})


def is_mfa_factor(factor: AuthenticationFactor) -> bool:
    return factor.type in MFA_FACTOR_TYPES


def new_registration_id(env: str) -> str:
    return new_id("member-totp", env)


def new_recovery_code_id(env: str) -> str:
    # [chosen] format of totp_recovery_code_id (not published).
    return new_id("member-totp-recovery-code", env)


# --- errors (types from Stytch's list; statuses per the README's fidelity notes) ----------


def invalid_code() -> StytchError:
    # [chosen] status and message; the type is in Stytch's list.
    return StytchError(400, "invalid_code", "The passcode must be a 6-digit code.")


def otp_code_not_found() -> StytchError:
    return StytchError(
        404,
        "otp_code_not_found",
        "The passcode was incorrect and could not be authenticated, please try again.",
    )


def unable_to_auth_otp_code() -> StytchError:
    return StytchError(
        401,
        "unable_to_auth_otp_code",
        "The passcode could not be authenticated because it was either already used or "
        "expired. Send another passcode to this user.",
    )


def invalid_phone_number() -> StytchError:
    return StytchError(
        400,
        "invalid_phone_number",
        "Phone number format is invalid. Ensure the phone number is in the E.164 format.",
    )


def member_phone_number_not_found() -> StytchError:
    return StytchError(
        404,
        "member_phone_number_not_found",
        "The member has no MFA phone number; pass mfa_phone_number.",
    )


def duplicate_member_phone_number_for_member() -> StytchError:
    return StytchError(
        400,
        "duplicate_member_phone_number_for_member",
        "The member already has a different MFA phone number; delete it first.",
    )


def action_available_only_for_active_members() -> StytchError:
    return StytchError(
        400,
        "action_available_only_for_active_members",
        "You may not attach an MFA factor to a member that is not active.",
    )


def action_available_only_once_primary_authentication_is_met() -> StytchError:
    return StytchError(
        400,
        "action_available_only_once_primary_authentication_is_met",
        "You must complete the primary authentication requirements for an organization "
        "before completing an MFA flow.",
    )


def operation_restricted_by_organization_mfa_methods(method: str) -> StytchError:
    return StytchError(
        400,
        "operation_restricted_by_organization_mfa_methods",
        f"This organization's mfa_methods setting does not allow {method}.",
    )


def insufficient_factors() -> StytchError:
    return StytchError(
        400,
        "insufficient_factors",
        "The member already has an MFA factor: pass an intermediate session or session "
        "that holds it to add another.",
    )


def no_associated_session_passed_in() -> StytchError:
    return StytchError(
        400,
        "no_associated_session_passed_in",
        "One of intermediate_session_token, session_token or session_jwt must be passed.",
    )


def member_session_member_id_mismatch() -> StytchError:
    return StytchError(
        400,
        "member_session_member_id_mismatch",
        "The session passed in does not belong to the member_id in the request.",
    )


def invalid_intermediate_session_token_for_organization() -> StytchError:
    return StytchError(
        400,
        "invalid_intermediate_session_token_for_organization",
        "The intermediate session token cannot be used with this organization.",
    )


def invalid_expiration_otp(field: str) -> StytchError:
    return StytchError(
        400,
        "invalid_expiration_otp",
        f"{field} must be between {MIN_EMAIL_CODE_MINUTES} and {MAX_EMAIL_CODE_MINUTES} minutes.",
    )
