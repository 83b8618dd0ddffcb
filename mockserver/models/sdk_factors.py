"""Bodies of the frontend SDK's factor routes (``/sdk/v1/b2b/passwords``, ``otps``, ``totp``,
``recovery_codes``, ``oauth``, ``sso``) and of its SSO and SCIM connection management where
they differ from the backend API's: no session token or JWT in the body (the session travels as
the Basic password) and the intermediate session token read from the SDK's cookie, so possibly
missing. Field for field as the headless clients send them
(https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b:
``HeadlessB2BPasswordsClient.ts``, ``HeadlessB2BOTPsClient.ts``, ``HeadlessB2BTOTPsClient.ts``,
``HeadlessB2BRecoveryCodesClient.ts``, ``HeadlessB2BOAuthClient.ts``,
``HeadlessB2BSSOClient.ts``, ``HeadlessB2BSCIMClient.ts``); what the mock does not use
(``captcha_token``, ``dfp_telemetry_id``) is ignored like any unknown field."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from . import scim, sso
from .mfa import MfaEnrollment
from .objects import ActiveSSOConnectionObject, WireModel
from .requests import JSONBody, Locale, Query
from .responses import ResponseBase

# --- passwords ----------------------------------------------------------------------------


class PasswordAuthenticateRequest(JSONBody):
    organization_id: str
    email_address: str
    password: str
    session_duration_minutes: int | None = None
    locale: Locale | None = None
    code_verifier: str | None = None
    intermediate_session_token: str | None = None


class PasswordEmailResetRequest(JSONBody):
    password_reset_token: str
    password: str
    session_duration_minutes: int | None = None
    locale: Locale | None = None
    code_verifier: str | None = None
    intermediate_session_token: str | None = None


class ExistingPasswordResetRequest(JSONBody):
    organization_id: str
    email_address: str
    existing_password: str
    new_password: str
    locale: Locale | None = None
    session_duration_minutes: int | None = None


class PasswordSessionResetRequest(JSONBody):
    password: str


# --- one-time codes, TOTP, recovery codes ---------------------------------------------------


class _MfaProof(JSONBody):
    organization_id: str
    member_id: str
    intermediate_session_token: str | None = None


class SmsSendRequest(_MfaProof):
    mfa_phone_number: str | None = None
    locale: Locale | None = None


class SmsAuthenticateRequest(_MfaProof):
    code: str
    session_duration_minutes: int | None = None
    set_mfa_enrollment: MfaEnrollment | None = None


class EmailAuthenticateRequest(JSONBody):
    organization_id: str
    email_address: str
    code: str
    session_duration_minutes: int | None = None
    locale: Locale | None = None
    intermediate_session_token: str | None = None


class TotpCreateRequest(_MfaProof):
    expiration_minutes: int | None = None


class TotpAuthenticateRequest(_MfaProof):
    code: str
    session_duration_minutes: int | None = None
    set_mfa_enrollment: MfaEnrollment | None = None
    set_default_mfa: bool | None = None


class RecoverRequest(_MfaProof):
    recovery_code: str
    session_duration_minutes: int | None = None


class SdkRecoveryCodesResponse(ResponseBase):
    """``RecoveryCodeGetResponse`` / ``RecoveryCodeRotateResponse``: the codes alone (the
    member and organization are the session's)."""

    recovery_codes: list[str]


# --- OAuth and SSO (the browser's half after the start redirect) ----------------------------


class _BrowserPrimaryAuthenticate(JSONBody):
    """What the SDK adds to an OAuth or SSO token: the PKCE verifier it kept since the start
    redirect, the intermediate session token from its cookie, the session length."""

    pkce_code_verifier: str | None = None
    session_duration_minutes: int | None = None
    locale: Locale | None = None
    intermediate_session_token: str | None = None


class OAuthAuthenticateRequest(_BrowserPrimaryAuthenticate):
    oauth_token: str


class OAuthDiscoveryAuthenticateRequest(JSONBody):
    discovery_oauth_token: str
    pkce_code_verifier: str | None = None


class SSOAuthenticateRequest(_BrowserPrimaryAuthenticate):
    sso_token: str


# --- SSO and SCIM connection management (the admin portal's calls) --------------------------
# Where the body is the backend's (create, update), the backend model serves: the SDK's extra
# ``connection_id`` is the path's and is ignored like any unknown field.


class SSODiscoverConnectionsQuery(Query):
    email_address: str


class SSODiscoverConnectionsResponse(ResponseBase):
    """``B2BSSODiscoverConnectionsResponse``."""

    connections: list[ActiveSSOConnectionObject]


class SCIMGetGroupsRequest(JSONBody):
    """``B2BSCIMGetConnectionGroupsOptions``: the session's organization's connection is
    meant."""

    limit: int | None = None
    cursor: str | None = None


class SCIMRotateRequest(JSONBody):
    """``rotateStart`` / ``rotateComplete`` / ``rotateCancel``."""

    connection_id: str


# Connection objects as the SDK's types declare them (``SAMLConnection`` in
# ``packages/core/src/public/b2b/common.ts``, ``SCIMConnection*`` in ``scim.ts``) where they
# differ from the backend's: the SAML connection lists its encryption keys as
# ``saml_encryption_private_keys`` and has none of the backend's alternative URLs,
# ``nameid_format``, ``idp_initiated_auth_disabled`` or ``allow_gateway_callback``; a SCIM
# group role assignment has no ``group_name``. OIDC and external connections are the backend's.


class SdkSAMLConnectionObject(WireModel):
    organization_id: str
    connection_id: str
    status: str
    attribute_mapping: dict[str, Any] | None = None
    idp_entity_id: str
    display_name: str
    idp_sso_url: str
    acs_url: str
    audience_uri: str
    signing_certificates: list[sso.X509CertificateObject]
    verification_certificates: list[sso.X509CertificateObject]
    saml_connection_implicit_role_assignments: list[sso.RoleAssignmentObject]
    saml_group_implicit_role_assignments: list[sso.GroupRoleAssignmentObject]
    identity_provider: str
    encryption_private_keys: list[sso.EncryptionPrivateKeyObject] = Field(
        serialization_alias="saml_encryption_private_keys"
    )


class SdkSAMLConnectionResponse(ResponseBase):
    """``B2BSSOSAMLCreateConnectionResponse``, ``...UpdateConnectionResponse``,
    ``...UpdateConnectionByURLResponse``."""

    connection: SdkSAMLConnectionObject | None = None


class SdkGetConnectionsResponse(ResponseBase):
    """``B2BSSOGetConnectionsResponse``."""

    saml_connections: list[SdkSAMLConnectionObject]
    oidc_connections: list[sso.OIDCConnectionObject]
    external_connections: list[sso.ExternalConnectionObject]


class SdkSCIMGroupRoleAssignmentObject(WireModel):
    role_id: str
    group_id: str


# The three SCIM objects below are the backend's with this narrower assignment (the override
# is a pydantic field replacement, which mypy reads as an incompatible list assignment).


class SdkSCIMConnectionObject(scim.SCIMConnectionObject):
    """``SCIMConnection``."""

    scim_group_implicit_role_assignments: list[SdkSCIMGroupRoleAssignmentObject]  # type: ignore[assignment]


class SdkSCIMConnectionWithTokenObject(scim.SCIMConnectionWithTokenObject):
    """``SCIMConnectionWithBearerToken``."""

    scim_group_implicit_role_assignments: list[SdkSCIMGroupRoleAssignmentObject]  # type: ignore[assignment]


class SdkSCIMConnectionWithNextTokenObject(scim.SCIMConnectionWithNextTokenObject):
    """``SCIMConnectionWithNextBearerToken``."""

    scim_group_implicit_role_assignments: list[SdkSCIMGroupRoleAssignmentObject]  # type: ignore[assignment]


class SdkCreateSCIMConnectionResponse(ResponseBase):
    connection: SdkSCIMConnectionWithTokenObject | None = None


class SdkSCIMConnectionResponse(ResponseBase):
    """get, update, rotate complete and rotate cancel."""

    connection: SdkSCIMConnectionObject | None = None


class SdkRotateStartSCIMConnectionResponse(ResponseBase):
    connection: SdkSCIMConnectionWithNextTokenObject | None = None
