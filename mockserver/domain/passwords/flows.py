"""The B2B password endpoints as functions over a Project.

Behaviour from the Python SDK's docstrings (https://github.com/stytchauth/stytch-python,
``stytch/b2b/api/passwords*.py``):
sign-in ends in the shared login step (a session, or an intermediate session when the
organization asks for MFA); resets store the new password, revoke the member's sessions and
log in; migrate adds a hash from another system, verified on the first sign-in. The mock's
choices where Stytch is silent are in the README's fidelity notes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ... import errors
from ...ids import new_id
from .. import locks
from ..discovery import DiscoveryResult, discovery_result
from ..entities import (
    AuthenticationFactor,
    MagicLinkToken,
    Member,
    MemberStatus,
    MessageKind,
    Organization,
)
from ..login import (
    Arrival,
    AuthResult,
    arrival,
    check_pkce,
    log_in_with,
)
from ..magic_links import check_expiration, send_link
from ..members import activate, add_member
from ..project import Project
from ..rules import validate_email
from ..sessions import (
    SessionGrant,
    check_duration,
    get_session,
    merge_custom_claims,
    touch,
)
from ..stores import MemberPasswords, StoredPassword
from . import errors as pw_errors
from .hashing import STORED_TYPE, PasswordHash, check_migrated, hash_password, verify
from .policy import PasswordPolicy
from .strength import Strength, check_length, check_new_password, is_breached, strength

DEFAULT_RESET_MINUTES = 30
SESSION_RESET_WINDOW = timedelta(minutes=5)
ORG_RESET = MessageKind.RESET_PASSWORD
DISCOVERY_RESET = MessageKind.DISCOVERY_RESET_PASSWORD


# --- project settings ---------------------------------------------------------------------


def store(project: Project) -> MemberPasswords:
    return project.member_passwords


def policy(project: Project) -> PasswordPolicy:
    return project.member_passwords.policy_override or project.config.passwords


def set_policy(project: Project, fields: dict[str, Any]) -> PasswordPolicy:
    """The run-time policy: the current one with ``fields`` changed (checked in full first)."""
    # [chosen] Stytch's Dashboard refuses to switch cross-organization passwords while
    # passwords exist; the mock allows it (tests switch modes freely), each member keeping
    # its own password.
    current = policy(project)
    updated = PasswordPolicy.model_validate({**current.model_dump(), **fields})
    project.member_passwords.policy_override = updated
    return updated


def password_factor(
    email: str, email_id: str, now: datetime, *, proves_email: bool
) -> AuthenticationFactor:
    """Stytch's password factor: ``type`` password, ``delivery_method`` knowledge. Stytch defines
    no sub-object for it; [chosen] the ``email_factor`` of the email it names rides along.
    ``proves_email``: a password set through a reset email proves the mailbox, a returning
    password login does not (the Python SDK's discovery ``organizations.create`` docstring:
    returning password logins do not verify the email in real time, so joining or creating an
    organization with one asks for a primary step-up)."""
    return AuthenticationFactor(
        type="password",
        delivery_method="knowledge",
        created_at=now,
        last_authenticated_at=now,
        updated_at=now,
        email_factor={"email_id": email_id, "email_address": email},
        email_verified=proves_email,
    )


def check_strength(project: Project, password: str, email: str | None) -> Strength:
    return strength(password, email, policy(project))


# --- storing ------------------------------------------------------------------------------


def _store_hash(project: Project, member: Member, stored: PasswordHash) -> StoredPassword:
    passwords = store(project)
    old = passwords.find(member.member_id)
    record = StoredPassword(
        member_password_id=old.member_password_id
        if old
        else new_id("member-password", project.env),
        member_id=member.member_id,
        hash_type=stored.hash_type,
        hash=stored.hash,
        config=stored.config,
        created_at=project.now(),
    )
    passwords.add(record)
    locks.new_credential(project, member)
    member.member_password_id = record.member_password_id
    member.updated_at = project.now()
    return record


def _set_password(project: Project, member: Member, password: str) -> list[Member]:
    """Store ``password`` for ``member`` (for every live member with that email when passwords
    are cross-organization); the members that got it."""
    hashed = PasswordHash(STORED_TYPE, hash_password(password, policy(project).argon2))
    members = (
        project.members.live_with_email(member.email_address)
        if policy(project).cross_org_passwords
        else [member]
    )
    for m in members:
        _store_hash(project, m, hashed)
    return members


def seed_password(project: Project, member: Member, password: str) -> None:
    """A fixture's password (any non-empty one: seeds skip the strength policy), hashed."""
    check_length(password)
    _set_password(project, member, password)


