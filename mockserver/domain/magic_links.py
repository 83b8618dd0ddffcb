"""Email magic links: the tokens, the emails carrying them, and the organization-scoped flows
(login or signup, invite, authenticate).

Lifetimes, status transitions and sandbox values from the Python SDK's docstrings
(https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/magic_links_email.py) and
https://stytch.com/docs/b2b/guides/testing/sandbox-values:
tokens are single use; login, signup and discovery links last 60 minutes by default and invite
links a week, each between 5 and 10080 minutes; a used or expired token is 401
``unable_to_auth_magic_link`` and an unknown one 404 ``magic_link_not_found``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .. import errors
from ..ids import magic_token
from .entities import (
    MagicLinkToken,
    Member,
    MemberStatus,
    MessageKind,
    Organization,
)
from .login import AuthResult, arrival, check_pkce, log_in_with, with_params
from .members import activate, add_member, update_member
from .organizations import unique_slug
from .outbox import send
from .project import Project
from .rate_limits import EMAIL_MAGIC_LINKS
from .rules import email_domain, validate_email
from .sessions import magic_link_factor

MIN_LINK_MINUTES = 5
MAX_LINK_MINUTES = 10080
DEFAULT_LINK_MINUTES = 60
DEFAULT_INVITE_MINUTES = 10080

# Stytch's documented B2B sandbox values:
# https://stytch.com/docs/b2b/guides/testing/sandbox-values
SANDBOX_EMAIL = "sandbox@stytch.com"
SANDBOX_ORGANIZATION_ID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"
SANDBOX_TOKEN_OK = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94="
SANDBOX_TOKEN_USED = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU="
SANDBOX_TOKEN_UNKNOWN = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM="

# The stytch_token_type each kind of link carries (the redirect URL's query, as Stytch's
# "Handle the redirect" guide reads it: https://stytch.com/docs/b2b/guides/magic-links/overview).
TOKEN_TYPES = {
    MessageKind.DISCOVERY: "discovery",
    MessageKind.LOGIN: "multi_tenant_magic_links",
    MessageKind.SIGNUP: "multi_tenant_magic_links",
    MessageKind.INVITE: "multi_tenant_magic_links",
    # Password reset links (https://stytch.com/docs/b2b/api/email-reset-start).
    MessageKind.RESET_PASSWORD: "multi_tenant_passwords",
    MessageKind.DISCOVERY_RESET_PASSWORD: "discovery",
}


def check_expiration(field: str, minutes: int | None, default: int) -> int:
    if minutes is None:
        return default
    if not MIN_LINK_MINUTES <= minutes <= MAX_LINK_MINUTES:
        raise errors.invalid_expiration(field)
    return minutes


def link_url(redirect_url: str, kind: MessageKind, token: str, org: Organization | None) -> str:
    """The redirect URL with ``stytch_token_type``, ``token`` and, for organization links,
    ``slug`` added; query parameters already on the URL are kept as they are."""
    params = {"stytch_token_type": TOKEN_TYPES[kind], "token": token}
    if org is not None:
        params["slug"] = org.organization_slug
    return with_params(redirect_url, params)


def send_link(
    project: Project,
    *,
    kind: MessageKind,
    email_address: str,
    redirect_url: str,
    minutes: int,
    pkce_code_challenge: str | None,
    org: Organization | None = None,
    member: Member | None = None,
) -> MagicLinkToken:
    """Store a new single-use token and put the email carrying it in the outbox."""
    link = MagicLinkToken(
        token=magic_token(),
        kind=kind,
        email_address=email_address,
        expires_at=project.now() + timedelta(minutes=minutes),
        organization_id=org.organization_id if org else None,
        member_id=member.member_id if member else None,
        pkce_code_challenge=pkce_code_challenge,
    )
    project.magic_links.add(link)
    send(
        project,
        kind,
        email_address,
        expires_at=link.expires_at,
        link=link_url(redirect_url, kind, link.token, org),
        token=link.token,
        org=org,
    )
    return link


def consume(
    project: Project,
    token_value: str,
    kinds: tuple[MessageKind, ...],
    pkce_code_verifier: str | None,
    *,
    member: bool = False,
) -> MagicLinkToken:
    """Check and use up a token in one step (no await in between, so it is atomic). With
    ``member``, the token must also name a member that still exists: deleting a member revokes
    its outstanding links (README fidelity notes). A refused token is left as it was."""
    if token_value == SANDBOX_TOKEN_USED:
        raise errors.unable_to_auth_magic_link()
    token = project.magic_links.find(token_value)
    if token is None or token.kind not in kinds:
        raise errors.magic_link_not_found()
    if token.used or project.now() >= token.expires_at:
        raise errors.unable_to_auth_magic_link()
    if member:
        owner = project.members.find(token.member_id or "")
        if owner is None or owner.status == MemberStatus.DELETED:
            raise errors.unable_to_auth_magic_link()
    check_pkce(token.pkce_code_challenge, pkce_code_verifier)
    project.magic_links.use(token, project.now())
    return token


# --- sandbox ----------------------------------------------------------------------------


def sandbox_member(project: Project) -> tuple[Member, Organization]:
    """The documented sandbox organization and ``sandbox@stytch.com`` member, made on first use
    so that code written against Stytch's Test sandbox runs unchanged."""

    org = project.organizations.find_by_id(SANDBOX_ORGANIZATION_ID)
    if org is None:
        now = project.now()
        org = Organization(
            organization_id=SANDBOX_ORGANIZATION_ID,
            organization_name="Stytch Sandbox",
            organization_slug=unique_slug(project, "stytch-sandbox"),
            created_at=now,
            updated_at=now,
        )
        project.organizations.add(org)
    member = project.members.find_by_email(org.organization_id, SANDBOX_EMAIL)
    if member is None:
        member = add_member(
            project,
            org,
            SANDBOX_EMAIL,
            status=MemberStatus.ACTIVE,
            email_address_verified=True,
            name="Sandbox Member",
        )
    return member, org


