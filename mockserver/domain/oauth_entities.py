"""What the OAuth flows keep (the stores are in stores/oauth.py): pending authorization
requests (start URL -> provider page), the single-use tokens the provider page hands to the app,
and the provider tokens (access, refresh, ID token) of each provider identity, for
``GET .../oauth_providers/{provider}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .oauth_factors import OAuthProvider


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
    """The tokens of one provider identity's latest login."""

    provider: OAuthProvider
    provider_subject: str
    access_token: str
    access_token_expires_at: datetime
    scopes: list[str]
    refresh_token: str | None = None
    id_token: str | None = None
    tenant_ids: list[str] = field(default_factory=list)
