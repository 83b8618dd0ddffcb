"""Password strength: Stytch's two policies (zxcvbn, LUDS) and an offline breach check.

- zxcvbn through the ``zxcvbn`` package (Dropbox's algorithm): ``score`` 0-4, valid at 3 or
  more; its warning and suggestions are passed on as ``zxcvbn_feedback``.
- LUDS: lower case, upper case, digit, symbol (anything outside a-z, A-Z and 0-9 counts as a
  symbol, as the ``LudsFeedback`` docstring of the Python SDK allows:
  https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/passwords.py), a
  minimum length and a number of classes.
- Breach check: offline; see :class:`~.policy.PasswordPolicy`.

Both feedback objects are always returned (Stytch's frontend SDK types declare both): the one
of the policy not in force is computed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from zxcvbn import zxcvbn  # type: ignore[import-untyped]
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

from ... import errors
from . import errors as pw_errors
from .policy import PasswordPolicy

ZXCVBN_VALID_SCORE = 3
# [chosen] Stytch publishes no maximum; longer passwords are refused with a 400.
MAX_PASSWORD_LENGTH = 256
# The zxcvbn package scores at most the first 72 characters (its own limit).
_ZXCVBN_INPUT = 72


@dataclass(slots=True)
class Strength:
    valid_password: bool
    score: int
    breached_password: bool
    strength_policy: str
    breach_detection_on_create: bool
    luds_feedback: dict[str, Any]
    zxcvbn_feedback: dict[str, Any]


def check_length(password: str) -> None:
    """Every password field: non-empty, at most MAX_PASSWORD_LENGTH characters."""
    if password == "":
        raise errors.invalid_argument("password", "password must not be empty.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise pw_errors.password_too_long(MAX_PASSWORD_LENGTH)


@lru_cache(maxsize=8)
def _corpus(size: int) -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:size])


def is_breached(password: str, policy: PasswordPolicy) -> bool:
    lowered = password.lower()
    return lowered in _corpus(policy.breach_corpus_size) or any(
        lowered == extra.lower() for extra in policy.breached_passwords
    )


def luds(password: str, policy: PasswordPolicy) -> dict[str, Any]:
    lower = any("a" <= c <= "z" for c in password)
    upper = any("A" <= c <= "Z" for c in password)
    digit = any(c.isdigit() for c in password)
    symbol = any(not ("a" <= c <= "z" or "A" <= c <= "Z" or c.isdigit()) for c in password)
    classes = lower + upper + digit + symbol
    return {
        "has_lower_case": lower,
        "has_upper_case": upper,
        "has_digit": digit,
        "has_symbol": symbol,
        "missing_complexity": max(0, policy.luds_complexity - classes),
        "missing_characters": max(0, policy.luds_min_password_length - len(password)),
    }


def _zxcvbn(password: str, email: str | None) -> tuple[int, dict[str, Any]]:
    inputs = [email, email.split("@")[0]] if email else []
    result = zxcvbn(password[:_ZXCVBN_INPUT], user_inputs=inputs)
    feedback = result["feedback"]
    return int(result["score"]), {
        "warning": feedback.get("warning") or "",
        "suggestions": list(feedback.get("suggestions") or []),
    }


def strength(password: str, email: str | None, policy: PasswordPolicy) -> Strength:
    """``strength_check``'s answer. The breach check always runs when breach detection is on;
    it makes the password invalid when an email is given (Stytch's ``valid_password`` text:
    "If an email address is included in the call we also require that the password hasn't
    been compromised")."""
    check_length(password)
    score, zx_feedback = _zxcvbn(password, email)
    luds_feedback = luds(password, policy)
    breached = policy.breach_detection_on_create and is_breached(password, policy)
    if policy.strength_policy == "zxcvbn":
        valid = score >= ZXCVBN_VALID_SCORE
    else:
        valid = not luds_feedback["missing_complexity"] and not luds_feedback["missing_characters"]
        zx_feedback = {"warning": "", "suggestions": []}
    if email and breached:
        valid = False
    return Strength(
        valid_password=valid,
        score=score,
        breached_password=breached,
        strength_policy=policy.strength_policy,
        breach_detection_on_create=policy.breach_detection_on_create,
        luds_feedback=luds_feedback,
        zxcvbn_feedback=zx_feedback,
    )


def check_new_password(password: str, email: str, policy: PasswordPolicy) -> None:
    """A password about to be set: strong enough under the policy, and not breached (when
    breach detection on create is on), else ``weak_password`` / ``breached_password``."""
    result = strength(password, email, policy)
    if result.breached_password:
        raise pw_errors.breached_password()
    if not result.valid_password:
        raise pw_errors.weak_password()
