"""A project's password settings: Stytch's Dashboard "password strength config" plus the
mock's own knobs (breach corpus, hashing cost, member locks). Set per project in the config
file (``passwords:``) or at run time through ``POST /_mock/password_policy``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .hashing import Argon2Parameters


class PasswordPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Stytch's two strength policies; zxcvbn is Stytch's default (valid when score >= 3).
    strength_policy: Literal["zxcvbn", "luds"] = "zxcvbn"
    # LUDS: Stytch's dashboard bootstrap uses length 8 and 3 character classes.
    luds_min_password_length: int = Field(default=8, ge=1, le=256)
    luds_complexity: int = Field(default=3, ge=1, le=4)
    # Breach detection (Stytch: HaveIBeenPwned, on by default both on create and at login).
    # Offline here: a password counts as breached when it, lower-cased, is one of the
    # ``breach_corpus_size`` most common passwords of zxcvbn's own frequency list, or is in
    # ``breached_passwords``.
    breach_detection_on_create: bool = True
    breach_detection_on_login: bool = True
    breach_corpus_size: int = Field(default=30000, ge=0, le=30000)
    breached_passwords: list[str] = Field(default_factory=list, max_length=10000)
    # Cross-organization passwords (one password per email, discovery endpoints, require_reset)
    # or organization-scoped ones (one per member; the default).
    cross_org_passwords: bool = False
    # Wrong passwords count towards a member lock (domain.locks) at this threshold and lock
    # for these minutes (Stytch's defaults: 10, 1 hour); 0 leaves them uncounted.
    lock_threshold: int = Field(default=10, ge=0, le=1000)
    lock_minutes: int = Field(default=60, ge=5, le=10080)
    # argon2id cost of stored passwords (cheap by default: tests stay fast).
    argon2_time_cost: int = Field(default=1, ge=1, le=10)
    argon2_memory_kib: int = Field(default=1024, ge=8, le=1024 * 1024)
    argon2_parallelism: int = Field(default=1, ge=1, le=16)

    @model_validator(mode="after")
    def _argon2_memory(self) -> PasswordPolicy:
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError("argon2_memory_kib must be at least 8 x argon2_parallelism")
        return self

    @property
    def argon2(self) -> Argon2Parameters:
        return Argon2Parameters(
            self.argon2_time_cost, self.argon2_memory_kib, self.argon2_parallelism
        )


DEFAULT_POLICY = PasswordPolicy()
