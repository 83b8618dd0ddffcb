"""SSO on the wire: connection objects, request bodies and responses, field for field as the
Python SDK declares them (``stytch/b2b/models/sso.py``, ``sso_saml.py``, ``sso_oidc.py``,
``sso_external.py``, ``stytch/b2b/api/sso*.py`` of stytch 15.3.0). Nothing is added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .objects import Member, MemberSession, MfaRequired, Organization, PrimaryRequired, WireModel
from .requests import JSONBody, Locale, Metadata, Query
from .responses import ResponseBase

# --- objects ---------------------------------------------------------------------------------


class RoleAssignment(WireModel):
    role_id: str


class GroupRoleAssignment(WireModel):
    role_id: str
    group: str


class X509Certificate(WireModel):
    certificate_id: str
    certificate: str
    issuer: str
    created_at: datetime | None = None
    expires_at: datetime | None = None
    updated_at: datetime | None = None


class EncryptionPrivateKey(WireModel):
    private_key_id: str
    private_key: str
    created_at: datetime | None = None


class SAMLConnection(WireModel):
    organization_id: str
    connection_id: str
    status: str
    idp_entity_id: str
    display_name: str
    idp_sso_url: str
    acs_url: str
    audience_uri: str
    signing_certificates: list[X509Certificate]
    verification_certificates: list[X509Certificate]
    encryption_private_keys: list[EncryptionPrivateKey]
    saml_connection_implicit_role_assignments: list[RoleAssignment]
    saml_group_implicit_role_assignments: list[GroupRoleAssignment]
    alternative_audience_uri: str
    identity_provider: str
    nameid_format: str
    alternative_acs_url: str
    idp_initiated_auth_disabled: bool
    allow_gateway_callback: bool
    attribute_mapping: dict[str, Any] | None = None


class OIDCConnection(WireModel):
    organization_id: str
    connection_id: str
    status: str
    display_name: str
    redirect_url: str
    client_id: str
    client_secret: str
    issuer: str
    authorization_url: str
    token_url: str
    userinfo_url: str
    jwks_url: str
    identity_provider: str
    custom_scopes: str
    attribute_mapping: dict[str, Any] | None = None


class ExternalConnection(WireModel):
    organization_id: str
    connection_id: str
    external_organization_id: str
    external_connection_id: str
    display_name: str
    status: str
    external_connection_implicit_role_assignments: list[RoleAssignment]
    external_group_implicit_role_assignments: list[GroupRoleAssignment]


# --- requests --------------------------------------------------------------------------------


class CreateConnectionRequest(JSONBody):
    """SAML and OIDC create."""

    display_name: str | None = None
    identity_provider: str | None = None


class SAMLUpdateRequest(JSONBody):
    idp_entity_id: str | None = None
    display_name: str | None = None
    attribute_mapping: Metadata | None = None
    x509_certificate: str | None = None
    idp_sso_url: str | None = None
    saml_connection_implicit_role_assignments: list[Metadata] | None = None
    saml_group_implicit_role_assignments: list[Metadata] | None = None
    alternative_audience_uri: str | None = None
    identity_provider: str | None = None
    signing_private_key: str | None = None
    nameid_format: str | None = None
    alternative_acs_url: str | None = None
    idp_initiated_auth_disabled: bool | None = None
    saml_encryption_private_key: str | None = None
    allow_gateway_callback: bool | None = None


class SAMLUpdateByURLRequest(JSONBody):
    metadata_url: str


class OIDCUpdateRequest(JSONBody):
    display_name: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    issuer: str | None = None
    authorization_url: str | None = None
    token_url: str | None = None
    userinfo_url: str | None = None
    jwks_url: str | None = None
    identity_provider: str | None = None
    custom_scopes: str | None = None
    attribute_mapping: Metadata | None = None


class ExternalCreateRequest(JSONBody):
    external_organization_id: str
    external_connection_id: str
    display_name: str | None = None
    connection_implicit_role_assignments: list[Metadata] | None = None
    group_implicit_role_assignments: list[Metadata] | None = None


class ExternalUpdateRequest(JSONBody):
    display_name: str | None = None
    external_connection_implicit_role_assignments: list[Metadata] | None = None
    external_group_implicit_role_assignments: list[Metadata] | None = None


class SSOAuthenticateRequest(JSONBody):
    sso_token: str
    pkce_code_verifier: str | None = None
    session_token: str | None = None
    session_jwt: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    intermediate_session_token: str | None = None
    telemetry_id: str | None = None


class SSOStartQuery(Query):
    """``GET /v1/public/sso/start`` (Stytch's "Start SSO" page and the frontend SDK's
    ``sso.start``)."""

    public_token: str | None = None
    connection_id: str | None = None
    organization_id: str | None = None
    login_redirect_url: str | None = None
    signup_redirect_url: str | None = None
    pkce_code_challenge: str | None = None
    custom_scopes: str | None = None


# --- responses -------------------------------------------------------------------------------


class GetConnectionsResponse(ResponseBase):
    saml_connections: list[SAMLConnection]
    oidc_connections: list[OIDCConnection]
    external_connections: list[ExternalConnection]


class DeleteConnectionResponse(ResponseBase):
    connection_id: str


class SAMLConnectionResponse(ResponseBase):
    connection: SAMLConnection | None = None


class OIDCConnectionResponse(ResponseBase):
    connection: OIDCConnection | None = None


class OIDCUpdateResponse(ResponseBase):
    connection: OIDCConnection | None = None
    warning: str | None = None


class ExternalConnectionResponse(ResponseBase):
    connection: ExternalConnection | None = None


class DeleteVerificationCertificateResponse(ResponseBase):
    certificate_id: str


class DeleteEncryptionPrivateKeyResponse(ResponseBase):
    private_key_id: str


class SSOAuthenticateResponse(ResponseBase):
    member_id: str
    organization_id: str
    member: Member
    session_token: str
    session_jwt: str
    reset_session: bool
    organization: Organization
    intermediate_session_token: str
    member_authenticated: bool
    member_session: MemberSession | None = None
    mfa_required: MfaRequired | None = None
    primary_required: PrimaryRequired | None = None
    intermediate_session_token_expires_at: datetime | None = None
