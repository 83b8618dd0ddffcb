"""Discovery: the email-first login where a person proves their email, then picks, joins or
creates an organization (discovery_organizations.py and discovery_intermediate_sessions.py in
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/).

send -> (email in the outbox) -> authenticate -> intermediate session + discovered
organizations -> exchange into one of them, or create a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import errors
from ..ids import new_id
from .entities import (
    STYTCH_ADMIN,
    AuthenticationFactor,
    Member,
    MemberStatus,
    MessageKind,
    Organization,
)
from .login import (
    AuthResult,
    get_intermediate_session,
    log_in,
    mfa_needed,
    new_intermediate_session,
    primary_methods_missing,
)
from .magic_links import (
    DEFAULT_LINK_MINUTES,
    SANDBOX_EMAIL,
    SANDBOX_TOKEN_OK,
    check_expiration,
    consume,
    is_sandbox,
    sandbox_member,
    send_link,
)
from .members import activate, add_member
from .organizations import create_organization, derive_name_and_slug, unique_slug
from .project import Project
from .rules import email_domain, validate_email
from .sessions import check_custom_claims, check_duration, get_session, magic_link_factor

MEMBERSHIP_TYPES = {
    MemberStatus.ACTIVE: "active_member",
    MemberStatus.PENDING: "pending_member",
    MemberStatus.INVITED: "invited_member",
}
ELIGIBLE_BY_DOMAIN = "eligible_to_join_by_email_domain"


@dataclass(slots=True)
class DiscoveredOrganization:
    organization: Organization
    membership_type: str
    member: Member | None
    details: dict[str, Any] | None
    member_authenticated: bool
    primary_required: list[str] | None
    mfa_required: dict[str, Any] | None


@dataclass(slots=True)
class DiscoveryResult:
    intermediate_session_token: str
    email_address: str
    discovered_organizations: list[DiscoveredOrganization]
    intermediate_session_token_expires_at: datetime


def send(
    project: Project,
    *,
    email_address: str,
    discovery_redirect_url: str | None,
    pkce_code_challenge: str | None,
    discovery_expiration_minutes: int | None,
) -> None:
    validate_email(email_address)
    minutes = check_expiration(
        "discovery_expiration_minutes", discovery_expiration_minutes, DEFAULT_LINK_MINUTES
    )
    redirect = project.resolve_redirect_url(discovery_redirect_url)
    if is_sandbox(email_address):
        return  # 200, and no email (the sandbox values page)
    send_link(
        project,
        kind=MessageKind.DISCOVERY,
        email_address=email_address,
        redirect_url=redirect,
        minutes=minutes,
        pkce_code_challenge=pkce_code_challenge,
    )


def authenticate(
    project: Project, *, discovery_magic_links_token: str, pkce_code_verifier: str | None
) -> DiscoveryResult:
    if discovery_magic_links_token == SANDBOX_TOKEN_OK:
        sandbox_member(project)
        email = SANDBOX_EMAIL
    else:
        token = consume(
            project, discovery_magic_links_token, (MessageKind.DISCOVERY,), pkce_code_verifier
        )
        email = token.email_address
    # The factor's email id is replaced by the member's own once it lands in a session
    # (login.log_in); an intermediate session is not tied to a member yet.
    factor = magic_link_factor(email, new_id("email", project.env), project.now())
    ist = new_intermediate_session(project, email, [factor])
    return DiscoveryResult(
        intermediate_session_token=ist.token,
        email_address=email,
        discovered_organizations=discover(project, email, [factor], include_eligible=True),
        intermediate_session_token_expires_at=ist.expires_at,
    )


def discover(
    project: Project, email: str, factors: list[AuthenticationFactor], *, include_eligible: bool
) -> list[DiscoveredOrganization]:
    """Memberships of ``email`` (active, pending, invited), then, when ``include_eligible``,
    organizations it may join by email domain; ordered by organization creation."""
    found = []
    member_orgs = set()
    for member in project.members.live_with_email(email):
        org = project.organizations.get_by_id(member.organization_id)
        member_orgs.add(org.organization_id)
        found.append(_entry(project, org, MEMBERSHIP_TYPES[member.status], member, None, factors))
    if include_eligible:
        for org in eligible_by_domain(project, email):
            if org.organization_id not in member_orgs:
                found.append(
                    _entry(
                        project,
                        org,
                        ELIGIBLE_BY_DOMAIN,
                        None,
                        {"domain": email_domain(email)},
                        factors,
                    )
                )
    if len(found) > 1:
        found.sort(key=lambda d: project.organizations.position(d.organization.organization_id))
    return found


def _entry(
    project: Project,
    org: Organization,
    membership_type: str,
    member: Member | None,
    details: dict[str, Any] | None,
    factors: list[AuthenticationFactor],
) -> DiscoveredOrganization:
    primary = primary_methods_missing(org, member, factors)
    mfa = mfa_needed(org, member)
    return DiscoveredOrganization(
        organization=org,
        membership_type=membership_type,
        member=member,
        details=details,
        member_authenticated=primary is None and mfa is None,
        primary_required=primary,
        mfa_required=mfa,
    )


def eligible_by_domain(project: Project, email: str) -> list[Organization]:
    """Organizations that would JIT-provision ``email`` (``eligible_to_join_by_email_domain``,
    https://stytch.com/docs/b2b/api/discovered-organization-object): JIT ``RESTRICTED``,
    the domain in ``email_allowed_domains``, and at least one member with a verified email on
    that domain already (Stytch's anti-phishing rule)."""
    domain = email_domain(email)
    orgs = []
    for org in project.organizations.with_allowed_domain(domain):
        if org.email_jit_provisioning == "RESTRICTED" and _has_verified_member(
            project, org, domain
        ):
            orgs.append(org)
    return orgs


def _has_verified_member(project: Project, org: Organization, domain: str) -> bool:
    suffix = "@" + domain
    return any(
        m.email_address_verified
        and m.status != MemberStatus.DELETED
        and m.email_address.lower().endswith(suffix)
        for m in project.members.of_organization(org.organization_id)
    )


def list_organizations(
    project: Project,
    *,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
) -> tuple[str, list[DiscoveredOrganization], str | None]:
    """By exactly one of an IST, a session token or a session JWT; consumes nothing."""
    given = [v for v in (intermediate_session_token, session_token, session_jwt) if v is not None]
    if len(given) > 1:
        raise errors.too_many_session_arguments()
    if not given:
        raise errors.no_session_arguments(intermediate=True)
    if intermediate_session_token is not None:
        ist = get_intermediate_session(project, intermediate_session_token)
        return (
            ist.email_address,
            discover(project, ist.email_address, ist.authentication_factors, include_eligible=True),
            ist.organization_id_hint,
        )
    session = get_session(project, session_token=session_token, session_jwt=session_jwt)
    member = project.members.get_by_id(session.member_id)
    return (
        member.email_address,
        discover(
            project, member.email_address, session.authentication_factors, include_eligible=False
        ),
        None,
    )


def exchange(
    project: Project,
    *,
    intermediate_session_token: str,
    organization_id: str,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
) -> AuthResult:
    """Join an organization the IST qualifies for: an existing membership (an invitation is
    accepted, a pending member activated) or JIT provisioning by email domain."""
    check_duration(session_duration_minutes)
    check_custom_claims(session_custom_claims)
    ist = get_intermediate_session(project, intermediate_session_token)
    org = project.organizations.get(organization_id)
    email = ist.email_address
    member = project.members.find_by_email(org.organization_id, email)
    if member is None:
        _check_jit(project, org, email)
        member = add_member(
            project, org, email, status=MemberStatus.ACTIVE, email_address_verified=True
        )
    else:
        activate(project, member)
    return log_in(
        project,
        member,
        org,
        ist.authentication_factors,
        duration_minutes=session_duration_minutes,
        custom_claims=session_custom_claims,
        intermediate_session=ist,
    )


def _check_jit(project: Project, org: Organization, email: str) -> None:
    if org.email_jit_provisioning != "RESTRICTED":
        raise errors.email_jit_provisioning_not_allowed()
    domain = email_domain(email)
    if domain not in org.email_allowed_domains or not _has_verified_member(project, org, domain):
        raise errors.invalid_email_for_jit_provisioning()


def create(
    project: Project,
    *,
    intermediate_session_token: str,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    organization_name: str | None,
    organization_slug: str | None,
    **organization_fields: Any,
) -> AuthResult:
    """A new organization with the IST's email as its first member (``stytch_admin``)."""
    check_duration(session_duration_minutes)
    check_custom_claims(session_custom_claims)
    ist = get_intermediate_session(project, intermediate_session_token)
    email = ist.email_address
    if project.organizations.with_claimed_domain(email_domain(email)):
        raise errors.action_not_allowed_email_domain_is_claimed()
    derived_name, derived_slug = derive_name_and_slug(email)
    if organization_slug is None:
        # The SDK docstring: without a slug, one is made from the email, like the name.
        organization_slug = unique_slug(project, derived_slug)
    org = create_organization(
        project,
        organization_name=derived_name if organization_name is None else organization_name,
        organization_slug=organization_slug,
        **organization_fields,
    )
    member = add_member(
        project,
        org,
        email,
        status=MemberStatus.ACTIVE,
        email_address_verified=True,
        roles=[STYTCH_ADMIN],
    )
    return log_in(
        project,
        member,
        org,
        ist.authentication_factors,
        duration_minutes=session_duration_minutes,
        custom_claims=session_custom_claims,
        intermediate_session=ist,
    )
