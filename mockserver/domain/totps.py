"""TOTP registrations and their recovery codes (a second factor only).

From the Python SDK's docstrings (``stytch/b2b/api/totps.py``, ``recovery_codes.py``) and
Stytch's TOTP create example (https://stytch.com/docs/b2b/api/totp-create): a 32-character
base32 secret, a QR code as a PNG data URL, 10 recovery codes shaped ``xxxx-xxxx-xxxx``; a new
registration waits ``expiration_minutes`` (default 60, 5 to 1440) for its first code; one
active TOTP per member. Codes are RFC 6238 (6 digits, 30-second steps, SHA-1), computed by
pyotp at the project's clock, and the previous and next step are accepted too (Stytch's TOTP
guide); a step already used is refused. Where Stytch is silent (when ``totp_registration_id``
is filled, a second create while one is pending), see the README's fidelity notes.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import secrets
import string
from datetime import datetime, timedelta
from typing import Any

import pyotp
import qrcode  # type: ignore[import-untyped]
from qrcode.image.pure import PyPNGImage  # type: ignore[import-untyped]

from .. import errors
from ..errors import StytchError
from . import locks, mfa
from .entities import Member, Organization
from .mfa import TotpRegistration
from .mfa_login import (
    apply_enrollment,
    completing,
    enrolling,
    finish,
    target,
)
from .project import Project
from .sessions import SessionGrant

DEFAULT_EXPIRATION_MINUTES = 60
MIN_EXPIRATION_MINUTES = 5
MAX_EXPIRATION_MINUTES = 1440
RECOVERY_CODE_COUNT = 10
VALID_WINDOW = 1  # steps either side of the current one
RECOVERY_CODE_ALPHABET = string.ascii_lowercase + string.digits
ISSUER = "Stytch"


def new_secret() -> str:
    return pyotp.random_base32(32)


def new_recovery_codes() -> list[str]:
    def group() -> str:
        return "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(4))

    return [f"{group()}-{group()}-{group()}" for _ in range(RECOVERY_CODE_COUNT)]


def provisioning_uri(secret: str, member: Member, org: Organization) -> str:
    """[chosen] The ``otpauth://`` URI in the QR code: label ``<organization>:<email>``."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=member.email_address, issuer_name=org.organization_name or ISSUER
    )


def qr_code(uri: str) -> str:
    """A real PNG of the QR code, as a data URL (``data:image/png;base64,…``)."""
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=PyPNGImage).save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _registration(project: Project, member: Member) -> TotpRegistration | None:
    """The member's registration; a pending one past its expiry is dropped."""
    reg = project.totp_registrations.find(member.member_id)
    if reg is not None and not reg.active and reg.expires_at is not None:
        if project.now() >= reg.expires_at:
            project.totp_registrations.forget_member(member.member_id)
            return None
    return reg


def _with_codes(reg: TotpRegistration, codes: list[str], env: str) -> None:
    reg.recovery_codes = {code: mfa.new_recovery_code_id(env) for code in codes}


# --- create / migrate / delete ----------------------------------------------------------


def create(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    expiration_minutes: int | None,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
) -> tuple[Member, Organization, TotpRegistration, str, list[str]]:
    """A pending registration: (member, organization, registration, QR code, recovery codes).
    [chosen] A second create while one is pending replaces it."""
    minutes = DEFAULT_EXPIRATION_MINUTES if expiration_minutes is None else expiration_minutes
    if not MIN_EXPIRATION_MINUTES <= minutes <= MAX_EXPIRATION_MINUTES:
        raise errors.StytchError(
            400,
            "invalid_expiration",
            f"expiration_minutes must be between {MIN_EXPIRATION_MINUTES} and "
            f"{MAX_EXPIRATION_MINUTES} minutes.",
        )
    org, member, given = enrolling(
        project,
        organization_id=organization_id,
        member_id=member_id,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        method=mfa.TOTP,
    )
    existing = _registration(project, member)
    if existing is not None and existing.active:
        raise active_totp_exists()
    if member.mfa_phone_number_verified and not given.holds("otp"):
        raise mfa.insufficient_factors()
    reg = TotpRegistration(
        totp_registration_id=mfa.new_registration_id(project.env),
        member_id=member.member_id,
        secret=new_secret(),
        active=False,
        expires_at=project.now() + timedelta(minutes=minutes),
    )
    codes = new_recovery_codes()
    _with_codes(reg, codes, project.env)
    project.totp_registrations.add(reg)
    return member, org, reg, qr_code(provisioning_uri(reg.secret, member, org)), codes


