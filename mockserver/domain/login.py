"""Logging a member into an organization: the step every session-granting call ends with.

Magic-link authenticate, intermediate-session exchange, discovery create and session exchange
all return Stytch's shared "auth result" (the response models of the Python SDK,
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/). Whether it is a full
session or an intermediate session that still needs another factor is decided here, once:

- ``primary_required`` when the organization restricts ``auth_methods`` and the factors held
  include none of its ``allowed_auth_methods`` (break-glass members are exempt);
- ``mfa_required`` when the organization's ``mfa_policy`` is ``REQUIRED_FOR_ALL`` or the member
  is ``mfa_enrolled``, unless the caller passed a live session of the same member;
- otherwise a session (a new one, or the caller's own session extended).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from .. import errors
from ..ids import magic_token
from .entities import AuthenticationFactor, IntermediateSession, Member, Organization
from .members import activate
from .project import Project
from .sessions import (
    SessionGrant,
    check_custom_claims,
    check_duration,
    get_session,
    merge_custom_claims,
    start_session,
    touch,
)

INTERMEDIATE_SESSION_MINUTES = 10

# Which allowed_auth_methods entry a factor satisfies.
_FACTOR_METHOD = {
    ("magic_link", "email"): "magic_link",
    ("email_otp", "email"): "email_otp",
    ("otp", "email"): "email_otp",
    ("password", "knowledge"): "password",
}


@dataclass(slots=True)
class AuthResult:
    member: Member
    organization: Organization
    member_authenticated: bool
    grant: SessionGrant | None = None
    intermediate_session: IntermediateSession | None = None
    primary_required: list[str] | None = None
    mfa_required: dict[str, Any] | None = None


def primary_methods_missing(
    org: Organization, member: Member | None, factors: list[AuthenticationFactor]
) -> list[str] | None:
    """The org's allowed methods when none of ``factors`` satisfies them, else None."""
    if org.auth_methods != "RESTRICTED" or (member is not None and member.is_breakglass):
        return None
    held = {_FACTOR_METHOD.get((f.type, f.delivery_method)) for f in factors}
    if held & set(org.allowed_auth_methods):
        return None
    return list(org.allowed_auth_methods)


def mfa_needed(org: Organization, member: Member | None) -> dict[str, Any] | None:
    enrolled = member is not None and member.mfa_enrolled
    if org.mfa_policy != "REQUIRED_FOR_ALL" and not enrolled:
        return None
    options = None
    if member is not None and (member.mfa_phone_number or member.totp_registration_id):
        options = {
            "mfa_phone_number": member.mfa_phone_number,
            "totp_registration_id": member.totp_registration_id,
        }
    return {"member_options": options} if options else {}


def new_intermediate_session(
    project: Project,
    email: str,
    factors: list[AuthenticationFactor],
    organization_id_hint: str | None = None,
) -> IntermediateSession:
    ist = IntermediateSession(
        token=magic_token(),
        email_address=email,
        expires_at=project.now() + timedelta(minutes=INTERMEDIATE_SESSION_MINUTES),
        authentication_factors=list(factors),
        organization_id_hint=organization_id_hint,
    )
    project.intermediate_sessions.add(ist)
    return ist


def get_intermediate_session(project: Project, token: str) -> IntermediateSession:
    """A live IST; unknown, consumed and expired ones are all 404 ``intermediate_session_not_found``
    (https://stytch.com/docs/b2b/api/exchange-intermediate-session)."""
    ist = project.intermediate_sessions.find(token)
    if ist is None:
        raise errors.intermediate_session_not_found()
    if project.now() >= ist.expires_at:
        project.intermediate_sessions.forget(ist)
        raise errors.intermediate_session_not_found()
    return ist


