"""OAuth factors: what a login with Google, Microsoft, GitHub, Slack or HubSpot adds to a
session, and what it proves about the member.

Rules from the Python SDK's docstrings (``stytch/b2b/models/discovery.py``,
``stytch/consumer/models/sessions.py`` ``AuthenticationFactor``; README "OAuth offline"):

- Google (only with a hosted domain, the ``hd`` claim) and Microsoft verify the email address
  in real time; GitHub, Slack, HubSpot and Google without ``hd`` do not.
- A member whose email is not verified, logging in with nothing but such a non-verifying OAuth
  factor, must complete a primary step-up (``primary_required``) with a method that does verify
  the email, unless the OAuth tenant (Slack workspace, HubSpot hub, GitHub organization) is one
  the organization allows (``allowed_oauth_tenants``, ``oauth_tenant_jit_provisioning``).
- The member gains an ``oauth_registrations`` entry on its first login with a provider identity.

Kept apart from domain/oauth.py so that login.py and discovery.py can use it without a cycle.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..ids import new_id
from .entities import AuthenticationFactor, Member, Organization

if TYPE_CHECKING:  # the project's OAuth stores use this module
    from .project import Project


class OAuthProvider(StrEnum):
    """The B2B OAuth providers (``B2BOAuthProviders`` in stytchauth/stytch-browser)."""

    GOOGLE = "google"
    MICROSOFT = "microsoft"
    HUBSPOT = "hubspot"
    SLACK = "slack"
    GITHUB = "github"


# provider_type as Stytch spells it in responses and registrations ([chosen] for all but
# Slack, the one a docs sample shows; the docstring says "e.g. Google, Microsoft, GitHub").
PROVIDER_TYPES = {
    OAuthProvider.GOOGLE: "Google",
    OAuthProvider.MICROSOFT: "Microsoft",
    OAuthProvider.HUBSPOT: "HubSpot",
    OAuthProvider.SLACK: "Slack",
    OAuthProvider.GITHUB: "GitHub",
}

# Providers whose identities carry tenant ids (allowed_oauth_tenants keys).
TENANT_PROVIDERS = frozenset({OAuthProvider.SLACK, OAuthProvider.HUBSPOT, OAuthProvider.GITHUB})

# The allowed_auth_methods entry an OAuth factor satisfies (also once exchanged).
AUTH_METHODS = {f"oauth_{p.value}": f"{p.value}_oauth" for p in OAuthProvider} | {
    f"oauth_exchange_{p.value}": f"{p.value}_oauth" for p in OAuthProvider
}

# [chosen] What a step-up may use: the email-verifying methods, in the order of Stytch's docs
# sample for a Slack JIT attempt (https://stytch.com/docs/multi-tenant-auth/manage-sessions/
# intermediate-sessions/step-up), with "sso" only when the organization has a connection.
STEP_UP_METHODS = ["microsoft_oauth", "email_otp", "magic_link", "google_oauth"]


def provider_of(factor: AuthenticationFactor) -> OAuthProvider | None:
    if factor.type != "oauth" or not factor.delivery_method.startswith("oauth_"):
        return None
    try:
        return OAuthProvider(factor.delivery_method[6:])
    except ValueError:
        return None


def verifies_email(provider: OAuthProvider, hosted_domain: str | None) -> bool:
    return provider is OAuthProvider.MICROSOFT or (
        provider is OAuthProvider.GOOGLE and bool(hosted_domain)
    )


def oauth_factor(
    provider: OAuthProvider,
    provider_subject: str,
    now: datetime,
    *,
    email_verified: bool,
    tenant_ids: list[str],
) -> AuthenticationFactor:
    """A factor not yet tied to a member: its registration id and email id are filled in when
    it lands on one (:func:`attach`)."""
    return AuthenticationFactor(
        type="oauth",
        delivery_method=f"oauth_{provider.value}",
        created_at=now,
        last_authenticated_at=now,
        updated_at=now,
        oauth_factor={"id": "", "provider_subject": provider_subject},
        email_verified=email_verified,
        provider_tenant_ids=list(tenant_ids),
    )


def exchanged(factor: AuthenticationFactor, member: Member) -> AuthenticationFactor:
    """The factor as ``sessions.exchange`` carries it into ``member``'s organization: a
    non-verifying OAuth factor becomes ``oauth_exchange_<provider>`` naming the member's email
    (the SDK's ``AuthenticationFactor.delivery_method`` text); others are unchanged."""
    provider = provider_of(factor)
    if provider is None or factor.email_verified:
        return factor
    return replace(
        factor,
        delivery_method=f"oauth_exchange_{provider.value}",
        oauth_factor={"email_id": member.email_id},
        provider_tenant_ids=[],
    )


def attach(project: Project, member: Member, factor: AuthenticationFactor) -> AuthenticationFactor:
    """The factor as it lands on ``member``: the member gains its registration (first login
    with this identity) and the factor names it and the member's email; an email-verifying
    login marks the member's email verified."""
    provider = provider_of(factor)
    if provider is None or factor.oauth_factor is None:
        return factor
    subject = factor.oauth_factor["provider_subject"]
    registration = registration_for(member, provider, subject)
    if registration is None:
        registration = {
            "provider_type": PROVIDER_TYPES[provider],
            "provider_subject": subject,
            "member_oauth_registration_id": new_id("member-oauth-registration", project.env),
        }
        member.oauth_registrations.append(registration)
        member.updated_at = project.now()
    if factor.email_verified and not member.email_address_verified:
        member.email_address_verified = True
    return replace(
        factor,
        oauth_factor={
            "id": registration["member_oauth_registration_id"],
            "provider_subject": subject,
            "email_id": member.email_id,
        },
    )


def registration_for(
    member: Member, provider: OAuthProvider, subject: str
) -> dict[str, Any] | None:
    provider_type = PROVIDER_TYPES[provider]
    for registration in member.oauth_registrations:
        if (
            registration["provider_type"] == provider_type
            and registration["provider_subject"] == subject
        ):
            return registration
    return None


def tenant_allowed(org: Organization, factor: AuthenticationFactor) -> bool:
    """The factor proved an OAuth tenant this organization lets join (tenant JIT)."""
    provider = provider_of(factor)
    if provider is None or org.oauth_tenant_jit_provisioning != "RESTRICTED":
        return False
    allowed = org.allowed_oauth_tenants.get(provider.value) or ()
    return any(tenant in allowed for tenant in factor.provider_tenant_ids)


def tenant_match(org: Organization, factors: list[AuthenticationFactor]) -> str | None:
    """The first tenant id of ``factors`` that ``org`` allows, or None."""
    for factor in factors:
        if tenant_allowed(org, factor):
            allowed = org.allowed_oauth_tenants.get(factor.delivery_method[6:]) or ()
            return next(t for t in factor.provider_tenant_ids if t in allowed)
    return None


def email_proven(factors: list[AuthenticationFactor]) -> bool:
    """Whether ``factors`` prove the email address in real time: email links and codes, SSO,
    a password set through a reset email, OAuth from an email-verifying provider; not a
    returning password login nor GitHub, Slack or HubSpot OAuth (F-09 of the spec; the Python
    SDK's discovery ``organizations.create`` docstring)."""
    return any(f.email_verified for f in factors)


def step_up_needed(
    org: Organization, member: Member | None, factors: list[AuthenticationFactor]
) -> list[str] | None:
    """The methods of a primary step-up when the only proof is a login that does not verify the
    email: a non-verifying OAuth login of a member whose email is unverified, or a returning
    password or non-verifying OAuth login of someone about to join (``member`` None: JIT or
    creating an organization through discovery), and no allowed tenant vouches for it; else
    None."""
    if not factors or email_proven(factors):
        return None
    if member is not None and member.email_address_verified:
        return None
    if (
        member is not None
        and member.member_password_id
        and all(f.type == "password" for f in factors)
    ):
        # [chosen] A member signing in with its own password is not stepped up: Stytch
        # documents the step-up for joining or creating an organization with a returning
        # password login (a member JIT-created or created by it has no password of its own).
        return None
    if any(tenant_allowed(org, f) for f in factors):
        return None
    methods = (["sso"] if org.sso_active_connections else []) + STEP_UP_METHODS
    if org.auth_methods == "RESTRICTED":
        methods = [m for m in methods if m in org.allowed_auth_methods] or list(
            org.allowed_auth_methods
        )
    return methods


def eligible_by_tenant(
    project: Project, factors: list[AuthenticationFactor]
) -> list[tuple[Organization, str, str]]:
    """``(organization, provider, tenant)`` for each organization that would JIT-provision by
    an OAuth tenant of ``factors`` (``oauth_tenant_jit_provisioning = RESTRICTED`` and the
    tenant in ``allowed_oauth_tenants``), once each."""
    found: dict[str, tuple[Organization, str, str]] = {}
    for factor in factors:
        provider = provider_of(factor)
        if provider is None:
            continue
        for tenant in factor.provider_tenant_ids:
            for org in project.organizations.with_oauth_tenant(provider.value, tenant):
                if org.oauth_tenant_jit_provisioning == "RESTRICTED":
                    found.setdefault(org.organization_id, (org, provider.value, tenant))
    return list(found.values())