def migrate(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    secret: str,
    recovery_codes: list[str] | None,
) -> tuple[Member, Organization, TotpRegistration, list[str]]:
    """An existing secret, active at once; recovery codes kept, or minted when none are given."""
    try:
        base64.b32decode(secret.upper() + "=" * (-len(secret) % 8), casefold=True)
    except ValueError:
        raise errors.invalid_argument("secret", "secret must be a base32 TOTP secret.") from None
    if not secret:
        raise errors.invalid_argument("secret", "secret must be a base32 TOTP secret.")
    org, member = target(project, organization_id, member_id)
    mfa.check_active(member)
    existing = _registration(project, member)
    if existing is not None and existing.active:
        raise active_totp_exists()
    codes = list(recovery_codes) if recovery_codes else new_recovery_codes()
    reg = TotpRegistration(
        totp_registration_id=mfa.new_registration_id(project.env),
        member_id=member.member_id,
        secret=secret.upper(),
        active=True,
        expires_at=None,
    )
    _with_codes(reg, codes, project.env)
    project.totp_registrations.add(reg)
    member.totp_registration_id = reg.totp_registration_id
    member.updated_at = project.now()
    return member, org, reg, codes


def delete(project: Project, organization_id: str, member_id: str) -> tuple[Member, Organization]:
    """The registration and its recovery codes go; sessions holding the factor stay valid."""
    org, member = target(project, organization_id, member_id)
    project.totp_registrations.forget_member(member.member_id)
    member.totp_registration_id = ""
    if member.default_mfa_method == mfa.TOTP:
        member.default_mfa_method = ""
    member.updated_at = project.now()
    return member, org