def _revoke_sessions(project: Project, members: list[Member], keep: str | None = None) -> None:
    for m in members:
        for session in project.sessions.of_member(m.member_id):
            if session.member_session_id != keep:
                project.sessions.forget(session)


# --- checking (under the member-lock rules of domain.locks) -------------------------------


def _lock_threshold(project: Project) -> locks.Threshold:
    """Wrong passwords lock a member after the policy's ``lock_threshold`` (on by default:
    Stytch's 10 failures and 1 hour, https://stytch.com/docs/resources/platform/user-locks)."""
    rules = policy(project)
    return locks.Threshold(rules.lock_threshold, rules.lock_minutes)


def _check_password(project: Project, member: Member, password: str) -> StoredPassword:
    """The member's password matches (a migrated hash is re-stored as argon2id on first use);
    else the error, a wrong password counted towards a lock. A locked member is refused
    before anything else, a member without a password too."""
    locks.refuse_while_locked(project, member)
    record = store(project).find(member.member_id)
    if record is None:
        raise pw_errors.member_password_not_found()

    def matches() -> None:
        if not verify(record.password_hash, password):
            raise errors.unauthorized_credentials()

    locks.check(project, member, _lock_threshold(project), matches)
    if record.hash_type != STORED_TYPE or record.config is not None:
        record.hash_type = STORED_TYPE
        record.hash = hash_password(password, policy(project).argon2)
        record.config = None
    return record


def _check_org_allows_passwords(org: Organization, member: Member) -> None:
    if (
        org.auth_methods == "RESTRICTED"
        and "password" not in org.allowed_auth_methods
        and not member.is_breakglass
    ):
        raise pw_errors.operation_restricted_by_organization_auth_methods()


def _find_member(project: Project, org: Organization, email: str) -> Member:
    validate_email(email)
    member = project.members.find_by_email(org.organization_id, email)
    if member is None:
        raise errors.member_not_found()
    return member


def _check_ist_organization(came_with: Arrival, org: Organization) -> None:
    """The caller's IST must not be tied to another organization (Stytch: password factors are
    not transferable between organizations)."""
    ist = came_with.intermediate_session
    if ist is not None and ist.organization_id_hint not in (None, org.organization_id):
        raise errors.StytchError(
            400,
            "invalid_intermediate_session_token_for_organization",
            "The intermediate session token belongs to another organization.",
        )


def _own_session_id(came_with: Arrival, member: Member) -> str | None:
    """The caller's session when it is ``member``'s (a reset keeps it, revoking the others)."""
    own = came_with.session
    return own.member_session_id if own is not None and own.member_id == member.member_id else None


def _log_in(
    project: Project,
    member: Member,
    org: Organization,
    came_with: Arrival,
    *,
    proves_email: bool = False,
) -> AuthResult:
    factor = password_factor(
        member.email_address, member.email_id, project.now(), proves_email=proves_email
    )
    return log_in_with(project, member, org, factor, came_with)


# --- authenticate -------------------------------------------------------------------------


def authenticate(
    project: Project,
    *,
    organization_id: str,
    email_address: str,
    password: str,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    intermediate_session_token: str | None,
) -> AuthResult:
    check_length(password)
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=intermediate_session_token,
    )
    org = project.organizations.get(organization_id)
    member = _find_member(project, org, email_address)
    _check_org_allows_passwords(org, member)
    _check_ist_organization(came_with, org)
    record = _check_password(project, member, password)
    _refuse_reset_or_breach(project, record, password)
    return _log_in(project, member, org, came_with)


