"""passwords.migrate with every hash type Stytch accepts (``MigrateRequestHashType`` in the
Python SDK: bcrypt, md_5, argon_2i, argon_2id, sha_1, sha_512, scrypt, phpass, pbkdf_2), each
hash made by an implementation independent of the one the mock verifies with: the
``cryptography`` package (argon2i, argon2id, scrypt, PBKDF2, MD5/SHA digests), passlib
(PHC-encoded scrypt), and published reference vectors (crypt_blowfish for bcrypt, Openwall's
phpass test for phpass; the Argon2 reference implementation's README vector is checked in
tests/test_passwords.py, without the SDK, as its 64 MiB cost is too high to repeat). Each
migrated member then signs in with the password, and a wrong password is refused.
"""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2i, Argon2id
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from contracts.helpers import refused
from contracts.support import unique

pytestmark = pytest.mark.mock_only(reason="sets the password policy through /_mock/")

PASSWORD = "migrated from the old system 7"


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> str:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize().hex()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _argon2id_encoded() -> dict:
    kdf = Argon2id(salt=os.urandom(16), length=32, iterations=2, lanes=1, memory_cost=64)
    return {"hash": kdf.derive_phc_encoded(PASSWORD.encode())}


def _argon2i_encoded() -> dict:
    kdf = Argon2i(salt=os.urandom(16), length=32, iterations=2, lanes=1, memory_cost=64)
    return {"hash": kdf.derive_phc_encoded(PASSWORD.encode())}


def _argon2id_hex() -> dict:
    raw = Argon2id(salt=b"salty-salt", length=24, iterations=2, lanes=1, memory_cost=64).derive(
        PASSWORD.encode()
    )
    config = {
        "salt": "salty-salt",
        "iteration_amount": 2,
        "memory": 64,
        "threads": 1,
        "key_length": 24,
    }
    return {"hash": raw.hex(), "argon_2_config": config}


def _scrypt_config() -> dict:
    salt = os.urandom(16)
    raw = Scrypt(salt=salt, length=32, n=1024, r=8, p=1).derive(PASSWORD.encode())
    config = {
        "salt": _b64(salt),
        "n_parameter": 1024,
        "r_parameter": 8,
        "p_parameter": 1,
        "key_length": 32,
    }
    return {"hash": _b64(raw), "scrypt_config": config}


def _scrypt_phc() -> dict:
    from passlib.hash import scrypt

    return {"hash": scrypt.using(rounds=10, block_size=8, parallelism=1).hash(PASSWORD)}


def _pbkdf2(algorithm: str) -> dict:
    salt = os.urandom(16)
    digest = hashes.SHA256() if algorithm == "sha256" else hashes.SHA512()
    raw = PBKDF2HMAC(algorithm=digest, length=32, salt=salt, iterations=1000).derive(
        PASSWORD.encode()
    )
    config = {
        "salt": _b64(salt),
        "iteration_amount": 1000,
        "key_length": 32,
        "algorithm": algorithm,
    }
    return {"hash": _b64(raw), "pbkdf_2_config": config}


def _salted(algorithm: hashes.HashAlgorithm, config_name: str) -> dict:
    salted = b"pre-" + PASSWORD.encode() + b"-post"
    config = {"prepend_salt": "pre-", "append_salt": "-post"}
    return {"hash": _digest(algorithm, salted), config_name: config}


# (hash_type, builder of the hash and its config, the password it was made from)
CASES = [
    # crypt_blowfish's reference vector (Openwall): "U*U" at cost 5.
    (
        "bcrypt",
        lambda: {"hash": "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
        "U*U",
    ),
    ("md_5", lambda: {"hash": _digest(hashes.MD5(), PASSWORD.encode())}, PASSWORD),
    ("md_5", lambda: _salted(hashes.MD5(), "md_5_config"), PASSWORD),
    ("sha_1", lambda: _salted(hashes.SHA1(), "sha_1_config"), PASSWORD),
    ("sha_512", lambda: _salted(hashes.SHA512(), "sha_512_config"), PASSWORD),
    ("argon_2id", _argon2id_encoded, PASSWORD),
    ("argon_2id", _argon2id_hex, PASSWORD),
    ("argon_2i", _argon2i_encoded, PASSWORD),
    ("scrypt", _scrypt_config, PASSWORD),
    ("scrypt", _scrypt_phc, PASSWORD),
    ("pbkdf_2", lambda: _pbkdf2("sha256"), PASSWORD),
    ("pbkdf_2", lambda: _pbkdf2("sha512"), PASSWORD),
    # Openwall phpass's test vector (portable hashes, as WordPress stores them).
    ("phpass", lambda: {"hash": "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0"}, "test12345"),
]


@pytest.mark.parametrize(
    ("hash_type", "build", "password"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_migrated_hash_signs_in(sdk, mock, new_org, hash_type, build, password):
    # Reference vectors may use common passwords; breach detection at login would refuse them.
    mock.set_password_policy(breach_detection_on_login=False)
    org = new_org()
    address = f"{unique('migrated')}@acme.co"
    made = sdk.passwords.migrate(
        email_address=address,
        hash_type=hash_type,
        organization_id=org.organization_id,
        **build(),
    )
    assert made.member_created is True
    refused(
        sdk.passwords.authenticate,
        401,
        "unauthorized_credentials",
        organization_id=org.organization_id,
        email_address=address,
        password=password + "!",
    )
    result = sdk.passwords.authenticate(
        organization_id=org.organization_id, email_address=address, password=password
    )
    assert result.member_authenticated is True
    assert result.member_id == made.member_id
    # Re-stored as argon2id: the next sign-in is checked against the new hash.
    again = sdk.passwords.authenticate(
        organization_id=org.organization_id, email_address=address, password=password
    )
    assert again.member_authenticated is True