def is_sandbox(email: str, organization_id: str | None = None) -> bool:
    return email.lower() == SANDBOX_EMAIL and organization_id in (None, SANDBOX_ORGANIZATION_ID)


# --- organization-scoped flows ----------------------------------------------------------


def login_or_signup(
    project: Project,
    *,
    organization_id: str,
    email_address: str,
    login_redirect_url: str | None,
    signup_redirect_url: str | None,
    pkce_code_challenge: str | None,
    login_expiration_minutes: int | None,
    signup_expiration_minutes: int | None,
) -> tuple[Member, bool, Organization]:
    """An active member gets a login link; a new, pending or invited one a signup link."""
    validate_email(email_address)
    project.rate_limits.hit(project.clock, EMAIL_MAGIC_LINKS, email_address)
    login_minutes = check_expiration(
        "login_expiration_minutes", login_expiration_minutes, DEFAULT_LINK_MINUTES
    )
    signup_minutes = check_expiration(
        "signup_expiration_minutes", signup_expiration_minutes, DEFAULT_LINK_MINUTES
    )
    if is_sandbox(email_address, organization_id):
        sandbox, sandbox_org = sandbox_member(project)
        return sandbox, False, sandbox_org
    org = project.organizations.get(organization_id)
    member = project.members.find_by_email(org.organization_id, email_address)
    active = member is not None and member.status == MemberStatus.ACTIVE
    kind = MessageKind.LOGIN if active else MessageKind.SIGNUP
    # Every URL given must be registered, also the one of the link not sent (README fidelity
    # notes).
    login_redirect = project.resolve_redirect_url(login_redirect_url, "login_redirect_url")
    signup_redirect = project.resolve_redirect_url(signup_redirect_url, "signup_redirect_url")
    redirect = login_redirect if active else signup_redirect
    created = member is None
    if member is None:
        _check_signup_allowed(org, email_address)
        member = add_member(project, org, email_address, status=MemberStatus.PENDING)
    send_link(
        project,
        kind=kind,
        email_address=member.email_address,
        redirect_url=redirect,
        minutes=login_minutes if active else signup_minutes,
        pkce_code_challenge=pkce_code_challenge,
        org=org,
        member=member,
    )
    return member, created, org


