"""Request and response bodies of the B2B passwords family, field for field as the official
Python SDK sends and parses them (``stytch/b2b/api/passwords*.py``,
``stytch/b2b/models/passwords*.py``; the hash configs from
``stytch/consumer/models/passwords.py``; delete from ``organizations_members.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .objects import (
    MemberObject,
    MemberSessionObject,
    MfaRequiredObject,
    OrganizationObject,
    WireModel,
)
from .requests import JSONBody, Locale, Metadata
from .responses import AuthResultResponse, ResponseBase

# --- requests -------------------------------------------------------------------------------


class PasswordStrengthCheckRequest(JSONBody):
    password: str
    email_address: str | None = None


class _PasswordSessionFields(JSONBody):
    session_token: str | None = None
    session_jwt: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    telemetry_id: str | None = None


class PasswordAuthenticateRequest(_PasswordSessionFields):
    organization_id: str
    email_address: str
    password: str
    intermediate_session_token: str | None = None


class SaltConfigIn(JSONBody):
    """``MD5Config`` / ``SHA1Config`` / ``SHA512Config``."""

    prepend_salt: str | None = None
    append_salt: str | None = None


class Argon2ConfigIn(JSONBody):
    salt: str
    iteration_amount: int
    memory: int
    threads: int
    key_length: int


class ScryptConfigIn(JSONBody):
    salt: str
    n_parameter: int
    r_parameter: int
    p_parameter: int
    key_length: int


class PBKDF2ConfigIn(JSONBody):
    salt: str
    iteration_amount: int
    key_length: int
    algorithm: str | None = None


class PasswordMigrateRequest(JSONBody):
    email_address: str
    hash: str
    hash_type: str
    organization_id: str
    md_5_config: SaltConfigIn | None = None
    argon_2_config: Argon2ConfigIn | None = None
    sha_1_config: SaltConfigIn | None = None
    sha_512_config: SaltConfigIn | None = None
    scrypt_config: ScryptConfigIn | None = None
    pbkdf_2_config: PBKDF2ConfigIn | None = None
    name: str | None = None
    trusted_metadata: Metadata | None = None
    untrusted_metadata: Metadata | None = None
    roles: list[str] | None = None
    preserve_existing_sessions: bool | None = None
    mfa_phone_number: str | None = None
    set_phone_number_verified: bool | None = None
    external_id: str | None = None


HASH_CONFIGS = (
    "md_5_config",
    "argon_2_config",
    "sha_1_config",
    "sha_512_config",
    "scrypt_config",
    "pbkdf_2_config",
)


class PasswordEmailResetStartRequest(JSONBody):
    organization_id: str
    email_address: str
    reset_password_redirect_url: str | None = None
    reset_password_expiration_minutes: int | None = None
    code_challenge: str | None = None
    login_redirect_url: str | None = None
    locale: Locale | None = None
    reset_password_template_id: str | None = None
    verify_email_template_id: str | None = None


class PasswordEmailResetRequest(_PasswordSessionFields):
    password_reset_token: str
    password: str
    code_verifier: str | None = None
    intermediate_session_token: str | None = None


class PasswordRequireResetRequest(JSONBody):
    email_address: str
    organization_id: str | None = None
    member_id: str | None = None


class ExistingPasswordResetRequest(_PasswordSessionFields):
    email_address: str
    existing_password: str
    new_password: str
    organization_id: str


class PasswordSessionResetRequest(_PasswordSessionFields):
    organization_id: str
    password: str


class PasswordDiscoveryAuthenticateRequest(JSONBody):
    email_address: str
    password: str


class PasswordDiscoveryResetStartRequest(JSONBody):
    email_address: str
    reset_password_redirect_url: str | None = None
    discovery_redirect_url: str | None = None
    reset_password_template_id: str | None = None
    reset_password_expiration_minutes: int | None = None
    pkce_code_challenge: str | None = None
    locale: Locale | None = None
    verify_email_template_id: str | None = None


class PasswordDiscoveryResetRequest(JSONBody):
    password_reset_token: str
    password: str
    pkce_code_verifier: str | None = None


# --- responses ------------------------------------------------------------------------------


class LudsFeedbackObject(WireModel):
    has_lower_case: bool
    has_upper_case: bool
    has_digit: bool
    has_symbol: bool
    missing_complexity: int
    missing_characters: int


class ZxcvbnFeedbackObject(WireModel):
    warning: str
    suggestions: list[str]


class PasswordStrengthCheckResponse(ResponseBase):
    valid_password: bool
    score: int
    breached_password: bool
    strength_policy: str
    breach_detection_on_create: bool
    luds_feedback: LudsFeedbackObject | None = None
    zxcvbn_feedback: ZxcvbnFeedbackObject | None = None


class PasswordAuthenticateResponse(AuthResultResponse):
    organization_id: str


class PasswordEmailResetResponse(PasswordAuthenticateResponse):
    member_email_id: str


class PasswordEmailResetStartResponse(ResponseBase):
    member_id: str
    member_email_id: str
    member: MemberObject


class PasswordRequireResetResponse(ResponseBase):
    member_id: str | None = None
    member: MemberObject | None = None
    organization: OrganizationObject | None = None


class PasswordMigrateResponse(ResponseBase):
    member_id: str
    member_created: bool
    member: MemberObject
    organization: OrganizationObject


class PasswordSessionResetResponse(ResponseBase):
    member_id: str
    member: MemberObject
    organization: OrganizationObject
    session_token: str
    session_jwt: str
    intermediate_session_token: str
    member_authenticated: bool
    member_session: MemberSessionObject | None = None
    mfa_required: MfaRequiredObject | None = None
    intermediate_session_token_expires_at: datetime | None = None


class DeletePasswordResponse(ResponseBase):
    member_id: str
    member: MemberObject
    organization: OrganizationObject


class PasswordPolicyResponse(ResponseBase):
    """(mock) ``GET``/``PATCH /_mock/password_policy``: the fields of
    ``mockserver.domain.passwords.policy.PasswordPolicy``."""

    password_policy: dict[str, Any]
