"""Stytch-shaped errors.

Every failure the mock reports is a :class:`StytchError`. The domain raises them, the
HTTP middleware renders them once, for every route, as Stytch's error body::

    {"status_code": 404, "request_id": "request-id-test-…", "error_type": "session_not_found",
     "error_message": "Session could not be found.",
     "error_url": "https://stytch.com/docs/b2b/api/errors/404#session_not_found"}

Error types come from Stytch's own list (``StytchAPIErrorType`` in stytchauth/stytch-browser,
``packages/core/src/public/StytchAPIErrorType.ts``, https://github.com/stytchauth/stytch-browser);
statuses and messages from Stytch's error pages (https://stytch.com/docs/b2b/api/errors) and
responses of the real API. Where the real status is unknown the choice is marked "[chosen]" and
listed in the README's fidelity notes.
"""

from __future__ import annotations

from typing import Any


class StytchError(Exception):
    """An error the API reports to the caller (always 4xx here)."""

    def __init__(self, status_code: int, error_type: str, error_message: str) -> None:
        super().__init__(f"{status_code} {error_type}: {error_message}")
        self.status_code = status_code
        self.error_type = error_type
        self.error_message = error_message

    @property
    def error_url(self) -> str:
        return f"https://stytch.com/docs/b2b/api/errors/{self.status_code}#{self.error_type}"

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "request_id": request_id,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "error_url": self.error_url,
        }


# --- 400 -------------------------------------------------------------------------------


def bad_request(message: str = "The submitted request is invalid.") -> StytchError:
    return StytchError(400, "bad_request", message)


def body_too_large() -> StytchError:
    return StytchError(413, "bad_request", "The request body is too large.")


def invalid_argument(field: str, message: str | None = None) -> StytchError:
    # [chosen] Stytch answers malformed fields with field-specific types where it has one;
    # otherwise the generic `invalid_argument` naming the field.
    return StytchError(400, "invalid_argument", message or f"{field} is invalid.")


def missing_argument(field: str) -> StytchError:
    # [chosen] No generic "missing field" type is published; `bad_request` naming the field.
    return StytchError(400, "bad_request", f"{field} is a required field.")


def invalid_email() -> StytchError:
    return StytchError(400, "invalid_email", "Email format is invalid.")


def invalid_expiration(field: str) -> StytchError:
    return StytchError(400, "invalid_expiration", f"{field} must be between 5 and 10080 minutes.")


def invalid_session_duration() -> StytchError:
    return StytchError(
        400,
        "invalid_session_duration_minutes",
        "session_duration_minutes must be between 5 and 527040 minutes.",
    )


def too_many_session_arguments() -> StytchError:
    return StytchError(
        400,
        "too_many_session_arguments",
        "Only one of session_token, session_jwt or intermediate_session_token may be passed.",
    )


def no_session_arguments(*, intermediate: bool = False) -> StytchError:
    what = (
        "One of intermediate_session_token, session_token or session_jwt"
        if intermediate
        else "Either a session_token or a session_jwt"
    )
    return StytchError(400, "no_session_arguments", f"{what} must be passed.")


def no_session_revoke_arguments() -> StytchError:
    return StytchError(
        400,
        "no_session_revoke_arguments",
        "One of member_session_id, session_token, session_jwt or member_id must be passed.",
    )


def too_many_session_revoke_arguments() -> StytchError:
    return StytchError(
        400,
        "too_many_session_revoke_arguments",
        "Only one of member_session_id, session_token, session_jwt or member_id may be passed.",
    )


def unable_to_parse_session_jwt() -> StytchError:
    return StytchError(400, "unable_to_parse_session_jwt", "The session JWT could not be parsed.")


def pkce_expected_code_verifier() -> StytchError:
    return StytchError(
        400,
        "pkce_expected_code_verifier",
        "This token was sent with a PKCE code challenge; pass the matching pkce_code_verifier.",
    )


def pkce_mismatch() -> StytchError:
    return StytchError(
        400, "pkce_mismatch", "The pkce_code_verifier does not match the code challenge."
    )


def pkce_did_not_expect_code_verifier() -> StytchError:
    return StytchError(
        400,
        "pkce_did_not_expect_code_verifier",
        "A pkce_code_verifier was passed, but the token was not sent with a code challenge.",
    )


