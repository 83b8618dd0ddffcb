"""What the OAuth flows keep: pending authorization requests (start -> provider page), the
single-use tokens the provider page hands to the app, and the provider tokens (access, refresh,
ID token) of each provider identity, for ``GET .../oauth_providers/{provider}``.

Requests and tokens live 10 minutes ([chosen]: Stytch publishes no lifetime) and are swept
once expired, so the store stays bounded by what the last ten minutes produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .oauth_factors import OAuthProvider

SWEEP_EVERY = 1024


@dataclass(slots=True)
class OAuthIdentity:
    """Who the (mock) provider says signed in."""

    provider: OAuthProvider
    email: str
    name: str
    provider_subject: str
    email_verified: bool = True
    hosted_domain: str = ""
    tenant_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OAuthRequest:
    """A start URL's authorization request, waiting at the provider page (``state``)."""

    state: str
    provider: OAuthProvider
    discovery: bool
    organization_id: str | None
    login_redirect_url: str
    signup_redirect_url: str
    scopes: list[str]
    pkce_code_challenge: str | None
    provider_params: dict[str, str]
    expires_at: datetime


@dataclass(slots=True)
class OAuthToken:
    """The token the app receives (``stytch_token_type`` oauth or discovery_oauth)."""

    token: str
    discovery: bool
    identity: OAuthIdentity
    organization_id: str | None
    scopes: list[str]
    pkce_code_challenge: str | None
    expires_at: datetime
    used: bool = False


@dataclass(slots=True)
class ProviderTokens:
    access_token: str
    access_token_expires_at: datetime
    scopes: list[str]
    refresh_token: str | None = None
    id_token: str | None = None
    tenant_ids: list[str] = field(default_factory=list)


class OAuthStore:
    def __init__(self) -> None:
        self.requests: dict[str, OAuthRequest] = {}
        self.tokens: dict[str, OAuthToken] = {}
        # (provider, provider_subject) -> the tokens of that identity's latest login
        self.provider_tokens: dict[tuple[str, str], ProviderTokens] = {}

    def add_request(self, request: OAuthRequest, now: datetime) -> None:
        _sweep(self.requests, now)
        self.requests[request.state] = request

    def add_token(self, token: OAuthToken, now: datetime) -> None:
        _sweep(self.tokens, now)
        self.tokens[token.token] = token


def _sweep(table: dict[str, OAuthRequest] | dict[str, OAuthToken], now: datetime) -> None:
    """Drop expired entries every SWEEP_EVERY additions (amortised O(1) per addition)."""
    if table and len(table) % SWEEP_EVERY == 0:
        for key in [k for k, v in table.items() if v.expires_at <= now]:
            del table[key]
