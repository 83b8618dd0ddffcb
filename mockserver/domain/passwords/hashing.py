"""Passwords kept as real hashes, and hashes migrated from another system.

- New passwords are stored as argon2id (``argon2-cffi``), with cheap parameters by default so
  tests stay fast (:class:`Argon2Parameters`; set in the project's ``passwords`` config).
- ``passwords.migrate`` accepts the hash types Stytch lists (``MigrateRequestHashType`` in the
  Python SDK: bcrypt, md_5, argon_2i, argon_2id, sha_1, sha_512, scrypt, phpass, pbkdf_2) with
  their config objects. Each is checked for shape at migrate time and verified on the first
  authenticate by a real implementation (``bcrypt``, ``argon2-cffi``, ``hashlib``, ``passlib``
  from the libpass distribution); a verified password is then re-stored as argon2id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import argon2
import bcrypt
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type, hash_secret_raw

from . import errors as pw_errors

STORED_TYPE = "argon_2id"
HASH_TYPES = (
    "bcrypt",
    "md_5",
    "argon_2i",
    "argon_2id",
    "sha_1",
    "sha_512",
    "scrypt",
    "phpass",
    "pbkdf_2",
)

# Upper bounds that keep one verification cheap enough for a shared test machine
# ([chosen]; Stytch documents only scrypt's N limit).
MAX_SCRYPT_N = 262144
MAX_PBKDF2_ITERATIONS = 10_000_000
MAX_ARGON2_MEMORY_KIB = 1024 * 1024
MAX_ARGON2_ITERATIONS = 100
MAX_KEY_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """argon2id cost for stored passwords (``time_cost`` passes, ``memory_cost`` KiB)."""

    time_cost: int = 1
    memory_cost: int = 1024
    parallelism: int = 1

    def hasher(self) -> argon2.PasswordHasher:
        return _hasher(self.time_cost, self.memory_cost, self.parallelism)


_HASHERS: dict[tuple[int, int, int], argon2.PasswordHasher] = {}


def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> argon2.PasswordHasher:
    key = (time_cost, memory_cost, parallelism)
    hasher = _HASHERS.get(key)
    if hasher is None:
        hasher = _HASHERS[key] = argon2.PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
    return hasher


def hash_password(password: str, params: Argon2Parameters) -> str:
    """The argon2id PHC string of ``password``."""
    return params.hasher().hash(password)


@dataclass(frozen=True, slots=True)
class PasswordHash:
    """A stored hash: ``hash_type`` is ``argon_2id`` for passwords set here, or a migrated type
    with the ``config`` it was migrated with (salts, costs; never the password)."""

    hash_type: str
    hash: str
    config: dict[str, Any] | None = None


def verify(stored: PasswordHash, password: str) -> bool:
    return _VERIFIERS[stored.hash_type](stored, password.encode())


# --- migrate: checking the shape ----------------------------------------------------------

_HEX = re.compile(r"[0-9a-fA-F]+")
_BCRYPT = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")
_PHPASS = re.compile(r"\$[PH]\$[./0-9A-Za-z]{31}")
_HEX_LENGTHS = {"md_5": 32, "sha_1": 40, "sha_512": 128}
_SALTED_CONFIG = {"md_5": "md_5_config", "sha_1": "sha_1_config", "sha_512": "sha_512_config"}


def check_migrated(hash_type: str, value: str, configs: dict[str, Any]) -> PasswordHash:
    """The hash to store for a migrate request, or the Stytch error for a malformed one.
    ``configs`` holds the request's ``*_config`` objects (absent ones left out)."""
    if hash_type not in HASH_TYPES:
        raise pw_errors.invalid_hash_type()
    if not value:
        raise pw_errors.invalid_hash()
    if hash_type == "bcrypt":
        match = _BCRYPT.fullmatch(value)
        if match is None:
            raise pw_errors.invalid_hash("invalid_bcrypt_hash", "bcrypt hash")
        if not 4 <= int(match.group(1)) <= 31:
            raise pw_errors.invalid_hash("invalid_bcrypt_cost", "bcrypt cost")
        return PasswordHash(hash_type, value)
    if hash_type in _HEX_LENGTHS:
        if len(value) != _HEX_LENGTHS[hash_type] or not _HEX.fullmatch(value):
            raise pw_errors.invalid_hash(f"invalid_{hash_type}_hash", f"{hash_type} hash")
        config = configs.get(_SALTED_CONFIG[hash_type]) or {}
        salts = {
            "prepend_salt": config.get("prepend_salt") or "",
            "append_salt": config.get("append_salt") or "",
        }
        return PasswordHash(hash_type, value.lower(), salts)
    if hash_type in ("argon_2i", "argon_2id"):
        return _check_argon2(hash_type, value, configs.get("argon_2_config"))
    if hash_type == "scrypt":
        return _check_scrypt(value, configs.get("scrypt_config"))
    if hash_type == "pbkdf_2":
        return _check_pbkdf2(value, configs.get("pbkdf_2_config"))
    if not value.startswith(("$P$", "$H$")):
        raise pw_errors.invalid_hash("invalid_phpass_hash_prefix", "phpass hash prefix")
    if not _PHPASS.fullmatch(value):
        raise pw_errors.invalid_hash("invalid_phpass_hash_format", "phpass hash")
    return PasswordHash("phpass", value)


