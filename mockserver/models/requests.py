"""Request bodies, as the SDKs send them (the request parameters of the Python SDK's methods,
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/).

JSON bodies are parsed strictly (a string where Stytch takes an integer is a 400, not a
coercion). Unknown keys are ignored: the Python SDK repeats path parameters in the body, and
newer SDKs may send fields this mock does not model. Query strings (GET) are parsed leniently,
since every query value arrives as text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..clock import MAX_OFFSET_SECONDS


class JSONBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


Locale = str
Metadata = dict[str, Any]


# --- magic links ------------------------------------------------------------------------


class DiscoverySendRequest(JSONBody):
    email_address: str
    discovery_redirect_url: str | None = None
    pkce_code_challenge: str | None = None
    login_template_id: str | None = None
    locale: Locale | None = None
    discovery_expiration_minutes: int | None = None


class DiscoveryAuthenticateRequest(JSONBody):
    discovery_magic_links_token: str
    pkce_code_verifier: str | None = None


class LoginOrSignupRequest(JSONBody):
    organization_id: str
    email_address: str
    login_redirect_url: str | None = None
    signup_redirect_url: str | None = None
    pkce_code_challenge: str | None = None
    login_template_id: str | None = None
    signup_template_id: str | None = None
    locale: Locale | None = None
    login_expiration_minutes: int | None = None
    signup_expiration_minutes: int | None = None


class InviteRequest(JSONBody):
    organization_id: str
    email_address: str
    invite_redirect_url: str | None = None
    invited_by_member_id: str | None = None
    name: str | None = None
    trusted_metadata: Metadata | None = None
    untrusted_metadata: Metadata | None = None
    invite_template_id: str | None = None
    locale: Locale | None = None
    roles: list[str] | None = None
    invite_expiration_minutes: int | None = None


class PrimaryAuthenticateFields(JSONBody):
    """What a primary authenticate (magic link, SSO, ...) takes besides its credential; the
    SDKs declare the same fields on each (``login.arrival`` checks them)."""

    pkce_code_verifier: str | None = None
    session_token: str | None = None
    session_jwt: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    intermediate_session_token: str | None = None
    telemetry_id: str | None = None


class MagicLinkAuthenticateRequest(PrimaryAuthenticateFields):
    magic_links_token: str


# --- discovery --------------------------------------------------------------------------


class DiscoveredOrganizationsRequest(JSONBody):
    intermediate_session_token: str | None = None
    session_token: str | None = None
    session_jwt: str | None = None


class IntermediateSessionExchangeRequest(JSONBody):
    intermediate_session_token: str
    organization_id: str
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    telemetry_id: str | None = None


class EmailImplicitRoleAssignmentIn(JSONBody):
    domain: str
    role_id: str


class OrganizationSettings(JSONBody):
    """The settings fields organizations create, update and discovery create share."""

    organization_logo_url: str | None = None
    trusted_metadata: Metadata | None = None
    organization_external_id: str | None = None
    sso_jit_provisioning: str | None = None
    email_allowed_domains: list[str] | None = None
    email_jit_provisioning: str | None = None
    email_invites: str | None = None
    auth_methods: str | None = None
    allowed_auth_methods: list[str] | None = None
    mfa_policy: str | None = None
    rbac_email_implicit_role_assignments: list[EmailImplicitRoleAssignmentIn] | None = None
    mfa_methods: str | None = None
    allowed_mfa_methods: list[str] | None = None
    oauth_tenant_jit_provisioning: str | None = None
    allowed_oauth_tenants: Metadata | None = None
    first_party_connected_apps_allowed_type: str | None = None
    allowed_first_party_connected_apps: list[str] | None = None
    third_party_connected_apps_allowed_type: str | None = None
    allowed_third_party_connected_apps: list[str] | None = None


class DiscoveryCreateRequest(OrganizationSettings):
    intermediate_session_token: str
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    organization_name: str | None = None
    organization_slug: str | None = None
    telemetry_id: str | None = None


# --- organizations ----------------------------------------------------------------------


class OrganizationCreateRequest(OrganizationSettings):
    organization_name: str
    organization_slug: str | None = None
    claimed_email_domains: list[str] | None = None


class OrganizationUpdateRequest(OrganizationSettings):
    organization_name: str | None = None
    organization_slug: str | None = None
    claimed_email_domains: list[str] | None = None
    sso_default_connection_id: str | None = None
    sso_jit_provisioning_allowed_connections: list[str] | None = None


class SearchQuery(JSONBody):
    operator: Literal["AND", "OR"]
    operands: list[dict[str, Any]] = Field(default_factory=list)


class OrganizationSearchRequest(JSONBody):
    cursor: str | None = None
    limit: int | None = None
    query: SearchQuery | None = None


# --- members ----------------------------------------------------------------------------


class MemberCreateRequest(JSONBody):
    email_address: str
    name: str | None = None
    trusted_metadata: Metadata | None = None
    untrusted_metadata: Metadata | None = None
    create_member_as_pending: bool | None = None
    is_breakglass: bool | None = None
    mfa_phone_number: str | None = None
    mfa_enrolled: bool | None = None
    roles: list[str] | None = None
    external_id: str | None = None


class MemberGetQuery(Query):
    member_id: str | None = None
    email_address: str | None = None


class MemberUpdateRequest(JSONBody):
    name: str | None = None
    trusted_metadata: Metadata | None = None
    untrusted_metadata: Metadata | None = None
    is_breakglass: bool | None = None
    mfa_phone_number: str | None = None
    mfa_enrolled: bool | None = None
    roles: list[str] | None = None
    preserve_existing_sessions: bool | None = None
    default_mfa_method: str | None = None
    email_address: str | None = None
    external_id: str | None = None
    unlink_email: bool | None = None


class MemberSearchRequest(JSONBody):
    organization_ids: list[str]
    cursor: str | None = None
    limit: int | None = None
    query: SearchQuery | None = None


class DangerouslyGetQuery(Query):
    include_deleted: bool = False


# --- sessions ---------------------------------------------------------------------------


class AuthorizationCheckIn(JSONBody):
    organization_id: str
    resource_id: str
    action: str


class SessionAuthenticateRequest(JSONBody):
    session_token: str | None = None
    session_jwt: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    authorization_check: AuthorizationCheckIn | None = None


class SessionRevokeRequest(JSONBody):
    member_session_id: str | None = None
    session_token: str | None = None
    session_jwt: str | None = None
    member_id: str | None = None


class SessionExchangeRequest(JSONBody):
    organization_id: str
    session_token: str | None = None
    session_jwt: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    telemetry_id: str | None = None


class SessionsGetQuery(Query):
    organization_id: str
    member_id: str


# --- control API (/_mock) ---------------------------------------------------------------


class ClockAdvanceRequest(JSONBody):
    advance_seconds: float = Field(ge=0, le=MAX_OFFSET_SECONDS)


class OutboxQuery(Query):
    to: str | None = None
