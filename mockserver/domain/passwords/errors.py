"""The passwords family's Stytch errors.

Error types are from Stytch's list (https://github.com/stytchauth/stytch-browser/blob/main/
packages/core/src/public/StytchAPIErrorType.ts);
statuses follow Stytch's visible convention where unpublished (``*_not_found`` 404,
``unable_to_auth*`` and wrong credentials 401, validation 400, organization policy 403) and are
listed in the README's fidelity notes. Messages in Stytch's own words where known
(Stytch's iOS SDK strings and error pages).
"""

from __future__ import annotations

from ... import errors
from ...errors import StytchError


def _bad(error_type: str, message: str) -> StytchError:
    return StytchError(400, error_type, message)


def weak_password() -> StytchError:
    return _bad("weak_password", "The password doesn't meet our strength requirements.")


def breached_password() -> StytchError:
    return _bad("breached_password", "The password appears in a list of breached passwords.")


def password_too_long(limit: int) -> StytchError:
    return errors.invalid_argument("password", f"password must be at most {limit} characters.")


def member_reset_password() -> StytchError:
    return StytchError(
        401,
        "member_reset_password",
        "This member must reset their password before logging in with a password.",
    )


def member_password_not_found() -> StytchError:
    return StytchError(404, "member_password_not_found", "The member does not have a password.")


def password_not_found() -> StytchError:
    return StytchError(404, "password_not_found", "The member password could not be found.")


def unable_to_auth_password_reset_token() -> StytchError:
    return StytchError(
        401,
        "unable_to_auth_password_reset_token",
        "The password reset token could not be authenticated because it was either already "
        "used, expired or issued for another organization. Send another reset email.",
    )


def session_too_old_to_reset_password() -> StytchError:
    return _bad(
        "session_too_old_to_reset_password",
        "The session does not have an authentication_factor that was authenticated within the "
        "last 5 minutes; authenticate again before resetting the password.",
    )


def cannot_reset_password_with_existing_password() -> StytchError:
    return _bad(
        "cannot_reset_password_with_existing_password",
        "The new password must be different from the existing password.",
    )


def password_already_exists() -> StytchError:
    return _bad("password_already_exists", "The member already has a password.")


def cross_org_passwords_not_enabled() -> StytchError:
    return _bad(
        "cross_org_passwords_not_enabled",
        "This endpoint needs cross-organization passwords, which this project has not enabled.",
    )


def cross_org_passwords_enabled() -> StytchError:
    return _bad(
        "cross_org_passwords_enabled",
        "This endpoint only works with organization-scoped passwords; this project uses "
        "cross-organization passwords (use require_reset instead).",
    )


def operation_restricted_by_organization_auth_methods() -> StytchError:
    return StytchError(
        403,
        "operation_restricted_by_organization_auth_methods",
        "The organization's allowed_auth_methods do not include password.",
    )


def invalid_hash_type() -> StytchError:
    return _bad(
        "invalid_hash_type",
        "hash_type must be one of bcrypt, md_5, argon_2i, argon_2id, sha_1, sha_512, scrypt, "
        "phpass or pbkdf_2.",
    )


def invalid_hash(error_type: str = "invalid_hash", what: str = "hash") -> StytchError:
    return _bad(error_type, f"The {what} is malformed.")


def key_length_mismatch(error_type: str) -> StytchError:
    return _bad(error_type, "The key_length value doesn't match the length of the provided hash.")