def _refuse_reset_or_breach(project: Project, record: StoredPassword, password: str) -> None:
    """A correct password is still refused when a reset is required, or (breach detection at
    login on) when it is breached: Stytch answers ``member_reset_password``."""
    if record.reset_required:
        raise pw_errors.member_reset_password()
    rules = policy(project)
    if rules.breach_detection_on_login and is_breached(password, rules):
        raise pw_errors.member_reset_password()


# --- email reset --------------------------------------------------------------------------


def _reset_redirect(url: str, kind: MessageKind) -> str:
    """The discovery reset link also names the redirect type (Stytch's frontend SDKs read
    ``stytch_redirect_type=reset_password`` beside ``stytch_token_type=discovery``)."""
    if kind != DISCOVERY_RESET:
        return url
    base, hash_, fragment = url.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}stytch_redirect_type=reset_password{hash_}{fragment}"


def reset_start(
    project: Project,
    *,
    organization_id: str,
    email_address: str,
    reset_password_redirect_url: str | None,
    reset_password_expiration_minutes: int | None,
    code_challenge: str | None,
    login_redirect_url: str | None,
) -> Member:
    """Email the member a reset link (``stytch_token_type=multi_tenant_passwords``)."""
    minutes = check_expiration(
        "reset_password_expiration_minutes",
        reset_password_expiration_minutes,
        DEFAULT_RESET_MINUTES,
    )
    org = project.organizations.get(organization_id)
    member = _find_member(project, org, email_address)
    redirect = project.resolve_redirect_url(reset_password_redirect_url)
    project.resolve_redirect_url(login_redirect_url)
    send_link(
        project,
        kind=ORG_RESET,
        email_address=member.email_address,
        redirect_url=redirect,
        minutes=minutes,
        pkce_code_challenge=code_challenge,
        org=org,
        member=member,
    )
    return member


def _reset_token(
    project: Project, token_value: str, kind: MessageKind, verifier: str | None
) -> MagicLinkToken:
    """A live reset token of this kind (checked, not yet used up); an unknown, used, expired
    token, one of another kind, or one whose member is gone is 401."""
    token = project.magic_links.find(token_value)
    if token is None or token.kind != kind or token.used or project.now() >= token.expires_at:
        raise pw_errors.unable_to_auth_password_reset_token()
    if kind == ORG_RESET:
        owner = project.members.find(token.member_id or "")
        if owner is None or owner.status == MemberStatus.DELETED:
            raise pw_errors.unable_to_auth_password_reset_token()
    check_pkce(token.pkce_code_challenge, verifier)
    return token


def reset(
    project: Project,
    *,
    password_reset_token: str,
    password: str,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    code_verifier: str | None,
    session_custom_claims: dict[str, Any] | None,
    intermediate_session_token: str | None,
) -> AuthResult:
    """Set the password from a reset link: every check first, then the token is used up, the
    password stored, the member's sessions revoked (but the caller's own), the email verified,
    and the member logged in."""
    check_length(password)
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=intermediate_session_token,
    )
    token = _reset_token(project, password_reset_token, ORG_RESET, code_verifier)
    member = project.members.get_by_id(token.member_id or "")
    org = project.organizations.get_by_id(member.organization_id)
    _check_ist_organization(came_with, org)
    check_new_password(password, member.email_address, policy(project))
    token.used = True
    members = _set_password(project, member, password)
    _revoke_sessions(project, members, keep=_own_session_id(came_with, member))
    member.email_address_verified = True
    activate(project, member)
    return _log_in(project, member, org, came_with, proves_email=True)