def no_match_for_provided_magic_link_url() -> StytchError:
    return StytchError(
        400,
        "no_match_for_provided_magic_link_url",
        "The provided redirect URL does not match any redirect URL registered for this project.",
    )


def invalid_redirect_url(field: str) -> StytchError:
    # Stytch's error types for a malformed URL follow the field: invalid_login_redirect_url,
    # invalid_signup_redirect_url, invalid_invite_redirect_url, invalid_discovery_redirect_url
    # (the frontend SDK's list of error types); the message is the mock's own.
    return StytchError(400, f"invalid_{field}", f"{field} is not a valid URL.")


def custom_claims_too_large() -> StytchError:
    return StytchError(
        400, "custom_claims_too_large", "session_custom_claims must be at most 4 KB of JSON."
    )


# --- 401 / 404 --------------------------------------------------------------------------


def unauthorized_credentials() -> StytchError:
    return StytchError(401, "unauthorized_credentials", "Unauthorized credentials.")


def unable_to_auth_magic_link() -> StytchError:
    return StytchError(
        401,
        "unable_to_auth_magic_link",
        "The magic link could not be authenticated because it was either already used or "
        "expired. Send another magic link to this user.",
    )


def magic_link_not_found() -> StytchError:
    return StytchError(
        404,
        "magic_link_not_found",
        "The magic link could not be authenticated, try sending another magic link to the user.",
    )


def intermediate_session_not_found() -> StytchError:
    return StytchError(
        404, "intermediate_session_not_found", "Intermediate session could not be found."
    )


def session_not_found() -> StytchError:
    return StytchError(404, "session_not_found", "Session could not be found.")


def organization_not_found() -> StytchError:
    return StytchError(404, "organization_not_found", "Organization could not be found.")


def member_not_found() -> StytchError:
    return StytchError(404, "member_not_found", "Member could not be found.")


def route_not_found() -> StytchError:
    # Message of a real test.stytch.com response (see the README's fidelity notes).
    return StytchError(404, "route_not_found", "The route provided is not supported.")


def method_not_allowed() -> StytchError:
    # Stytch's B2B 405 page.
    return StytchError(405, "method_not_allowed", "The method used is not supported.")


def project_not_found() -> StytchError:
    return StytchError(404, "project_not_found", "Project could not be found.")


# --- organizations and members ----------------------------------------------------------


def organization_name_missing() -> StytchError:
    return StytchError(400, "organization_name_missing", "organization_name is required.")


def invalid_organization_name() -> StytchError:
    return StytchError(
        400,
        "invalid_organization_name",
        "organization_name must be between 1 and 128 characters long.",
    )


def invalid_organization_slug() -> StytchError:
    # The message of a real response of Stytch's Test API.
    return StytchError(
        400,
        "invalid_organization_slug",
        "The organization_slug must be at least 2 characters long and may only contain "
        "alphanumerics and the reserved characters '-', '.', '_', or '~', and at least one "
        "character must be alphanumeric.",
    )


def organization_slug_already_used() -> StytchError:
    return StytchError(
        400,
        "organization_slug_already_used",
        "The provided organization_slug is already used in another organization.",
    )


def invalid_organization_external_id() -> StytchError:
    return StytchError(
        400,
        "invalid_organization_external_id",
        "organization_external_id may only contain alphanumerics, '.', '_', '-' and '|', "
        "and be at most 128 characters long.",
    )


def organization_external_id_already_used() -> StytchError:
    return StytchError(
        400,
        "organization_external_id_already_used",
        "The provided organization_external_id is already used in another organization.",
    )


def organization_settings_invalid_domain(domain: str) -> StytchError:
    return StytchError(
        400, "organization_settings_invalid_domain", f"{domain!r} is not a valid email domain."
    )


def organization_settings_domain_too_common(domain: str) -> StytchError:
    return StytchError(
        400,
        "organization_settings_domain_too_common",
        f"{domain!r} is a common email domain and cannot be used in allowed domains.",
    )


def organization_settings_duplicate_domain(domain: str) -> StytchError:
    return StytchError(
        400, "organization_settings_duplicate_domain", f"{domain!r} is listed more than once."
    )


# Settings whose bad values have an error type of their own in Stytch's list
# (StytchAPIErrorType); the others get invalid_argument naming the field.
_SETTING_ERROR_TYPES = {
    "mfa_policy": "invalid_organization_mfa_policy",
    "auth_methods": "invalid_organization_auth_method_settings",
    "allowed_auth_methods": "invalid_organization_allowed_auth_methods",
    "allowed_mfa_methods": "invalid_organization_allowed_mfa_methods",
}