def _check_argon2(hash_type: str, value: str, config: dict[str, Any] | None) -> PasswordHash:
    prefix = "$argon2i$" if hash_type == "argon_2i" else "$argon2id$"
    if value.startswith("$"):
        # The encoded (PHC) form carries its own parameters.
        if not value.startswith(prefix):
            raise pw_errors.invalid_hash()
        try:
            params = argon2.extract_parameters(value)
        except (InvalidHashError, ValueError):
            raise pw_errors.invalid_hash() from None
        if params.memory_cost > MAX_ARGON2_MEMORY_KIB or params.time_cost > MAX_ARGON2_ITERATIONS:
            raise pw_errors.invalid_hash()
        return PasswordHash(hash_type, value)
    # The hex form needs argon_2_config (salt, iteration_amount, memory, threads, key_length).
    if config is None:
        raise pw_errors.invalid_hash()
    raw = _hex(value)
    if raw is None:
        raise pw_errors.invalid_hash()
    if not config["salt"]:
        raise pw_errors.invalid_hash("invalid_argon_2_salt", "argon_2_config.salt")
    if not 1 <= config["iteration_amount"] <= MAX_ARGON2_ITERATIONS:
        raise pw_errors.invalid_hash(
            "invalid_argon_2_iteration_amount", "argon_2_config.iteration_amount"
        )
    if not 8 <= config["memory"] <= MAX_ARGON2_MEMORY_KIB:
        raise pw_errors.invalid_hash("invalid_argon_2_memory", "argon_2_config.memory")
    if not 1 <= config["threads"] <= 255:
        raise pw_errors.invalid_hash("invalid_argon_2_threads", "argon_2_config.threads")
    if not 4 <= config["key_length"] <= MAX_KEY_LENGTH:
        raise pw_errors.invalid_hash("invalid_argon_2_key_length", "argon_2_config.key_length")
    if len(raw) != config["key_length"]:
        raise pw_errors.key_length_mismatch("argon_2_key_length_mismatch")
    return PasswordHash(hash_type, value.lower(), dict(config))


_SCRYPT_PHC = re.compile(r"\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)")


def _check_scrypt(value: str, config: dict[str, Any] | None) -> PasswordHash:
    if config is None:
        # Without scrypt_config the hash must be PHC-encoded: $scrypt$ln=..,r=..,p=..$salt$hash
        # (salt and hash in unpadded base64; passlib's "." for "+" is accepted too).
        match = _SCRYPT_PHC.fullmatch(value)
        if match is None:
            raise pw_errors.invalid_hash("invalid_base64_scrypt_hash", "scrypt hash")
        salt, raw = _b64(match.group(4)), _b64(match.group(5))
        if salt is None:
            raise pw_errors.invalid_hash("invalid_base64_scrypt_salt", "scrypt salt")
        if raw is None:
            raise pw_errors.invalid_hash("invalid_base64_scrypt_hash", "scrypt hash")
        ln = int(match.group(1))
        config = {
            "salt": base64.b64encode(salt).decode(),
            "n_parameter": 1 << ln if ln < 40 else 0,
            "r_parameter": int(match.group(2)),
            "p_parameter": int(match.group(3)),
            "key_length": len(raw),
        }
    else:
        raw = _b64(value)
        if raw is None:
            raise pw_errors.invalid_hash("invalid_base64_scrypt_hash", "scrypt hash")
        if _b64(config["salt"]) is None:
            raise pw_errors.invalid_hash("invalid_base64_scrypt_salt", "scrypt salt")
    n, r, p = config["n_parameter"], config["r_parameter"], config["p_parameter"]
    if n < 2 or n > MAX_SCRYPT_N or n & (n - 1):
        raise pw_errors.invalid_hash("invalid_scrypt_n_parameter", "scrypt n_parameter")
    if r < 1 or p < 1 or 128 * r * p > 32 * 1024 * 1024 or 128 * n * r > 256 * 1024 * 1024:
        raise pw_errors.invalid_hash("invalid_scrypt_parameters", "scrypt parameters")
    if len(raw) != config["key_length"]:
        raise pw_errors.key_length_mismatch("scrypt_key_length_mismatch")
    return PasswordHash("scrypt", base64.b64encode(raw).decode(), dict(config))