def require_reset(
    project: Project,
    *,
    email_address: str,
    organization_id: str | None,
    member_id: str | None,
) -> tuple[Member | None, Organization | None]:
    """Cross-organization passwords only: the email's password must be reset before the next
    password sign-in (``member_reset_password`` until then)."""
    if not policy(project).cross_org_passwords:
        raise pw_errors.cross_org_passwords_not_enabled()
    validate_email(email_address)
    org = project.organizations.get(organization_id) if organization_id is not None else None
    member = None
    if org is not None and member_id is not None:
        member = project.members.get(org.organization_id, member_id)
    elif org is not None:
        member = _find_member(project, org, email_address)
    members = project.members.live_with_email(email_address)
    if not members:
        raise errors.member_not_found()
    for m in members:
        record = store(project).find(m.member_id)
        if record is not None:
            record.reset_required = True
    if member is not None:
        return member, org
    return None, None


# --- existing-password and session resets -------------------------------------------------


def existing_password_reset(
    project: Project,
    *,
    email_address: str,
    existing_password: str,
    new_password: str,
    organization_id: str,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
) -> AuthResult:
    check_length(existing_password)
    check_length(new_password)
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=None,
    )
    org = project.organizations.get(organization_id)
    member = _find_member(project, org, email_address)
    _check_org_allows_passwords(org, member)
    if existing_password == new_password:
        raise pw_errors.cannot_reset_password_with_existing_password()
    _check_password(project, member, existing_password)
    check_new_password(new_password, member.email_address, policy(project))
    members = _set_password(project, member, new_password)
    _revoke_sessions(project, members, keep=_own_session_id(came_with, member))
    return _log_in(project, member, org, came_with)


def session_reset(
    project: Project,
    *,
    organization_id: str,
    password: str,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
) -> SessionGrant:
    """Set the password of the session's member: the session must be of this organization and
    hold a factor authenticated in the last 5 minutes; the member's other sessions are revoked,
    this one lives on (extended when a duration is given)."""
    check_length(password)
    check_duration(session_duration_minutes)
    session = get_session(project, session_token=session_token, session_jwt=session_jwt)
    org = project.organizations.get(organization_id)
    if session.organization_id != org.organization_id:
        raise errors.session_authorization_tenancy_error()
    member = project.members.get_by_id(session.member_id)
    now = project.now()
    factors = session.authentication_factors
    if not any(now - f.last_authenticated_at <= SESSION_RESET_WINDOW for f in factors):
        raise pw_errors.session_too_old_to_reset_password()
    claims = merge_custom_claims(session.custom_claims, session_custom_claims)
    check_new_password(password, member.email_address, policy(project))
    members = _set_password(project, member, password)
    _revoke_sessions(project, members, keep=session.member_session_id)
    return touch(project, session, member, org, claims, session_duration_minutes)


# --- migrate ------------------------------------------------------------------------------


def migrate(
    project: Project,
    *,
    email_address: str,
    hash: str,
    hash_type: str,
    organization_id: str,
    configs: dict[str, Any],
    name: str | None,
    trusted_metadata: dict[str, Any] | None,
    untrusted_metadata: dict[str, Any] | None,
    roles: list[str] | None,
    mfa_phone_number: str | None,
    set_phone_number_verified: bool | None,
    external_id: str | None,
) -> tuple[Member, bool, Organization]:
    """Add a hash from another system to the member (made, active, when missing); the email
    becomes verified. Only for a member without a password (``password_already_exists``)."""
    validate_email(email_address)
    org = project.organizations.get(organization_id)
    stored = check_migrated(hash_type, hash, configs)
    member = project.members.find_by_email(org.organization_id, email_address)
    if member is not None and store(project).find(member.member_id) is not None:
        raise pw_errors.password_already_exists()
    created = member is None
    if member is None:
        member = add_member(
            project,
            org,
            email_address,
            status=MemberStatus.ACTIVE,
            email_address_verified=True,
            name=name,
            trusted_metadata=trusted_metadata,
            untrusted_metadata=untrusted_metadata,
            roles=roles,
            mfa_phone_number=mfa_phone_number,
            external_id=external_id,
        )
        if mfa_phone_number and set_phone_number_verified:
            member.mfa_phone_number_verified = True
    member.email_address_verified = True
    _store_hash(project, member, stored)
    return member, created, org


