"""The built-in identity provider's state and its OpenID Connect rules.

One provider per project, under ``/_mock/idp/<project_id>``: an RSA key (its JWKS and its SAML
signing certificate), the OIDC clients it knows (each new OIDC connection registers one), and
its short-lived authorization codes and access tokens. The project keeps it as a store
(``domain.stores.identity_provider``); times are passed in from the project's clock. Codes
follow RFC 6749 §4.1 with PKCE (RFC 7636, S256 or plain); ID tokens are RS256 JWTs (OpenID
Connect Core §2) signed by PyJWT.

Times come from the project's clock; codes and tokens are single use / short lived and swept
when they expire, so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from ..pkce import pkce_s256
from . import certs

CODE_LIFETIME = timedelta(minutes=1)
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
ID_TOKEN_LIFETIME = timedelta(hours=1)
MAX_PENDING = 10_000


class OIDCError(ValueError):
    """An OAuth 2.0 error response: ``error`` is the RFC 6749 code."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class IdPUser:
    """Who signs in at the provider (typed or picked on its login page)."""

    email: str
    name: str = ""
    user_id: str = ""
    groups: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return (
            self.user_id
            or "idp-user-" + hashlib.sha256(self.email.lower().encode()).hexdigest()[:16]
        )

    def claims(self) -> dict[str, Any]:
        given, _, family = self.name.partition(" ")
        out: dict[str, Any] = {"sub": self.subject, "email": self.email, "email_verified": True}
        if self.name:
            out.update(name=self.name, given_name=given, family_name=family)
        if self.groups:
            out["groups"] = list(self.groups)
        return out


@dataclass
class OIDCClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    user: IdPUser
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str
    expires_at: datetime


@dataclass
class _AccessToken:
    user: IdPUser
    expires_at: datetime


class IdentityProvider:
    """A project's built-in IdP."""

    def __init__(self) -> None:
        self.clients: dict[str, OIDCClient] = {}
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, _AccessToken] = {}
        self.kid = "mock-idp-" + secrets.token_hex(8)
        self._key: rsa.RSAPrivateKey | None = None
        self._certificate_pem = ""

    def forget_logins(self) -> None:
        """Forget clients, codes and tokens (the key stays, as relying parties cache JWKS)."""
        self.clients.clear()
        self._codes.clear()
        self._tokens.clear()

    # --- keys -------------------------------------------------------------------------------

    @property
    def key(self) -> rsa.RSAPrivateKey:
        """The IdP's RSA key, made on first use (about 50 ms)."""
        if self._key is None:
            self._key = certs.new_rsa_key()
        return self._key

    def certificate_pem(self, now: datetime) -> str:
        """The certificate the IdP signs SAML responses with (10 years from first use)."""
        if not self._certificate_pem:
            self._certificate_pem = certs.pem(
                certs.self_signed(self.key, "Stytch mock IdP", issuer="Stytch mock IdP", now=now)
            )
        return self._certificate_pem

    def use_key(self, kid: str, key: rsa.RSAPrivateKey, certificate_pem: str) -> None:
        """Take over a saved key (state import)."""
        self.kid, self._key, self._certificate_pem = kid, key, certificate_pem

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [jwk]}

    # --- OIDC -------------------------------------------------------------------------------

    def register_client(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = OIDCClient(client_id, client_secret, [redirect_uri])

    def forget_client(self, client_id: str, redirect_uri: str) -> None:
        """A connection that registered this client is deleted."""
        client = self.clients.get(client_id)
        if client is not None and client.redirect_uris == [redirect_uri]:
            del self.clients[client_id]

    def check_authorize(self, params: dict[str, str]) -> OIDCClient:
        """The authorization request's client, redirect URI and response type (RFC 6749 §4.1.1)."""
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise OIDCError("invalid_client", "Unknown client_id.")
        if params.get("redirect_uri") not in client.redirect_uris:
            raise OIDCError("invalid_request", "redirect_uri is not registered for this client.")
        if params.get("response_type") != "code":
            raise OIDCError("unsupported_response_type", "Only response_type=code is supported.")
        if "openid" not in params.get("scope", "").split():
            raise OIDCError("invalid_scope", "The scope must include openid.")
        method = params.get("code_challenge_method", "plain")
        if params.get("code_challenge") and method not in ("S256", "plain"):
            raise OIDCError("invalid_request", "code_challenge_method must be S256 or plain.")
        return client

    def issue_code(self, params: dict[str, str], user: IdPUser, now: datetime) -> str:
        self._sweep(now)
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            user=user,
            scope=params.get("scope", "openid"),
            nonce=params.get("nonce"),
            code_challenge=params.get("code_challenge") or None,
            code_challenge_method=params.get("code_challenge_method", "plain"),
            expires_at=now + CODE_LIFETIME,
        )
        return code

    def _client_auth(self, form: dict[str, str], basic: tuple[str, str] | None) -> OIDCClient:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(
            client.client_secret.encode(), secret.encode()
        ):
            raise OIDCError("invalid_client", "Client authentication failed.", 401)
        return client

    def exchange_code(
        self, form: dict[str, str], basic: tuple[str, str] | None, issuer: str, now: datetime
    ) -> dict[str, Any]:
        """The token endpoint (RFC 6749 §4.1.3): a code becomes an access token and an ID token."""
        if form.get("grant_type") != "authorization_code":
            raise OIDCError("unsupported_grant_type", "Only authorization_code is supported.")
        client = self._client_auth(form, basic)
        # Single use: the code is gone before anything else can look at it.
        code = self._codes.pop(form.get("code", ""), None)
        if code is None or now >= code.expires_at or code.client_id != client.client_id:
            raise OIDCError("invalid_grant", "The authorization code is unknown, used or expired.")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OIDCError("invalid_grant", "redirect_uri differs from the authorization request.")
        if code.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            expected = pkce_s256(verifier) if code.code_challenge_method == "S256" else verifier
            if not verifier or not hmac.compare_digest(expected, code.code_challenge):
                raise OIDCError(
                    "invalid_grant", "The code_verifier does not match the code_challenge."
                )
        access = secrets.token_urlsafe(32)
        self._tokens[access] = _AccessToken(code.user, now + ACCESS_TOKEN_LIFETIME)
        claims = code.user.claims()
        claims.update(
            iss=issuer,
            aud=client.client_id,
            iat=int(now.timestamp()),
            exp=int((now + ID_TOKEN_LIFETIME).timestamp()),
        )
        if code.nonce:
            claims["nonce"] = code.nonce
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "id_token": id_token,
            "scope": code.scope,
        }

    def userinfo(self, access_token: str, now: datetime) -> dict[str, Any]:
        token = self._tokens.get(access_token)
        if token is None or now >= token.expires_at:
            raise OIDCError("invalid_token", "The access token is unknown or expired.", 401)
        return token.user.claims()

    def _sweep(self, now: datetime) -> None:
        if len(self._codes) + len(self._tokens) < MAX_PENDING:
            return
        for store in (self._codes, self._tokens):
            for key in [k for k, v in store.items() if now >= v.expires_at]:
                del store[key]
        if len(self._codes) >= MAX_PENDING:  # a flood of unused codes: the oldest go first
            for key in list(self._codes)[: MAX_PENDING // 2]:
                del self._codes[key]
