"""Bodies of the frontend SDK's ``/sdk/v1`` routes where they differ from the backend API's.

The browser never sends a session token in a body (it travels as the Basic password) and takes
the intermediate session token from its cookie, so it may be missing; organization-scoped
calls name no organization (it is the session's). Request options and response types as in
https://github.com/stytchauth/stytch-browser/blob/main/packages/core/src/public/b2b and
https://github.com/stytchauth/stytch-browser/blob/main/packages/core/src/HeadlessClients/b2b.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from .objects import ActiveSSOConnectionObject, MemberObject, PolicyObject
from .requests import JSONBody, Locale, Metadata, OrganizationSettings, SearchQuery
from .responses import ResponseBase

# --- requests ---------------------------------------------------------------------------


class DiscoveredOrganizationsRequest(JSONBody):
    intermediate_session_token: str | None = None


class IntermediateSessionExchangeRequest(JSONBody):
    organization_id: str
    session_duration_minutes: int | None = None
    locale: Locale | None = None
    intermediate_session_token: str | None = None


class DiscoveryCreateRequest(OrganizationSettings):
    session_duration_minutes: int | None = None
    organization_name: str | None = None
    organization_slug: str | None = None
    intermediate_session_token: str | None = None


class MagicLinkAuthenticateRequest(JSONBody):
    magic_links_token: str
    session_duration_minutes: int | None = None
    pkce_code_verifier: str | None = None
    locale: Locale | None = None
    intermediate_session_token: str | None = None


class InviteRequest(JSONBody):
    email_address: str
    invite_redirect_url: str | None = None
    invite_template_id: str | None = None
    name: str | None = None
    untrusted_metadata: Metadata | None = None
    locale: Locale | None = None
    roles: list[str] | None = None


class SessionAuthenticateRequest(JSONBody):
    session_duration_minutes: int | None = None


class SessionExchangeRequest(JSONBody):
    organization_id: str
    session_duration_minutes: int | None = None
    locale: Locale | None = None


class OrganizationBySlugRequest(JSONBody):
    organization_slug: str


class MemberSearchRequest(JSONBody):
    cursor: str | None = None
    limit: int | None = None
    query: SearchQuery | None = None


class SelfUpdateRequest(JSONBody):
    """``self.update``: what a member may change about itself."""

    name: str | None = None
    untrusted_metadata: Metadata | None = None
    mfa_enrolled: bool | None = None
    mfa_phone_number: str | None = None
    default_mfa_method: str | None = None


# --- responses --------------------------------------------------------------------------


class CaptchaSettingsObject(BaseModel):
    enabled: bool


class PasswordConfigObject(BaseModel):
    luds_complexity: int
    luds_minimum_count: int


class BootstrapResponse(ResponseBase):
    """``GET /sdk/v1/projects/bootstrap/{public_token}`` (``RawBootstrapData`` in
    https://github.com/stytchauth/stytch-browser/blob/main/packages/web/src/BootstrapDataManager.ts)."""

    project_name: str
    disable_sdk_watermark: bool
    cname_domain: str | None
    email_domains: list[str]
    captcha_settings: CaptchaSettingsObject
    pkce_required_for_email_magic_links: bool
    pkce_required_for_password_resets: bool
    pkce_required_for_oauth: bool
    pkce_required_for_sso: bool
    slug_pattern: str | None
    create_organization_enabled: bool
    password_config: PasswordConfigObject | None
    dfp_protected_auth_enabled: bool
    dfp_protected_auth_mode: str | None
    rbac_policy: PolicyObject
    siwe_required_for_crypto_wallets: bool
    vertical: str


class SelfResponse(ResponseBase):
    member: MemberObject


class OrganizationBySlugMatchObject(BaseModel):
    """``OrganizationBySlugMatch``: the part of an organization a login page may see before
    anyone logs in."""

    model_config = ConfigDict(from_attributes=True)

    organization_id: str
    organization_name: str
    organization_logo_url: str
    organization_slug: str
    sso_active_connections: list[ActiveSSOConnectionObject]
    sso_default_connection_id: str | None = None
    email_jit_provisioning: str
    email_allowed_domains: list[str]
    oauth_tenant_jit_provisioning: str
    allowed_oauth_tenants: dict[str, Any] | None = None
    auth_methods: str
    allowed_auth_methods: list[str]
    mfa_policy: str


class OrganizationBySlugResponse(ResponseBase):
    organization: OrganizationBySlugMatchObject | None
