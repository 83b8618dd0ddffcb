"""Logging a member into an organization: the step every session-granting call ends with.

Magic-link authenticate, intermediate-session exchange, discovery create and session exchange
all return Stytch's shared "auth result" (the response models of the Python SDK,
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/). Whether it is a full
session or an intermediate session that still needs another factor is decided here, once:

- ``primary_required`` when the organization restricts ``auth_methods`` and the factors held
  include none of its ``allowed_auth_methods`` (break-glass members are exempt);
- ``mfa_required`` when the organization's ``mfa_policy`` is ``REQUIRED_FOR_ALL`` or the member
  is ``mfa_enrolled``, unless the caller passed a live session of the same member or the
  factors already include a second factor (an SMS code, a TOTP or a recovery code: that is how
  ``mfa_login.finish`` completes MFA through this same step);
- otherwise a session (a new one, or the caller's own session extended).

When MFA is needed and the member has an MFA phone number, the SMS code is sent right away
and ``mfa_required.secondary_auth_initiated`` says ``sms_otp`` (the ``locale`` text of every
primary authenticate in the Python SDK), unless the member prefers an active TOTP.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from .. import errors
from ..ids import magic_token
from ..pkce import pkce_s256
from . import mfa as mfa_rules
from . import oauth_factors
from .deliveries import send_sms_code
from .entities import (
    AuthenticationFactor,
    IntermediateSession,
    Member,
    MemberSession,
    Organization,
)
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
    **{("oauth", delivery): method for delivery, method in oauth_factors.AUTH_METHODS.items()},
    ("sso", "sso_saml"): "sso",
    ("sso", "sso_oidc"): "sso",
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
    """The org's allowed methods when none of ``factors`` satisfies them, else None; the
    email-verifying methods when only a login that does not verify the email vouches for the
    member (oauth_factors.step_up_needed)."""
    step_up = oauth_factors.step_up_needed(org, member, factors)
    if step_up is not None:
        return step_up
    if org.auth_methods != "RESTRICTED" or (member is not None and member.is_breakglass):
        return None
    held = {_FACTOR_METHOD.get((f.type, f.delivery_method)) for f in factors}
    if held & set(org.allowed_auth_methods):
        return None
    return list(org.allowed_auth_methods)


def mfa_needed(
    org: Organization, member: Member | None, *, masked: bool = False
) -> dict[str, Any] | None:
    """``mfa_required`` for a login of ``member`` into ``org`` (None when MFA is not needed):
    ``member_options`` is null until the member has a factor."""
    enrolled = member is not None and member.mfa_enrolled
    if org.mfa_policy != "REQUIRED_FOR_ALL" and not enrolled:
        return None
    options = None if member is None else mfa_rules.member_options(member, masked=masked)
    return {"member_options": options} if options else {}


def _auto_send(project: Project, member: Member, org: Organization) -> bool:
    """[chosen] Send the MFA SMS iff the member has a number, the organization allows
    ``sms_otp``, and the member does not prefer an active TOTP (README, fidelity notes)."""
    if not member.mfa_phone_number or not mfa_rules.method_allowed(org, member, mfa_rules.SMS_OTP):
        return False
    if member.default_mfa_method == mfa_rules.TOTP and mfa_rules.has_active_totp(
        project.totp_registrations.find(member.member_id)
    ):
        return False
    send_sms_code(project, member, org)
    return True


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
    login and, when another factor is still needed, handed back holding ``factors`` (so a
    primary step-up made with it counts when the MFA step completes it).
    """
    factors = [_for_member(project, f, member) for f in factors]
    missing = primary_methods_missing(org, member, factors)
    mfa = None
    if existing_session_id is None and not any(mfa_rules.is_mfa_factor(f) for f in factors):
        mfa = mfa_needed(org, member, masked=project.config.mfa.mask_mfa_phone_number)
    if missing is not None or mfa is not None:
        if intermediate_session is not None:
            intermediate_session.authentication_factors = factors
        ist = intermediate_session or new_intermediate_session(
            project, member.email_address, factors, org.organization_id
        )
        if mfa is not None and missing is None and _auto_send(project, member, org):
            mfa["secondary_auth_initiated"] = mfa_rules.SMS_OTP
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


