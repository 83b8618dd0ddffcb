"""SSO on the wire: connection objects, request bodies and responses, field for field as the
Python SDK declares them (``stytch/b2b/models/sso.py``, ``sso_saml.py``, ``sso_oidc.py``,
``sso_external.py``, ``stytch/b2b/api/sso*.py`` of stytch 15.3.0). Nothing is added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .objects import (
    WireModel,
)
from .requests import JSONBody, Metadata, PrimaryAuthenticateFields, Query
from .responses import AuthResultResponse, ResponseBase

# --- objects ---------------------------------------------------------------------------------


class RoleAssignmentObject(WireModel):
    role_id: str


class GroupRoleAssignmentObject(WireModel):
    role_id: str
    group: str


class X509CertificateObject(WireModel):
    certificate_id: str
    certificate: str
    issuer: str
    created_at: datetime | None = None
    expires_at: datetime | None = None
    updated_at: datetime | None = None


class EncryptionPrivateKeyObject(WireModel):
    private_key_id: str
    private_key: str
    created_at: datetime | None = None


class SAMLConnectionObject(WireModel):
    organization_id: str
    connection_id: str
    status: str
    idp_entity_id: str
    display_name: str
    idp_sso_url: str
    acs_url: str
    audience_uri: str
    signing_certificates: list[X509CertificateObject]
    verification_certificates: list[X509CertificateObject]
    encryption_private_keys: list[EncryptionPrivateKeyObject]
    saml_connection_implicit_role_assignments: list[RoleAssignmentObject]
    saml_group_implicit_role_assignments: list[GroupRoleAssignmentObject]
    alternative_audience_uri: str
    identity_provider: str
    nameid_format: str
    alternative_acs_url: str
    idp_initiated_auth_disabled: bool
    allow_gateway_callback: bool
    attribute_mapping: dict[str, Any] | None = None


class OIDCConnectionObject(WireModel):
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


class ExternalConnectionObject(WireModel):
    organization_id: str
    connection_id: str
    external_organization_id: str
    external_connection_id: str
    display_name: str
    status: str
    external_connection_implicit_role_assignments: list[RoleAssignmentObject]
    external_group_implicit_role_assignments: list[GroupRoleAssignmentObject]


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


class SSOAuthenticateRequest(PrimaryAuthenticateFields):
    sso_token: str


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
    saml_connections: list[SAMLConnectionObject]
    oidc_connections: list[OIDCConnectionObject]
    external_connections: list[ExternalConnectionObject]


class DeleteConnectionResponse(ResponseBase):
    connection_id: str


class SAMLConnectionResponse(ResponseBase):
    connection: SAMLConnectionObject | None = None


class OIDCConnectionResponse(ResponseBase):
    connection: OIDCConnectionObject | None = None


class OIDCUpdateResponse(ResponseBase):
    connection: OIDCConnectionObject | None = None
    warning: str | None = None


class ExternalConnectionResponse(ResponseBase):
    connection: ExternalConnectionObject | None = None


class DeleteVerificationCertificateResponse(ResponseBase):
    certificate_id: str


class DeleteEncryptionPrivateKeyResponse(ResponseBase):
    private_key_id: str


class SSOAuthenticateResponse(AuthResultResponse):
    organization_id: str
    reset_session: bool
