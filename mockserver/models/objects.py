"""Stytch's B2B objects on the wire, field for field as the official Python SDK models them
(``stytch/b2b/models/organizations.py``, ``sessions.py``, ``discovery.py``, ``mfa.py`` and
``stytch/consumer/models/sessions.py`` of stytch 15.3.0,
https://github.com/stytchauth/stytch-python; the Node SDK's types agree). Required there is
required here; nothing is added.

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


class ActiveSSOConnectionObject(WireModel):
    connection_id: str
    display_name: str
    identity_provider: str


class ActiveSCIMConnectionObject(WireModel):
    connection_id: str
    display_name: str
    bearer_token_last_four: str
    bearer_token_expires_at: datetime | None = None


class EmailImplicitRoleAssignmentObject(WireModel):
    domain: str
    role_id: str


class CustomRolePermissionObject(WireModel):
    resource_id: str
    actions: list[str]


class CustomRoleObject(WireModel):
    role_id: str
    description: str
    permissions: list[CustomRolePermissionObject]


class OrganizationObject(WireModel):
    organization_id: str
    organization_name: str
    organization_logo_url: str
    organization_slug: str
    sso_jit_provisioning: str
    sso_jit_provisioning_allowed_connections: list[str]
    sso_active_connections: list[ActiveSSOConnectionObject]
    email_allowed_domains: list[str]
    email_jit_provisioning: str
    email_invites: str
    auth_methods: str
    allowed_auth_methods: list[str]
    mfa_policy: str
    rbac_email_implicit_role_assignments: list[EmailImplicitRoleAssignmentObject]
    mfa_methods: str
    allowed_mfa_methods: list[str]
    oauth_tenant_jit_provisioning: str
    claimed_email_domains: list[str]
    first_party_connected_apps_allowed_type: str
    allowed_first_party_connected_apps: list[str]
    third_party_connected_apps_allowed_type: str
    allowed_third_party_connected_apps: list[str]
    custom_roles: list[CustomRoleObject]
    trusted_metadata: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    organization_external_id: str | None = None
    sso_default_connection_id: str | None = None
    scim_active_connection: ActiveSCIMConnectionObject | None = None
    allowed_oauth_tenants: dict[str, Any] | None = None


class SSORegistrationObject(WireModel):
    connection_id: str
    external_id: str
    registration_id: str
    sso_attributes: dict[str, Any] | None = None


class SCIMRegistrationObject(WireModel):
    connection_id: str
    registration_id: str
    external_id: str | None = None
    scim_attributes: dict[str, Any] | None = None


class OAuthRegistrationObject(WireModel):
    provider_type: str
    provider_subject: str
    member_oauth_registration_id: str
    profile_picture_url: str | None = None
    locale: str | None = None


class RetiredEmailObject(WireModel):
    email_id: str
    email_address: str


class MemberRoleSourceObject(WireModel):
    type: str
    details: dict[str, Any] | None = None


class MemberRoleObject(WireModel):
    role_id: str
    sources: list[MemberRoleSourceObject]


class MemberObject(WireModel):
    organization_id: str
    member_id: str
    email_address: str
    status: str
    name: str
    sso_registrations: list[SSORegistrationObject]
    is_breakglass: bool
    member_password_id: str
    oauth_registrations: list[OAuthRegistrationObject]
    email_address_verified: bool
    mfa_phone_number_verified: bool
    is_admin: bool
    totp_registration_id: str
    retired_email_addresses: list[RetiredEmailObject]
    is_locked: bool
    mfa_enrolled: bool
    mfa_phone_number: str
    default_mfa_method: str
    roles: list[MemberRoleObject]
    trusted_metadata: dict[str, Any] | None = None
    untrusted_metadata: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_id: str | None = None
    lock_created_at: datetime | None = None
    lock_expires_at: datetime | None = None
    scim_registration: SCIMRegistrationObject | None = None


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


class EmailFactorObject(WireModel):
    email_id: str
    email_address: str


class OAuthFactorObject(WireModel):
    """``GoogleOAuthFactor``, ``MicrosoftOAuthFactor``, ``GithubOAuthFactor``,
    ``SlackOAuthFactor`` and ``HubspotOAuthFactor`` in the SDK: all the same three fields."""

    id: str
    provider_subject: str
    email_id: str | None = None


class OAuthExchangeFactorObject(WireModel):
    """``GoogleOAuthExchangeFactor``, ``GithubOAuthExchangeFactor``, ``SlackOAuthExchangeFactor``,
    ``HubspotOAuthExchangeFactor`` in the SDK."""

    email_id: str


class PhoneNumberFactorObject(WireModel):
    phone_id: str
    phone_number: str


class AuthenticatorAppFactorObject(WireModel):
    totp_id: str


class RecoveryCodeFactorObject(WireModel):
    totp_recovery_code_id: str


class SSOFactorObject(WireModel):
    """``saml_sso_factor`` / ``oidc_sso_factor`` (SAMLSSOFactor, OIDCSSOFactor)."""

    id: str
    provider_id: str
    external_id: str


class ImpersonatedFactorObject(WireModel):
    impersonator_id: str
    impersonator_email_address: str


class AuthenticationFactorObject(WireModel):
    type: FactorType
    delivery_method: str
    last_authenticated_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    email_factor: EmailFactorObject | None = None
    google_oauth_factor: OAuthFactorObject | None = None
    microsoft_oauth_factor: OAuthFactorObject | None = None
    github_oauth_factor: OAuthFactorObject | None = None
    slack_oauth_factor: OAuthFactorObject | None = None
    hubspot_oauth_factor: OAuthFactorObject | None = None
    google_oauth_exchange_factor: OAuthExchangeFactorObject | None = None
    github_oauth_exchange_factor: OAuthExchangeFactorObject | None = None
    slack_oauth_exchange_factor: OAuthExchangeFactorObject | None = None
    hubspot_oauth_exchange_factor: OAuthExchangeFactorObject | None = None
    phone_number_factor: PhoneNumberFactorObject | None = None
    authenticator_app_factor: AuthenticatorAppFactorObject | None = None
    recovery_code_factor: RecoveryCodeFactorObject | None = None
    saml_sso_factor: SSOFactorObject | None = None
    oidc_sso_factor: SSOFactorObject | None = None
    impersonated_factor: ImpersonatedFactorObject | None = None


class MemberSessionObject(WireModel):
    member_session_id: str
    member_id: str
    started_at: datetime
    last_accessed_at: datetime
    expires_at: datetime
    authentication_factors: list[AuthenticationFactorObject]
    organization_id: str
    roles: list[str]
    organization_slug: str
    custom_claims: dict[str, Any] | None = None


class PrimaryRequiredObject(WireModel):
    allowed_auth_methods: list[str]


class MfaMemberOptionsObject(WireModel):
    mfa_phone_number: str
    totp_registration_id: str


class MfaRequiredObject(WireModel):
    member_options: MfaMemberOptionsObject | None = None
    secondary_auth_initiated: str | None = None


class MembershipObject(WireModel):
    type: str
    details: dict[str, Any] | None = None
    member: MemberObject | None = None


class DiscoveredOrganizationObject(WireModel):
    member_authenticated: bool
    organization: OrganizationObject | None = None
    membership: MembershipObject | None = None
    primary_required: PrimaryRequiredObject | None = None
    mfa_required: MfaRequiredObject | None = None


class ResultsMetadataObject(WireModel):
    total: int
    next_cursor: str | None = None


class JWKObject(WireModel):
    kty: str
    use: str
    key_ops: list[str]
    alg: str
    kid: str
    x5c: list[str]
    x5tS256: str
    n: str
    e: str


class AuthorizationVerdictObject(WireModel):
    authorized: bool
    granting_roles: list[str]


class PolicyPermissionObject(WireModel):
    resource_id: str
    actions: list[str]


class PolicyRoleObject(WireModel):
    role_id: str
    description: str
    permissions: list[PolicyPermissionObject]


class PolicyResourceObject(WireModel):
    resource_id: str
    description: str
    actions: list[str]


class PolicyScopeObject(WireModel):
    scope: str
    description: str
    permissions: list[PolicyPermissionObject]


class PolicyObject(WireModel):
    roles: list[PolicyRoleObject]
    resources: list[PolicyResourceObject]
    scopes: list[PolicyScopeObject]


class OrgPolicyObject(WireModel):
    roles: list[PolicyRoleObject]
