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

from .mfa import MfaEnrollment
from .objects import ActiveSSOConnectionObject
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