@dataclass(slots=True)
class Arrival:
    """What a primary-factor authenticate brings besides its credential: the intermediate
    session it continues and the caller's own session, both checked (the shared rules of every
    authenticate's ``session_*`` and ``intermediate_session_token`` fields in the SDK)."""

    intermediate_session: IntermediateSession | None
    session: MemberSession | None
    duration_minutes: int | None
    custom_claims: dict[str, Any] | None


def arrival(
    project: Project,
    *,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    intermediate_session_token: str | None,
) -> Arrival:
    check_duration(session_duration_minutes)
    check_custom_claims(session_custom_claims)
    if session_token is not None and session_jwt is not None:
        raise errors.too_many_session_arguments()
    ist = (
        get_intermediate_session(project, intermediate_session_token)
        if intermediate_session_token is not None
        else None
    )
    session = None
    if session_token is not None or session_jwt is not None:
        session = get_session(project, session_token=session_token, session_jwt=session_jwt)
        if session_custom_claims:
            # The claims merged into the session (_extend) must fit too: refused here, before
            # the credential is spent, not after.
            merge_custom_claims(session.custom_claims, session_custom_claims)
    return Arrival(ist, session, session_duration_minutes, session_custom_claims)


def log_in_with(
    project: Project,
    member: Member,
    org: Organization,
    factor: AuthenticationFactor,
    came_with: Arrival,
) -> AuthResult:
    """:func:`log_in` with a new primary ``factor``: added to the intermediate session's
    factors, or to the caller's session when it is the same member's."""
    ist = came_with.intermediate_session
    factors = [factor] + (list(ist.authentication_factors) if ist else [])
    own = came_with.session
    return log_in(
        project,
        member,
        org,
        factors,
        duration_minutes=came_with.duration_minutes,
        custom_claims=came_with.custom_claims,
        existing_session_id=own.member_session_id
        if own and own.member_id == member.member_id
        else None,
        intermediate_session=ist,
    )


def _for_member(
    project: Project, factor: AuthenticationFactor, member: Member
) -> AuthenticationFactor:
    """An email factor names the member's own email id once it lands in that member's session
    (an intermediate session's factor may predate the member); an OAuth factor its
    registration (oauth_factors.attach)."""
    if factor.oauth_factor is not None:
        return oauth_factors.attach(project, member, factor)
    email = factor.email_factor
    if email is None or email["email_id"] == member.email_id:
        return factor
    if email["email_address"].lower() != member.email_address.lower():
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
    # A factor already in the session is refreshed in place, a new one appended (a step-up).
    held = {(f.type, f.delivery_method): i for i, f in enumerate(session.authentication_factors)}
    for factor in factors:
        at = held.get((factor.type, factor.delivery_method))
        if at is None:
            session.authentication_factors.append(factor)
        else:
            old = session.authentication_factors[at]
            session.authentication_factors[at] = replace(factor, created_at=old.created_at)
    return touch(project, session, member, org, claims, duration_minutes)


def check_pkce(challenge: str | None, verifier: str | None) -> None:
    """PKCE as Stytch's magic links use it: challenge = base64url(sha256(verifier))."""
    if challenge is None:
        if verifier is not None:
            raise errors.pkce_did_not_expect_code_verifier()
        return
    if verifier is None:
        raise errors.pkce_expected_code_verifier()
    if pkce_s256(verifier) != challenge.rstrip("="):
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
    # Magic-link and OAuth factors carry over (a non-verifying OAuth factor as an exchange
    # factor, which proves no email: oauth_factors.exchanged); second factors (SMS, TOTP,
    # recovery codes) belong to the organization they were proved in, so MFA is asked again.
    factors = [
        oauth_factors.exchanged(f, member)
        for f in session.authentication_factors
        if not mfa_rules.is_mfa_factor(f)
    ]
    activate(project, member, email_verified=oauth_factors.email_proven(factors))
    return log_in(
        project,
        member,
        org,
        factors,
        duration_minutes=duration_minutes,
        custom_claims=custom_claims,
    )


def with_params(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` added to its query (before any fragment), as every
    redirect back to the app carries its token (magic links, OAuth, SSO)."""
    base, hash_, fragment = url.partition("#")
    sep = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return f"{base}{sep}{urlencode(params)}{hash_}{fragment}"