def invalid_setting_value(field: str, value: object, allowed: list[str]) -> StytchError:
    return StytchError(
        400,
        _SETTING_ERROR_TYPES.get(field, "invalid_argument"),
        f"{field} must be one of {', '.join(allowed)}; got {value!r}.",
    )


def allowed_auth_methods_required_for_restricted() -> StytchError:
    return StytchError(
        400,
        "allowed_auth_methods_required_for_restricted",
        "Allowed auth methods must be set for 'RESTRICTED' auth methods",
    )


def allowed_mfa_methods_required_for_restricted() -> StytchError:
    return StytchError(
        400,
        "allowed_mfa_methods_required_for_restricted",
        "allowed_mfa_methods must be non-empty when mfa_methods is RESTRICTED.",
    )


def invalid_restricted_email_setting() -> StytchError:
    return StytchError(
        400,
        "invalid_restricted_email_setting",
        "email_invites and email_jit_provisioning can only be RESTRICTED when "
        "email_allowed_domains is not empty.",
    )


def duplicate_member_email() -> StytchError:
    return StytchError(
        400,
        "duplicate_member_email",
        "A member with this email address already exists in this organization.",
    )


def duplicate_member_external_id() -> StytchError:
    return StytchError(
        400,
        "duplicate_member_external_id",
        "A member with this external_id already exists in this organization.",
    )


def invalid_rbac_role_id() -> StytchError:
    return StytchError(400, "invalid_rbac_role_id", "Each role must be a non-empty role_id.")


def invalid_mfa_default_method() -> StytchError:
    return StytchError(
        400, "invalid_mfa_default_method", "default_mfa_method must be sms_otp or totp."
    )


def no_deleted_member_found_for_reactivation() -> StytchError:
    return StytchError(
        400, "no_deleted_member_found_for_reactivation", "Only a deleted member can be reactivated."
    )


def email_unverified_for_reactivation() -> StytchError:
    return StytchError(
        400,
        "email_unverified_for_reactivation",
        "A member can be reactivated only with a verified email address.",
    )


def reactivation_email_belongs_to_another_member() -> StytchError:
    return StytchError(
        400,
        "reactivation_email_belongs_to_another_member",
        "Another member of this organization now uses this email address.",
    )


def member_search_organization_ids_empty() -> StytchError:
    return StytchError(
        400,
        "member_search_organization_ids_empty",
        "organization_ids must contain at least one organization.",
    )


# --- joining organizations ----------------------------------------------------------------


def email_jit_provisioning_not_allowed() -> StytchError:
    return StytchError(
        403,
        "email_jit_provisioning_not_allowed",
        "This organization does not allow new members to join by email (JIT provisioning).",
    )


def invalid_email_for_jit_provisioning() -> StytchError:
    return StytchError(
        403,
        "invalid_email_for_jit_provisioning",
        "This email address is not eligible to join this organization by its email domain.",
    )


def invalid_email_for_invites() -> StytchError:
    return StytchError(
        403,
        "invalid_email_for_invites",
        "This organization does not allow invitations to this email address.",
    )


def member_already_active() -> StytchError:
    # [chosen] Stytch documents that inviting an active member is an error, not its type.
    return StytchError(
        400,
        "duplicate_member_email",
        "This email address already belongs to an active member of the organization.",
    )


def action_not_allowed_email_domain_is_claimed() -> StytchError:
    return StytchError(
        400,
        "action_not_allowed_email_domain_is_claimed",
        "Members with this email domain are restricted to organizations that have claimed "
        "this domain.",
    )


def session_authorization_error(resource_id: str, action: str) -> StytchError:
    return StytchError(
        403,
        "session_authorization_error",
        f"The Member is not authorized to perform the {action} action on the {resource_id} "
        "resource.",
    )


def session_authorization_tenancy_error() -> StytchError:
    return StytchError(
        403,
        "session_authorization_tenancy_error",
        "OrganizationID in AuthorizationCheck request does not match session's Organization ID",
    )


# --- 429 --------------------------------------------------------------------------------


def too_many_requests() -> StytchError:
    # Stytch's message for its 429 (https://stytch.com/docs/b2b/api/errors/429)
    return StytchError(429, "too_many_requests", "Too many requests have been made.")