def _check_pbkdf2(value: str, config: dict[str, Any] | None) -> PasswordHash:
    if config is None:
        raise pw_errors.invalid_hash("invalid_pbkdf_2_hash", "pbkdf_2 hash (pbkdf_2_config)")
    raw = _b64(value)
    if raw is None:
        raise pw_errors.invalid_hash("invalid_pbkdf_2_hash", "pbkdf_2 hash")
    if _b64(config["salt"]) is None:
        raise pw_errors.invalid_hash("invalid_pbkdf_2_salt", "pbkdf_2_config.salt")
    algorithm = config.get("algorithm") or "sha256"
    if algorithm not in ("sha256", "sha512"):
        raise pw_errors.invalid_hash("invalid_pbkdf_2_algorithm", "pbkdf_2_config.algorithm")
    if not 1 <= config["iteration_amount"] <= MAX_PBKDF2_ITERATIONS:
        raise pw_errors.invalid_hash(
            "invalid_pbkdf_2_iteration_amount", "pbkdf_2_config.iteration_amount"
        )
    if len(raw) != config["key_length"]:
        raise pw_errors.key_length_mismatch("pbkdf_2_key_length_mismatch")
    stored = dict(config, algorithm=algorithm)
    return PasswordHash("pbkdf_2", base64.b64encode(raw).decode(), stored)


def _hex(value: str) -> bytes | None:
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def _b64(value: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; passlib's "." stands for "+"."""
    text = value.strip().replace(".", "+").replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw or None


# --- verification -----------------------------------------------------------------------


def _verify_argon2(stored: PasswordHash, password: bytes) -> bool:
    kind = Type.I if stored.hash_type == "argon_2i" else Type.ID
    if stored.config is None:
        try:
            return argon2.low_level.verify_secret(stored.hash.encode(), password, kind)
        except VerificationError:
            return False
    c = stored.config
    computed = hash_secret_raw(
        password,
        c["salt"].encode(),
        time_cost=c["iteration_amount"],
        memory_cost=c["memory"],
        parallelism=c["threads"],
        hash_len=c["key_length"],
        type=kind,
    )
    return hmac.compare_digest(computed, bytes.fromhex(stored.hash))


def _verify_salted(stored: PasswordHash, password: bytes) -> bool:
    c = stored.config or {}
    salted = c.get("prepend_salt", "").encode() + password + c.get("append_salt", "").encode()
    name = {"md_5": "md5", "sha_1": "sha1", "sha_512": "sha512"}[stored.hash_type]
    return hmac.compare_digest(hashlib.new(name, salted).hexdigest(), stored.hash)


def _verify_scrypt(stored: PasswordHash, password: bytes) -> bool:
    c = stored.config or {}
    n, r, p = c["n_parameter"], c["r_parameter"], c["p_parameter"]
    computed = hashlib.scrypt(
        password,
        salt=_b64(c["salt"]) or b"",
        n=n,
        r=r,
        p=p,
        maxmem=128 * n * r + 128 * r * p + (1 << 20),
        dklen=c["key_length"],
    )
    return hmac.compare_digest(computed, base64.b64decode(stored.hash))


def _verify_pbkdf2(stored: PasswordHash, password: bytes) -> bool:
    c = stored.config or {}
    computed = hashlib.pbkdf2_hmac(
        c["algorithm"], password, _b64(c["salt"]) or b"", c["iteration_amount"], c["key_length"]
    )
    return hmac.compare_digest(computed, base64.b64decode(stored.hash))


def _verify_bcrypt(stored: PasswordHash, password: bytes) -> bool:
    # bcrypt reads at most 72 bytes of a password; longer ones are refused by the library.
    return bcrypt.checkpw(password[:72], stored.hash.encode())


def _verify_phpass(stored: PasswordHash, password: bytes) -> bool:
    # Loaded on first use: only migrated phpass hashes need it.
    from passlib.hash import phpass  # type: ignore[import-untyped]

    return bool(phpass.verify(password, stored.hash))


_VERIFIERS: dict[str, Callable[[PasswordHash, bytes], bool]] = {
    "bcrypt": _verify_bcrypt,
    "md_5": _verify_salted,
    "sha_1": _verify_salted,
    "sha_512": _verify_salted,
    "argon_2i": _verify_argon2,
    "argon_2id": _verify_argon2,
    "scrypt": _verify_scrypt,
    "pbkdf_2": _verify_pbkdf2,
    "phpass": _verify_phpass,
}
