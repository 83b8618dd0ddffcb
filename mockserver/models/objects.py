"""Stytch's B2B objects on the wire, field for field as the official Python SDK models them
(``stytch/b2b/models/organizations.py``, ``sessions.py``, ``discovery.py``, ``mfa.py`` and
``stytch/consumer/models/sessions.py`` of stytch 15.3.0; the Node SDK's types agree,
stytch-b2b-api.md §2). Required there is required here; nothing is added.

They read the domain's dataclasses by attribute (``from_attributes``), and render with
``exclude_none``: an absent optional field parses exactly like ``null`` in both SDKs, and
Stytch's published OpenAPI declares no field nullable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ActiveSSOConnection(WireModel):
    connection_id: str
    display_name: str
    identity_provider: str


class ActiveSCIMConnection(WireModel):
    connection_id: str
    display_name: str
    bearer_token_last_four: str
    bearer_token_expires_at: datetime | None = None


class EmailImplicitRoleAssignment(WireModel):
    domain: str
    role_id: str


class CustomRolePermission(WireModel):
    resource_id: str
    actions: list[str]


class CustomRole(WireModel):
    role_id: str
    description: str
    permissions: list[CustomRolePermission]


class Organization(WireModel):
    organization_id: str
    organization_name: str
    organization_logo_url: str
    organization_slug: str
    sso_jit_provisioning: str
    sso_jit_provisioning_allowed_connections: list[str]
    sso_active_connections: list[ActiveSSOConnection]
    email_allowed_domains: list[str]
    email_jit_provisioning: str
    email_invites: str
    auth_methods: str
    allowed_auth_methods: list[str]
    mfa_policy: str
    rbac_email_implicit_role_assignments: list[EmailImplicitRoleAssignment]
    mfa_methods: str
    allowed_mfa_methods: list[str]
    oauth_tenant_jit_provisioning: str
    claimed_email_domains: list[str]
    first_party_connected_apps_allowed_type: str
    allowed_first_party_connected_apps: list[str]
    third_party_connected_apps_allowed_type: str
    allowed_third_party_connected_apps: list[str]
    custom_roles: list[CustomRole]
    trusted_metadata: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    organization_external_id: str | None = None
    sso_default_connection_id: str | None = None
    scim_active_connection: ActiveSCIMConnection | None = None
    allowed_oauth_tenants: dict[str, Any] | None = None


class SSORegistration(WireModel):
    connection_id: str
    external_id: str
    registration_id: str
    sso_attributes: dict[str, Any] | None = None


class OAuthRegistration(WireModel):
    provider_type: str
    provider_subject: str
    member_oauth_registration_id: str
    profile_picture_url: str | None = None
    locale: str | None = None


class RetiredEmail(WireModel):
    email_id: str
    email_address: str


class MemberRoleSource(WireModel):
    type: str
    details: dict[str, Any] | None = None


class MemberRole(WireModel):
    role_id: str
    sources: list[MemberRoleSource]


class Member(WireModel):
    organization_id: str
    member_id: str
    email_address: str
    status: str
    name: str
    sso_registrations: list[SSORegistration]
    is_breakglass: bool
    member_password_id: str
    oauth_registrations: list[OAuthRegistration]
    email_address_verified: bool
    mfa_phone_number_verified: bool
    is_admin: bool
    totp_registration_id: str
    retired_email_addresses: list[RetiredEmail]
    is_locked: bool
    mfa_enrolled: bool
    mfa_phone_number: str
    default_mfa_method: str
    roles: list[MemberRole]
    trusted_metadata: dict[str, Any] | None = None
    untrusted_metadata: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_id: str | None = None
    lock_created_at: datetime | None = None
    lock_expires_at: datetime | None = None


FactorType = Literal[
    "magic_link",
    "otp",
    "oauth",
    "webauthn",
    "totp",
    "crypto",
    "password",
    "signature_challenge",
    "sso",
    "imported",
    "recovery_codes",
    "email_otp",
    "impersonated",
    "trusted_auth_token",
]


class EmailFactor(WireModel):
    email_id: str
    email_address: str


class SSOFactor(WireModel):
    """``saml_sso_factor`` / ``oidc_sso_factor`` (SAMLSSOFactor, OIDCSSOFactor)."""

    id: str
    provider_id: str
    external_id: str


class AuthenticationFactor(WireModel):
    type: FactorType
    delivery_method: str
    last_authenticated_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    email_factor: EmailFactor | None = None
    saml_sso_factor: SSOFactor | None = None
    oidc_sso_factor: SSOFactor | None = None


class MemberSession(WireModel):
    member_session_id: str
    member_id: str
    started_at: datetime
    last_accessed_at: datetime
    expires_at: datetime
    authentication_factors: list[AuthenticationFactor]
    organization_id: str
    roles: list[str]
    organization_slug: str
    custom_claims: dict[str, Any] | None = None


class PrimaryRequired(WireModel):
    allowed_auth_methods: list[str]


class MfaMemberOptions(WireModel):
    mfa_phone_number: str
    totp_registration_id: str


class MfaRequired(WireModel):
    member_options: MfaMemberOptions | None = None
    secondary_auth_initiated: str | None = None


class Membership(WireModel):
    type: str
    details: dict[str, Any] | None = None
    member: Member | None = None


class DiscoveredOrganization(WireModel):
    member_authenticated: bool
    organization: Organization | None = None
    membership: Membership | None = None
    primary_required: PrimaryRequired | None = None
    mfa_required: MfaRequired | None = None


class ResultsMetadata(WireModel):
    total: int
    next_cursor: str | None = None


class JWK(WireModel):
    kty: str
    use: str
    key_ops: list[str]
    alg: str
    kid: str
    x5c: list[str]
    x5tS256: str
    n: str
    e: str


class AuthorizationVerdict(WireModel):
    authorized: bool
    granting_roles: list[str]


class PolicyPermission(WireModel):
    resource_id: str
    actions: list[str]


class PolicyRole(WireModel):
    role_id: str
    description: str
    permissions: list[PolicyPermission]


class PolicyResource(WireModel):
    resource_id: str
    description: str
    actions: list[str]


class PolicyScope(WireModel):
    scope: str
    description: str
    permissions: list[PolicyPermission]


class Policy(WireModel):
    roles: list[PolicyRole]
    resources: list[PolicyResource]
    scopes: list[PolicyScope]


class OrgPolicy(WireModel):
    roles: list[PolicyRole]
