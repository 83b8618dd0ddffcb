"""OAuth requests and responses, field for field as the Python SDK declares them
(``stytch/b2b/api/oauth.py``, ``oauth_discovery.py``,
``organizations_members_oauth_providers.py`` and their models in stytch 15.3.0).

The start URLs are browser-facing and take query parameters as the frontend SDK builds them
(``HeadlessB2BOAuthClient.startOAuthFlow`` in stytchauth/stytch-browser).
"""

from __future__ import annotations

from datetime import datetime

from .objects import WireModel
from .requests import JSONBody, Metadata, PrimaryAuthenticateFields, Query
from .responses import AuthResultResponse, DiscoveryAuthenticateResponse, ResponseBase

# --- requests ----------------------------------------------------------------------------


class OAuthAuthenticateRequest(PrimaryAuthenticateFields):
    oauth_token: str


class OAuthDiscoveryAuthenticateRequest(JSONBody):
    discovery_oauth_token: str
    # Sent by the SDK but undocumented: accepted and ignored.
    session_token: str | None = None
    session_duration_minutes: int | None = None
    session_jwt: str | None = None
    session_custom_claims: Metadata | None = None
    pkce_code_verifier: str | None = None


class OAuthProvidersQuery(Query):
    include_refresh_token: bool = False


# --- responses ---------------------------------------------------------------------------


class ProviderValuesObject(WireModel):
    scopes: list[str]
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: datetime | None = None
    id_token: str | None = None


class OAuthAuthenticateResponse(AuthResultResponse):
    provider_subject: str
    provider_type: str
    organization_id: str
    reset_sessions: bool
    provider_values: ProviderValuesObject | None = None


class OAuthDiscoveryAuthenticateResponse(DiscoveryAuthenticateResponse):
    provider_type: str
    provider_tenant_id: str
    provider_tenant_ids: list[str]
    full_name: str


class GoogleTokensResponse(ResponseBase):
    provider_type: str
    provider_subject: str
    id_token: str
    scopes: list[str]
    access_token: str | None = None
    access_token_expires_in: int | None = None
    refresh_token: str | None = None


class MicrosoftTokensResponse(ResponseBase):
    provider_type: str
    provider_subject: str
    access_token: str
    access_token_expires_in: int
    id_token: str
    scopes: list[str]
    refresh_token: str | None = None


class SlackProviderInfoObject(WireModel):
    provider_subject: str
    provider_tenant_id: str
    access_token: str
    scopes: list[str]
    bot_access_token: str
    bot_scopes: list[str]


class HubspotProviderInfoObject(WireModel):
    provider_subject: str
    provider_tenant_id: str
    access_token: str
    access_token_expires_in: int
    scopes: list[str]
    refresh_token: str | None = None


class GithubProviderInfoObject(WireModel):
    provider_subject: str
    provider_tenant_ids: list[str]
    access_token: str
    scopes: list[str]


class SlackTokensResponse(ResponseBase):
    provider_type: str
    registrations: list[SlackProviderInfoObject]


class HubspotTokensResponse(ResponseBase):
    provider_type: str
    registrations: list[HubspotProviderInfoObject]


class GithubTokensResponse(ResponseBase):
    provider_type: str
    registrations: list[GithubProviderInfoObject]
