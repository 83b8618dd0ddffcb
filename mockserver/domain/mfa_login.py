"""Completing MFA: what the SMS, TOTP and recovery-code endpoints share.

Each of them names a member (``organization_id`` + ``member_id``) and proves who is asking with
an intermediate session token (the login that still needs MFA), or a session token or JWT of
the same member (a step-up). ``proof`` checks that; ``finish`` hands the new factor to
``login.log_in``, which consumes the intermediate session and returns the full session, or
adds the factor to the existing session.

Rules from the Python SDK's docstrings (``otps.sms.authenticate``, ``totps.authenticate``,
``recovery_codes.recover``, ``otps.sms.send``, ``totps.create``): exactly one of the three for
the authenticate calls, any one (or none, while the member has no MFA factor) for the
enrolment calls; the IST or session must belong to the member; a discovery IST (no
organization yet) may be used with any organization the member belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import errors
from . import mfa
from .entities import (
    AuthenticationFactor,
    IntermediateSession,
    Member,
    MemberSession,
    Organization,
)
from .login import get_intermediate_session, log_in, primary_methods_missing
from .project import Project
from .sessions import SessionGrant, check_custom_claims, check_duration, get_session


@dataclass(slots=True)
class Proof:
    """Who is asking: an intermediate session, a session, or (enrolment only) nobody."""

    intermediate_session: IntermediateSession | None = None
    session: MemberSession | None = None

    @property
    def factors(self) -> list[AuthenticationFactor]:
        if self.intermediate_session is not None:
            return self.intermediate_session.authentication_factors
        if self.session is not None:
            return self.session.authentication_factors
        return []

    def holds(self, factor_type: str) -> bool:
        return any(f.type == factor_type for f in self.factors)


def target(project: Project, organization_id: str, member_id: str) -> tuple[Organization, Member]:
    org = project.organizations.get(organization_id)
    return org, project.members.get(org.organization_id, member_id)


def proof(
    project: Project,
    org: Organization,
    member: Member,
    *,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
    required: bool,
) -> Proof:
    given = [v for v in (intermediate_session_token, session_token, session_jwt) if v is not None]
    if len(given) > 1:
        raise errors.too_many_session_arguments()
    if not given:
        if required:
            raise mfa.no_associated_session_passed_in()
        return Proof()
    if intermediate_session_token is not None:
        ist = get_intermediate_session(project, intermediate_session_token)
        if ist.organization_id_hint not in (None, org.organization_id):
            raise mfa.invalid_intermediate_session_token_for_organization()
        if ist.email_address.lower() != member.email_address.lower():
            raise mfa.member_session_member_id_mismatch()
        return Proof(intermediate_session=ist)
    session = get_session(project, session_token=session_token, session_jwt=session_jwt)
    if session.member_id != member.member_id:
        raise mfa.member_session_member_id_mismatch()
    return Proof(session=session)


def enrolling(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
    method: str,
) -> tuple[Organization, Member, Proof]:
    """The checks of ``otps.sms.send`` and ``totps.create``: the member, active; any proof
    given must be the member's; the organization allows ``method``."""
    org, member = target(project, organization_id, member_id)
    given = proof(
        project,
        org,
        member,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        required=False,
    )
    mfa.check_active(member)
    mfa.check_method_allowed(org, member, method)
    return org, member, given


def check_authenticate_args(
    duration_minutes: int | None, custom_claims: dict[str, Any] | None
) -> None:
    check_duration(duration_minutes)
    check_custom_claims(custom_claims)


def check_primary_met(org: Organization, member: Member, given: Proof) -> None:
    """An IST whose primary requirement is still open cannot complete MFA (Stytch's 400 page)."""
    ist = given.intermediate_session
    if ist is not None and primary_methods_missing(org, member, ist.authentication_factors):
        raise mfa.action_available_only_once_primary_authentication_is_met()


def completing(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    method: str | None,
) -> tuple[Organization, Member, Proof]:
    """The checks every MFA authenticate makes before looking at its code: the member, exactly
    one proof of who asks, the organization's ``mfa_methods`` (``method``; None for recovery
    codes, which stand in for a TOTP), and a primary requirement already met."""
    check_authenticate_args(session_duration_minutes, session_custom_claims)
    org, member = target(project, organization_id, member_id)
    given = proof(
        project,
        org,
        member,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        required=True,
    )
    if method is not None:
        mfa.check_method_allowed(org, member, method)
    check_primary_met(org, member, given)
    return org, member, given


def apply_enrollment(
    org: Organization,
    member: Member,
    method: str,
    *,
    set_mfa_enrollment: str | None,
    set_default_mfa: bool | None,
) -> None:
    """After a successful SMS or TOTP authenticate (Python SDK docstrings of both): under
    ``REQUIRED_FOR_ALL`` the member becomes enrolled; under ``OPTIONAL`` only
    ``set_mfa_enrollment`` changes it. The first MFA method, or ``set_default_mfa``, becomes
    the default."""
    if org.mfa_policy == "REQUIRED_FOR_ALL":
        member.mfa_enrolled = True
    elif set_mfa_enrollment == "enroll":
        member.mfa_enrolled = True
    elif set_mfa_enrollment == "unenroll":
        member.mfa_enrolled = False
    if set_default_mfa or not member.default_mfa_method:
        member.default_mfa_method = method


def finish(
    project: Project,
    member: Member,
    org: Organization,
    factor: AuthenticationFactor,
    given: Proof,
    *,
    duration_minutes: int | None,
    custom_claims: dict[str, Any] | None,
) -> SessionGrant:
    """The session the MFA step earns (checks done, code consumed by the caller)."""
    member.updated_at = project.now()
    session = given.session
    result = log_in(
        project,
        member,
        org,
        [*given.factors, factor] if session is None else [factor],
        duration_minutes=duration_minutes,
        custom_claims=custom_claims,
        existing_session_id=session.member_session_id if session is not None else None,
        intermediate_session=given.intermediate_session,
    )
    assert result.grant is not None  # an MFA factor satisfies MFA; primary was checked
    return result.grant