def delete_password(
    project: Project, *, organization_id: str, member_password_id: str
) -> tuple[Member, Organization]:
    """Organization-scoped passwords only (cross-org projects use require_reset)."""
    if policy(project).cross_org_passwords:
        raise pw_errors.cross_org_passwords_enabled()
    org = project.organizations.get(organization_id)
    member = project.members.find(store(project).find_member_id(member_password_id) or "")
    if (
        member is None
        or member.organization_id != org.organization_id
        or member.status == MemberStatus.DELETED
    ):
        raise pw_errors.password_not_found()
    store(project).forget(member.member_id)
    member.member_password_id = ""
    member.updated_at = project.now()
    return member, org


# --- discovery (cross-organization passwords) ---------------------------------------------


def _require_cross_org(project: Project) -> None:
    if not policy(project).cross_org_passwords:
        raise pw_errors.cross_org_passwords_not_enabled()


def discovery_authenticate(
    project: Project, *, email_address: str, password: str
) -> DiscoveryResult:
    """Check the email's password (any of its members' records: one password per email) and
    answer like the discovery magic link: an intermediate session and the discovered
    organizations."""
    _require_cross_org(project)
    check_length(password)
    validate_email(email_address)
    members = [
        m
        for m in project.members.live_with_email(email_address)
        if store(project).find(m.member_id)
    ]
    if not members:
        raise (
            errors.member_not_found()
            if not project.members.live_with_email(email_address)
            else pw_errors.member_password_not_found()
        )
    member = members[0]
    record = _check_password(project, member, password)
    _refuse_reset_or_breach(project, record, password)
    return discovery_result(
        project, email_address, _discovery_factor(project, email_address, proves_email=False)
    )


def _discovery_factor(project: Project, email: str, *, proves_email: bool) -> AuthenticationFactor:
    """The password factor of an intermediate session, which is not tied to a member yet: a
    fresh email id, replaced by the member's own once it lands in a session (login.log_in)."""
    return password_factor(
        email, new_id("email", project.env), project.now(), proves_email=proves_email
    )


def discovery_reset_start(
    project: Project,
    *,
    email_address: str,
    reset_password_redirect_url: str | None,
    discovery_redirect_url: str | None,
    reset_password_expiration_minutes: int | None,
    pkce_code_challenge: str | None,
) -> None:
    _require_cross_org(project)
    validate_email(email_address)
    minutes = check_expiration(
        "reset_password_expiration_minutes",
        reset_password_expiration_minutes,
        DEFAULT_RESET_MINUTES,
    )
    redirect = project.resolve_redirect_url(reset_password_redirect_url)
    project.resolve_redirect_url(discovery_redirect_url)
    if not project.members.live_with_email(email_address):
        raise errors.member_not_found()
    send_link(
        project,
        kind=DISCOVERY_RESET,
        email_address=email_address,
        redirect_url=_reset_redirect(redirect, DISCOVERY_RESET),
        minutes=minutes,
        pkce_code_challenge=pkce_code_challenge,
    )


def discovery_reset(
    project: Project, *, password_reset_token: str, password: str, pkce_code_verifier: str | None
) -> DiscoveryResult:
    _require_cross_org(project)
    check_length(password)
    token = _reset_token(project, password_reset_token, DISCOVERY_RESET, pkce_code_verifier)
    email = token.email_address
    members = project.members.live_with_email(email)
    if not members:
        raise pw_errors.unable_to_auth_password_reset_token()
    check_new_password(password, email, policy(project))
    token.used = True
    _set_password(project, members[0], password)
    _revoke_sessions(project, members)
    for m in members:
        m.email_address_verified = True
    return discovery_result(project, email, _discovery_factor(project, email, proves_email=True))
