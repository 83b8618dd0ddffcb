"""Per-project RS256 signing keys and their JWKS entries.

Keys are 2048-bit RSA (as Stytch's); ``kid`` is ``jwk-test-<uuid>`` like the real sandbox JWT's
header. The JWK carries all nine fields the SDKs' ``JWK`` model requires
(``kty use key_ops alg kid x5c x5tS256 n e``;
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/sessions.py).

A session JWT is made in two steps (:class:`SessionJWT`): its claims are fixed and encoded when
the domain mints it, and its RS256 signature (about 0.3 ms of CPU, most of a login's cost) may be
computed later and elsewhere, e.g. by the signer process of :mod:`mockserver.signer`. The
encoding is RFC 7515's compact serialization with the header PyJWT writes (sorted keys, no
spaces); PyJWT and both SDKs verify it (tests/test_signer.py).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..idp.certs import new_rsa_key
from ..ids import new_id


def _b64uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big")).decode("ascii")


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def rs256_signature(private_key: rsa.RSAPrivateKey, signing_input: bytes) -> bytes:
    """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over a JWS signing input."""
    return private_key.sign(signing_input, _PKCS1V15, _SHA256)


# The one RSA key maker (2048 bits), here under the name the key pool and its test use.
new_private_key = new_rsa_key


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, env: str = "test") -> SigningKey:
        return cls(kid=new_id("jwk", env), private_key=new_private_key())

    @classmethod
    def from_pem(cls, kid: str, pem: str) -> SigningKey:
        """A key saved by :meth:`private_pem` (a state document's ``signing_keys``)."""
        try:
            private_key = serialization.load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError):
            raise ValueError("not a PEM private key without a password") from None
        if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size < 2048:
            raise ValueError("not an RSA private key of 2048 bits or more")
        return cls(kid=kid, private_key=private_key)

    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    @cached_property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @cached_property
    def jwk(self) -> dict[str, Any]:
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "key_ops": ["verify"],
            "alg": "RS256",
            "kid": self.kid,
            "x5c": [],
            "x5tS256": "",
            "n": _b64uint(numbers.n),
            "e": _b64uint(numbers.e),
        }

    @cached_property
    def _header_segment(self) -> bytes:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        return b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())

    def unsigned(self, claims: dict[str, Any]) -> SessionJWT:
        """The JWT for ``claims``, encoded but not signed yet."""
        payload = b64url(json.dumps(claims, separators=(",", ":"), allow_nan=False).encode())
        return SessionJWT(self, self._header_segment + b"." + payload)

    def verify(self, token: str, *, audience: str, issuers: list[str]) -> dict[str, Any]:
        """Signature, ``aud`` and ``iss``; not ``exp`` (an expired JWT of a live session is still
        accepted by sessions/authenticate, which refreshes it). Raises ``jwt.PyJWTError``."""
        return jwt.decode(
            token,
            self.public_key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuers,
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )


class SessionJWT:
    """A JWT whose header and claims are encoded (``signing_input``) and whose signature may
    still be missing. ``token`` is the compact JWT once signed, else None."""

    __slots__ = ("key", "signing_input", "token")

    def __init__(self, key: SigningKey, signing_input: bytes) -> None:
        self.key = key
        self.signing_input = signing_input
        self.token: str | None = None

    def with_signature(self, signature: bytes) -> str:
        self.token = (self.signing_input + b"." + b64url(signature)).decode("ascii")
        return self.token

    def sign_here(self) -> str:
        """Sign in this thread (if not signed yet) and return the token."""
        if self.token is None:
            self.with_signature(rs256_signature(self.key.private_key, self.signing_input))
        return self.token  # type: ignore[return-value]
