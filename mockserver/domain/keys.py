"""Per-project RS256 signing keys and their JWKS entries.

Keys are 2048-bit RSA (as Stytch's); ``kid`` is ``jwk-test-<uuid>`` like the real sandbox JWT's
header (stytch-b2b-semantics.md §4.4). The JWK carries all nine fields the SDKs' ``JWK`` model
requires (``kty use key_ops alg kid x5c x5tS256 n e``; stytch-b2b-api.md §2.5).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..ids import new_id


def _b64uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, env: str = "test") -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid=new_id("jwk", env), private_key=private_key)

    @classmethod
    def from_pem(cls, pem: bytes | str, kid: str) -> SigningKey:
        data = pem.encode() if isinstance(pem, str) else pem
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the signing key must be an RSA private key")
        return cls(kid=kid, private_key=key)

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

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"}
        )

    def verify(self, token: str, *, audience: str, issuers: list[str]) -> dict[str, Any]:
        """Signature, ``aud`` and ``iss``; not ``exp`` (an expired JWT of a live session is still
        accepted by sessions/authenticate, stytch-b2b-api.md §5.4). Raises ``jwt.PyJWTError``."""
        return jwt.decode(
            token,
            self.public_key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuers,
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
