"""Request and response bodies of the B2B passwords family, field for field as the official
Python SDK sends and parses them (``stytch/b2b/api/passwords*.py``,
``stytch/b2b/models/passwords*.py``; the hash configs from
``stytch/consumer/models/passwords.py``; delete from ``organizations_members.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .objects import (
    DiscoveredOrganization,
    Member,
    MemberSession,
    MfaRequired,
    Organization,
    WireModel,
)
from .requests import JSONBody, Locale, Metadata
from .responses import AuthResultResponse, ResponseBase

# --- requests -------------------------------------------------------------------------------


class StrengthCheckRequest(JSONBody):
    password: str
    email_address: str | None = None


class _SessionFields(JSONBody):
    session_token: str | None = None
    session_jwt: str | None = None
    session_duration_minutes: int | None = None
    session_custom_claims: Metadata | None = None
    locale: Locale | None = None
    telemetry_id: str | None = None


class AuthenticateRequest(_SessionFields):
    organization_id: str
    email_address: str
    password: str
    intermediate_session_token: str | None = None


class SaltConfig(JSONBody):
    """``MD5Config`` / ``SHA1Config`` / ``SHA512Config``."""

    prepend_salt: str | None = None
    append_salt: str | None = None


class Argon2Config(JSONBody):
    salt: str
    iteration_amount: int
    memory: int
    threads: int
    key_length: int


class ScryptConfig(JSONBody):
    salt: str
    n_parameter: int
    r_parameter: int
    p_parameter: int
    key_length: int


class PBKDF2Config(JSONBody):
    salt: str
    iteration_amount: int
    key_length: int
    algorithm: str | None = None


class MigrateRequest(JSONBody):
    email_address: str
    hash: str
    hash_type: str
    organization_id: str
    md_5_config: SaltConfig | None = None
    argon_2_config: Argon2Config | None = None
    sha_1_config: SaltConfig | None = None
    sha_512_config: SaltConfig | None = None
    scrypt_config: ScryptConfig | None = None
    pbkdf_2_config: PBKDF2Config | None = None
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


class EmailResetStartRequest(JSONBody):
    organization_id: str
    email_address: str
    reset_password_redirect_url: str | None = None
    reset_password_expiration_minutes: int | None = None
    code_challenge: str | None = None
    login_redirect_url: str | None = None
    locale: Locale | None = None
    reset_password_template_id: str | None = None
    verify_email_template_id: str | None = None


class EmailResetRequest(_SessionFields):
    password_reset_token: str
    password: str
    code_verifier: str | None = None
    intermediate_session_token: str | None = None


class RequireResetRequest(JSONBody):
    email_address: str
    organization_id: str | None = None
    member_id: str | None = None


class ExistingPasswordResetRequest(_SessionFields):
    email_address: str
    existing_password: str
    new_password: str
    organization_id: str


class SessionResetRequest(_SessionFields):
    organization_id: str
    password: str


class DiscoveryAuthenticateRequest(JSONBody):
    email_address: str
    password: str


class DiscoveryResetStartRequest(JSONBody):
    email_address: str
    reset_password_redirect_url: str | None = None
    discovery_redirect_url: str | None = None
    reset_password_template_id: str | None = None
    reset_password_expiration_minutes: int | None = None
    pkce_code_challenge: str | None = None
    locale: Locale | None = None
    verify_email_template_id: str | None = None


class DiscoveryResetRequest(JSONBody):
    password_reset_token: str
    password: str
    pkce_code_verifier: str | None = None


# --- responses ------------------------------------------------------------------------------


class LudsFeedback(WireModel):
    has_lower_case: bool
    has_upper_case: bool
    has_digit: bool
    has_symbol: bool
    missing_complexity: int
    missing_characters: int


class ZxcvbnFeedback(WireModel):
    warning: str
    suggestions: list[str]


class StrengthCheckResponse(ResponseBase):
    valid_password: bool
    score: int
    breached_password: bool
    strength_policy: str
    breach_detection_on_create: bool
    luds_feedback: LudsFeedback | None = None
    zxcvbn_feedback: ZxcvbnFeedback | None = None


class AuthenticateResponse(AuthResultResponse):
    organization_id: str


class EmailResetResponse(AuthenticateResponse):
    member_email_id: str


class EmailResetStartResponse(ResponseBase):
    member_id: str
    member_email_id: str
    member: Member


class RequireResetResponse(ResponseBase):
    member_id: str | None = None
    member: Member | None = None
    organization: Organization | None = None


class MigrateResponse(ResponseBase):
    member_id: str
    member_created: bool
    member: Member
    organization: Organization


class SessionResetResponse(ResponseBase):
    member_id: str
    member: Member
    organization: Organization
    session_token: str
    session_jwt: str
    intermediate_session_token: str
    member_authenticated: bool
    member_session: MemberSession | None = None
    mfa_required: MfaRequired | None = None
    intermediate_session_token_expires_at: datetime | None = None


class DiscoveryAuthenticateResponse(ResponseBase):
    email_address: str
    intermediate_session_token: str
    discovered_organizations: list[DiscoveredOrganization]
    intermediate_session_token_expires_at: datetime | None = None


class DeletePasswordResponse(ResponseBase):
    member_id: str
    member: Member
    organization: Organization


class PasswordPolicyResponse(ResponseBase):
    """(mock) ``GET``/``PATCH /_mock/password_policy``: the fields of
    ``mockserver.domain.passwords.policy.PasswordPolicy``."""

    password_policy: dict[str, Any]
