"""One-time passcodes: SMS codes (a second factor only) and email codes (a primary factor, in
an organization or through discovery).

From the Python SDK's docstrings (``stytch/b2b/api/otp_sms.py``, ``otp_email.py``,
``otp_email_discovery.py``): 6-digit codes; an SMS code lives 2 minutes, an email code 10 by
default (2 to 15); only the newest code of a member (or, for discovery, of an email address)
works, and each works once. A wrong code is 404 ``otp_code_not_found``; a used, superseded or
expired one 401 ``unable_to_auth_otp_code`` (statuses: README, fidelity notes).
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..ids import new_id
from . import locks, mfa
from .deliveries import send_email_code, send_sms_code
from .discovery import DiscoveryResult, discovery_result
from .entities import Member, MemberStatus, MessageKind, Organization
from .login import AuthResult, arrival, log_in_with
from .magic_links import _check_signup_allowed
from .members import activate, add_member
from .mfa_login import (
    apply_enrollment,
    completing,
    enrolling,
    finish,
    target,
)
from .project import Project
from .rules import validate_email
from .sessions import SessionGrant

# --- SMS --------------------------------------------------------------------------------


def sms_send(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    mfa_phone_number: str | None,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
) -> tuple[Member, Organization]:
    """Send an SMS code to the member's MFA phone number, attaching ``mfa_phone_number`` first
    when the member has none (unverified until a code from it is authenticated)."""
    if mfa_phone_number is not None:
        mfa.check_phone_number(mfa_phone_number)
    org, member, given = enrolling(
        project,
        organization_id=organization_id,
        member_id=member_id,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        method=mfa.SMS_OTP,
    )
    number = member.mfa_phone_number
    if mfa_phone_number and number and mfa_phone_number != number:
        raise mfa.duplicate_member_phone_number_for_member()
    if not number and not mfa_phone_number:
        raise mfa.member_phone_number_not_found()
    if (
        not number
        and mfa.has_active_totp(project.totp_registrations.find(member.member_id))
        and not given.holds("totp")
    ):
        # A second factor needs proof of the first (the SDK's otps.sms.send docstring).
        raise mfa.insufficient_factors()
    if not number:
        member.mfa_phone_number = mfa_phone_number or ""
        member.mfa_phone_number_verified = False
        member.updated_at = project.now()
    send_sms_code(project, member, org)
    return member, org


def _sandbox_number(project: Project, number: str) -> bool:
    return project.config.mfa.otp_sandbox and number == mfa.SANDBOX_PHONE_NUMBER


def sms_authenticate(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    code: str,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    set_mfa_enrollment: str | None,
    set_default_mfa: bool | None,
) -> SessionGrant:
    org, member, given = completing(
        project,
        organization_id=organization_id,
        member_id=member_id,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        method=mfa.SMS_OTP,
    )
    now = project.now()
    sandbox = _sandbox_number(project, member.mfa_phone_number)
    locks.check(
        project,
        member,
        mfa.lock_threshold(project.config.mfa),
        lambda: project.one_time_codes.use(("sms", member.member_id), code, now, sandbox=sandbox),
    )
    member.mfa_phone_number_verified = True
    apply_enrollment(
        org,
        member,
        mfa.SMS_OTP,
        set_mfa_enrollment=set_mfa_enrollment,
        set_default_mfa=set_default_mfa,
    )
    factor = mfa.sms_factor(member, now, project.env)
    return finish(
        project,
        member,
        org,
        factor,
        given,
        duration_minutes=session_duration_minutes,
        custom_claims=session_custom_claims,
    )


def delete_mfa_phone_number(
    project: Project, organization_id: str, member_id: str
) -> tuple[Member, Organization]:
    """Sessions holding the SMS factor stay valid; MFA is asked again at the next login."""
    org, member = target(project, organization_id, member_id)
    member.mfa_phone_number = ""
    member.mfa_phone_number_verified = False
    if member.default_mfa_method == mfa.SMS_OTP:
        member.default_mfa_method = ""
    project.one_time_codes.discard(("sms", member.member_id))
    member.updated_at = project.now()
    return member, org


# --- email, organization flow -----------------------------------------------------------


def _email_minutes(field: str, minutes: int | None) -> int:
    if minutes is None:
        return mfa.EMAIL_CODE_MINUTES
    if not mfa.MIN_EMAIL_CODE_MINUTES <= minutes <= mfa.MAX_EMAIL_CODE_MINUTES:
        raise mfa.invalid_expiration_otp(field)
    return minutes


def _sandbox_email(project: Project, email: str) -> bool:
    return project.config.mfa.otp_sandbox and email.lower() == mfa.SANDBOX_EMAIL


def email_login_or_signup(
    project: Project,
    *,
    organization_id: str,
    email_address: str,
    login_expiration_minutes: int | None,
    signup_expiration_minutes: int | None,
) -> tuple[Member, bool, Organization]:
    """An active member gets a login code; a new, pending or invited one a signup code (the
    same member selection as magic links)."""
    validate_email(email_address)
    login_minutes = _email_minutes("login_expiration_minutes", login_expiration_minutes)
    signup_minutes = _email_minutes("signup_expiration_minutes", signup_expiration_minutes)
    org = project.organizations.get(organization_id)
    member = project.members.find_by_email(org.organization_id, email_address)
    created = member is None
    if member is None:
        _check_signup_allowed(org, email_address)
        member = add_member(project, org, email_address, status=MemberStatus.PENDING)
    login = member.status == MemberStatus.ACTIVE
    send_email_code(
        project,
        ("email", member.member_id),
        member.email_address,
        MessageKind.EMAIL_OTP_LOGIN if login else MessageKind.EMAIL_OTP_SIGNUP,
        login_minutes if login else signup_minutes,
        org,
    )
    return member, created, org


def email_authenticate(
    project: Project,
    *,
    organization_id: str,
    email_address: str,
    code: str,
    session_token: str | None,
    session_jwt: str | None,
    intermediate_session_token: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
) -> AuthResult:
    """A primary factor: the member becomes active, its email verified; then MFA or a session
    as for any primary factor (login.log_in)."""
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=intermediate_session_token,
    )
    org = project.organizations.get(organization_id)
    member = project.members.find_by_email(org.organization_id, email_address)
    if member is None:
        raise errors.member_not_found()
    now = project.now()
    sandbox = _sandbox_email(project, email_address)
    locks.check(
        project,
        member,
        mfa.lock_threshold(project.config.mfa),
        lambda: project.one_time_codes.use(("email", member.member_id), code, now, sandbox=sandbox),
    )
    activate(project, member)
    factor = mfa.email_otp_factor(member.email_address, member.email_id, now)
    return log_in_with(project, member, org, factor, came_with)


# --- email, discovery flow --------------------------------------------------------------


def email_discovery_send(
    project: Project, *, email_address: str, discovery_expiration_minutes: int | None
) -> None:
    """A code for any address (nothing is created until it is authenticated)."""
    validate_email(email_address)
    minutes = _email_minutes("discovery_expiration_minutes", discovery_expiration_minutes)
    send_email_code(
        project,
        ("discovery", email_address.lower()),
        email_address,
        MessageKind.EMAIL_OTP_DISCOVERY,
        minutes,
        None,
    )


def email_discovery_authenticate(
    project: Project, *, email_address: str, code: str
) -> DiscoveryResult:
    """The email is proved: an intermediate session and the organizations it may enter (the
    same next steps as a discovery magic link: exchange, or create an organization)."""
    validate_email(email_address)
    now = project.now()
    project.one_time_codes.use(
        ("discovery", email_address.lower()),
        code,
        now,
        sandbox=_sandbox_email(project, email_address),
    )
    factor = mfa.email_otp_factor(email_address, new_id("email", project.env), now)
    return discovery_result(project, email_address, factor)