def log_in(
    project: Project,
    member: Member,
    org: Organization,
    factors: list[AuthenticationFactor],
    *,
    duration_minutes: int | None,
    custom_claims: dict[str, Any] | None,
    existing_session_id: str | None = None,
    intermediate_session: IntermediateSession | None = None,
) -> AuthResult:
    """Finish a login: a session, or (when a factor is missing) an intermediate session.

    ``intermediate_session`` is the IST the caller came with, if any: it is consumed by a full
    login and handed back unchanged when another factor is still needed.
    """
    factors = [_for_member(f, member) for f in factors]
    missing = primary_methods_missing(org, member, factors)
    mfa = None if existing_session_id else mfa_needed(org, member)
    if missing is not None or mfa is not None:
        ist = intermediate_session or new_intermediate_session(
            project, member.email_address, factors, org.organization_id
        )
        return AuthResult(
            member, org, False, intermediate_session=ist, primary_required=missing, mfa_required=mfa
        )
    if intermediate_session is not None:
        project.intermediate_sessions.forget(intermediate_session)
    if existing_session_id is not None:
        grant = _extend(
            project, existing_session_id, member, org, factors, duration_minutes, custom_claims
        )
    else:
        grant = start_session(
            project, member, factors, duration_minutes=duration_minutes, custom_claims=custom_claims
        )
    return AuthResult(member, org, True, grant=grant)


def _for_member(factor: AuthenticationFactor, member: Member) -> AuthenticationFactor:
    """An email factor names the member's own email id once it lands in that member's session
    (an intermediate session's factor may predate the member)."""
    email = factor.email_factor
    if email is None or email["email_address"].lower() != member.email_address.lower():
        return factor
    return replace(
        factor, email_factor={"email_id": member.email_id, "email_address": email["email_address"]}
    )


def _extend(
    project: Project,
    session_id: str,
    member: Member,
    org: Organization,
    factors: list[AuthenticationFactor],
    duration_minutes: int | None,
    custom_claims: dict[str, Any] | None,
) -> SessionGrant:
    session = project.sessions.get_by_id(session_id)
    claims = merge_custom_claims(session.custom_claims, custom_claims)
    known = {(f.type, f.delivery_method) for f in session.authentication_factors}
    session.authentication_factors.extend(
        f for f in factors if (f.type, f.delivery_method) not in known
    )
    return touch(project, session, member, org, claims, duration_minutes)


def check_pkce(challenge: str | None, verifier: str | None) -> None:
    """PKCE as Stytch's magic links use it: challenge = base64url(sha256(verifier))."""
    if challenge is None:
        if verifier is not None:
            raise errors.pkce_did_not_expect_code_verifier()
        return
    if verifier is None:
        raise errors.pkce_expected_code_verifier()
    digest = hashlib.sha256(verifier.encode()).digest()
    if base64.urlsafe_b64encode(digest).decode().rstrip("=") != challenge.rstrip("="):
        raise errors.pkce_mismatch()


def exchange_session(
    project: Project,
    *,
    organization_id: str,
    session_token: str | None,
    session_jwt: str | None,
    duration_minutes: int | None,
    custom_claims: dict[str, Any] | None,
) -> AuthResult:
    """Move a member session into another organization where the same email is a member
    (an invitation is accepted on the way). No JIT provisioning here (``exchange`` in
    https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/sessions.py).

    [chosen] The original session stays valid; Stytch does not say it is revoked.
    """

    check_duration(duration_minutes)
    check_custom_claims(custom_claims)
    session = get_session(project, session_token=session_token, session_jwt=session_jwt)
    email = project.members.get_by_id(session.member_id).email_address
    org = project.organizations.get(organization_id)
    member = project.members.find_by_email(org.organization_id, email)
    if member is None:
        raise errors.member_not_found()
    # Email-verifying factors carry over (the exchange docstring of the SDK); the mock only
    # mints those.
    factors = list(session.authentication_factors)
    activate(project, member)
    return log_in(
        project,
        member,
        org,
        factors,
        duration_minutes=duration_minutes,
        custom_claims=custom_claims,
    )