def _check_signup_allowed(org: Organization, email: str) -> None:
    """[chosen] A brand-new member may sign up through login_or_signup when the email's domain
    is in ``email_allowed_domains``. Stytch's own quickstart (create "Acme Co" with allowed
    domain acme.co, then login_or_signup admin@acme.co) succeeds with default JIT settings, so
    the allowed domains are the gate here; ``email_jit_provisioning`` governs discovery."""
    if email_domain(email) not in org.email_allowed_domains:
        raise errors.email_jit_provisioning_not_allowed()


def invite(
    project: Project,
    *,
    organization_id: str,
    email_address: str,
    invite_redirect_url: str | None,
    invited_by_member_id: str | None,
    name: str | None,
    trusted_metadata: dict[str, Any] | None,
    untrusted_metadata: dict[str, Any] | None,
    roles: list[str] | None,
    invite_expiration_minutes: int | None,
) -> tuple[Member, Organization]:
    """A new member is created ``invited``; a pending one becomes ``invited``; an active one is
    refused."""
    validate_email(email_address)
    project.rate_limits.hit(project.clock, EMAIL_MAGIC_LINKS, email_address)
    minutes = check_expiration(
        "invite_expiration_minutes", invite_expiration_minutes, DEFAULT_INVITE_MINUTES
    )
    if is_sandbox(email_address, organization_id):
        return sandbox_member(project)
    org = project.organizations.get(organization_id)
    redirect = project.resolve_redirect_url(invite_redirect_url, "invite_redirect_url")
    if invited_by_member_id is not None:
        project.members.get(org.organization_id, invited_by_member_id)
    member = project.members.find_by_email(org.organization_id, email_address)
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise errors.member_already_active()
    if member is None:
        _check_invites_allowed(org, email_address)
        member = add_member(
            project,
            org,
            email_address,
            status=MemberStatus.INVITED,
            name=name,
            trusted_metadata=trusted_metadata,
            untrusted_metadata=untrusted_metadata,
            roles=roles,
        )
    else:
        update_member(
            project,
            org.organization_id,
            member.member_id,
            {
                "name": name,
                "trusted_metadata": trusted_metadata,
                "untrusted_metadata": untrusted_metadata,
                "roles": roles,
            },
        )
        member.status = MemberStatus.INVITED
    send_link(
        project,
        kind=MessageKind.INVITE,
        email_address=member.email_address,
        redirect_url=redirect,
        minutes=minutes,
        pkce_code_challenge=None,
        org=org,
        member=member,
    )
    return member, org


def _check_invites_allowed(org: Organization, email: str) -> None:
    if org.email_invites == "NOT_ALLOWED":
        raise errors.invalid_email_for_invites()
    if org.email_invites == "RESTRICTED" and email_domain(email) not in org.email_allowed_domains:
        raise errors.invalid_email_for_invites()


def authenticate(
    project: Project,
    *,
    magic_links_token: str,
    pkce_code_verifier: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    intermediate_session_token: str | None,
) -> AuthResult:
    """Authenticate an organization magic link: the member becomes active and logs in."""
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=intermediate_session_token,
    )
    if magic_links_token == SANDBOX_TOKEN_OK:
        member, org = sandbox_member(project)
    else:
        token = consume(
            project,
            magic_links_token,
            (MessageKind.LOGIN, MessageKind.SIGNUP, MessageKind.INVITE),
            pkce_code_verifier,
            member=True,
        )
        member = project.members.get_by_id(token.member_id or "")
        org = project.organizations.get_by_id(member.organization_id)
    activate(project, member)
    factor = magic_link_factor(member.email_address, member.email_id, project.now())
    return log_in_with(project, member, org, factor, came_with)