def code_at(secret: str, when: datetime, steps: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows at ``when`` (+ ``steps`` steps)."""
    try:
        totp = pyotp.TOTP(secret)
        return totp.generate_otp(totp.timecode(when) + steps)
    except (ValueError, binascii.Error):
        raise errors.invalid_argument("secret", "secret must be a base32 TOTP secret.") from None


# --- authenticate -----------------------------------------------------------------------


def _check_totp_code(project: Project, reg: TotpRegistration, code: str) -> int:
    """The step ``code`` is valid for (within ±1 step of the project's clock)."""
    if reg.recovery_codes and code in reg.recovery_codes:
        raise recovery_code_used_as_totp_code()
    if not mfa.SIX_DIGITS.fullmatch(code):
        raise invalid_totp_code()
    totp = pyotp.TOTP(reg.secret)
    now = project.now()
    current = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            step = current + offset
            if step <= reg.last_step:
                raise totp_code_already_authenticated()
            return step
    raise unable_to_authenticate_totp()


def authenticate(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    code: str,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    set_mfa_enrollment: str | None,
    set_default_mfa: bool | None,
) -> SessionGrant:
    org, member, given = completing(
        project,
        organization_id=organization_id,
        member_id=member_id,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        method=mfa.TOTP,
    )
    pending = project.totp_registrations.find(member.member_id)
    reg = _registration(project, member)
    if reg is None:
        raise expired_totp() if pending is not None else totp_not_found()
    now = project.now()
    step = locks.check(
        project,
        member,
        mfa.lock_threshold(project.config.mfa),
        lambda: _check_totp_code(project, reg, code),
    )
    reg.last_step = step
    if not reg.active:
        reg.active = True
        reg.expires_at = None
        member.totp_registration_id = reg.totp_registration_id
    apply_enrollment(
        org,
        member,
        mfa.TOTP,
        set_mfa_enrollment=set_mfa_enrollment,
        set_default_mfa=set_default_mfa,
    )
    return finish(
        project,
        member,
        org,
        mfa.totp_factor(reg.totp_registration_id, now),
        given,
        duration_minutes=session_duration_minutes,
        custom_claims=session_custom_claims,
    )


# --- recovery codes ---------------------------------------------------------------------


def _active_registration(project: Project, member: Member) -> TotpRegistration:
    reg = _registration(project, member)
    if reg is None or not reg.active:
        raise no_active_recovery_code_backed_factor()
    return reg


def recovery_codes(
    project: Project, organization_id: str, member_id: str
) -> tuple[Member, Organization, list[str]]:
    org, member = target(project, organization_id, member_id)
    return member, org, list(_active_registration(project, member).recovery_codes)


def rotate_recovery_codes(
    project: Project, organization_id: str, member_id: str
) -> tuple[Member, Organization, list[str]]:
    org, member = target(project, organization_id, member_id)
    reg = _active_registration(project, member)
    codes = new_recovery_codes()
    _with_codes(reg, codes, project.env)
    return member, org, codes


def _use_recovery_code(project: Project, reg: TotpRegistration, code: str) -> str:
    """The used code's id; the code is gone afterwards (single use)."""
    given = code.strip().lower()
    code_id = reg.recovery_codes.pop(given, None)
    if code_id is not None:
        return code_id
    if mfa.SIX_DIGITS.fullmatch(given):
        raise totp_code_used_as_recovery_code()
    if not _is_recovery_code(given):
        raise invalid_recovery_code()
    raise unable_to_authenticate_recovery_code()


def _is_recovery_code(code: str) -> bool:
    parts = code.split("-")
    return len(parts) == 3 and all(
        len(p) == 4 and all(c in RECOVERY_CODE_ALPHABET for c in p) for p in parts
    )


def recover(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    recovery_code: str,
    intermediate_session_token: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
) -> tuple[SessionGrant, int]:
    """A recovery code in place of a TOTP code: (the session, codes left)."""
    org, member, given = completing(
        project,
        organization_id=organization_id,
        member_id=member_id,
        intermediate_session_token=intermediate_session_token,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        method=None,
    )
    reg = _active_registration(project, member)
    now = project.now()
    code_id = locks.check(
        project,
        member,
        mfa.lock_threshold(project.config.mfa),
        lambda: _use_recovery_code(project, reg, recovery_code),
    )
    grant = finish(
        project,
        member,
        org,
        mfa.recovery_code_factor(code_id, now),
        given,
        duration_minutes=session_duration_minutes,
        custom_claims=session_custom_claims,
    )
    return grant, len(reg.recovery_codes)


# --- errors (types from Stytch's list; statuses per the README's fidelity notes) ----------


def active_totp_exists() -> StytchError:
    return StytchError(
        400,
        "active_totp_exists",
        "Cannot create a new TOTP for this member, as it already has an active TOTP. "
        "Delete it first.",
    )


def invalid_totp_code() -> StytchError:
    return StytchError(400, "invalid_totp_code", "The TOTP code must be a 6-digit code.")


def unable_to_authenticate_totp() -> StytchError:
    return StytchError(
        401, "unable_to_authenticate_totp", "The TOTP code could not be authenticated."
    )


def totp_code_already_authenticated() -> StytchError:
    return StytchError(
        401,
        "totp_code_already_authenticated",
        "This TOTP code was already used; wait for the next code.",
    )


def totp_not_found() -> StytchError:
    return StytchError(404, "totp_not_found", "The member has no TOTP registration.")


def expired_totp() -> StytchError:
    return StytchError(
        401,
        "expired_totp",
        "The TOTP registration expired before its first code was authenticated; create a new one.",
    )


def recovery_code_used_as_totp_code() -> StytchError:
    return StytchError(
        400,
        "recovery_code_used_as_totp_code",
        "A recovery code was passed as a TOTP code; use the recovery codes endpoint.",
    )


def unable_to_authenticate_recovery_code() -> StytchError:
    return StytchError(
        401,
        "unable_to_authenticate_recovery_code",
        "The recovery code could not be authenticated: it is unknown or already used.",
    )


def invalid_recovery_code() -> StytchError:
    return StytchError(400, "invalid_recovery_code", "A recovery code is shaped xxxx-xxxx-xxxx.")


def totp_code_used_as_recovery_code() -> StytchError:
    return StytchError(
        400,
        "totp_code_used_as_recovery_code",
        "A TOTP code was passed as a recovery code; use the TOTP authenticate endpoint.",
    )


def no_active_recovery_code_backed_factor() -> StytchError:
    return StytchError(
        404,
        "no_active_recovery_code_backed_factor",
        "The member has no active TOTP registration, so it has no recovery codes.",
    )
