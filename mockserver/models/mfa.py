"""Request and response bodies of the MFA and one-time-code families, field for field as the
Python SDK sends and parses them (``stytch/b2b/api/otp_sms.py``, ``otp_email.py``,
``otp_email_discovery.py``, ``totps.py``, ``recovery_codes.py`` and their models, stytch
15.3.0).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .objects import MemberObject, MemberSessionObject, OrganizationObject
from .requests import JSONBody, Locale, Metadata
from .responses import AuthResultResponse, ResponseBase

MfaEnrollment = Literal["enroll", "unenroll"]

# --- requests ---------------------------------------------------------------------------


class MfaProofRequest(JSONBody):
    """Who asks: an intermediate session, or a session token or JWT of the member."""

    organization_id: str
    member_id: str
    intermediate_session_token: str | None = None
    session_token: str | None = None
    session_jwt: str | None = None


class MfaAuthenticateRequest(MfaProofRequest):
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    telemetry_id: str | None = None


class SmsSendRequest(MfaProofRequest):
    mfa_phone_number: str | None = None
    locale: Locale | None = None


class SmsAuthenticateRequest(MfaAuthenticateRequest):
    code: str
    set_mfa_enrollment: MfaEnrollment | None = None
    set_default_mfa: bool | None = None


class EmailLoginOrSignupRequest(JSONBody):
    organization_id: str
    email_address: str
    login_template_id: str | None = None
    signup_template_id: str | None = None
    locale: Locale | None = None
    login_expiration_minutes: int | None = None
    signup_expiration_minutes: int | None = None


class EmailAuthenticateRequest(JSONBody):
    organization_id: str
    email_address: str
    code: str
    session_token: str | None = None
    session_jwt: str | None = None
    intermediate_session_token: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    telemetry_id: str | None = None


class EmailDiscoverySendRequest(JSONBody):
    email_address: str
    login_template_id: str | None = None
    locale: Locale | None = None
    discovery_expiration_minutes: int | None = None


class EmailDiscoveryAuthenticateRequest(JSONBody):
    email_address: str
    code: str


class TotpCreateRequest(MfaProofRequest):
    expiration_minutes: int | None = None


class TotpAuthenticateRequest(MfaAuthenticateRequest):
    code: str
    set_mfa_enrollment: MfaEnrollment | None = None
    set_default_mfa: bool | None = None


class TotpMigrateRequest(JSONBody):
    organization_id: str
    member_id: str
    secret: str
    recovery_codes: list[str] | None = None


class RecoverRequest(MfaAuthenticateRequest):
    recovery_code: str


class RecoveryCodesRotateRequest(JSONBody):
    organization_id: str
    member_id: str


# --- responses --------------------------------------------------------------------------


class MfaSessionResponse(ResponseBase):
    """SMS and TOTP authenticate: success always means a session (no IST fields)."""

    member_id: str
    member: MemberObject
    organization: OrganizationObject
    session_token: str
    session_jwt: str
    member_session: MemberSessionObject | None = None


class RecoverResponse(MfaSessionResponse):
    recovery_codes_remaining: int


class EmailAuthenticateResponse(AuthResultResponse):
    method_id: str
    organization_id: str


class TotpCreateResponse(ResponseBase):
    member_id: str
    totp_registration_id: str
    secret: str
    qr_code: str
    recovery_codes: list[str]
    member: MemberObject
    organization: OrganizationObject


class TotpMigrateResponse(ResponseBase):
    member_id: str
    member: MemberObject
    organization: OrganizationObject
    totp_registration_id: str
    recovery_codes: list[str]


class RecoveryCodesResponse(ResponseBase):
    """recovery_codes.get and rotate."""

    member_id: str
    member: MemberObject
    organization: OrganizationObject
    recovery_codes: list[str]


# --- the mock's control API: the project's MFA settings ---------------------------------


class MfaSettingsRequest(JSONBody):
    """``PUT /_mock/settings/mfa`` (fields left out keep their value) and the config file's
    per-project ``mfa`` entry; see ``mockserver.domain.mfa.MfaSettings``."""

    otp_sandbox: bool | None = None
    mask_mfa_phone_number: bool | None = None
    member_lock_threshold: int | None = Field(default=None, ge=0, le=1000)
    member_lock_minutes: int | None = Field(default=None, ge=5, le=10080)


class MfaSettingsResponse(ResponseBase):
    otp_sandbox: bool
    mask_mfa_phone_number: bool
    member_lock_threshold: int
    member_lock_minutes: int


class TotpCodeRequest(JSONBody):
    """``POST /_mock/totp_code``: a base32 secret; ``steps`` moves 30-second steps."""

    secret: str
    steps: int = Field(default=0, ge=-10, le=10)


class TotpCodeResponse(ResponseBase):
    code: str
