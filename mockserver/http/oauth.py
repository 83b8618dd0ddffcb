"""``/v1/b2b/oauth/...`` and the stored provider tokens: the backend half of B2B OAuth.

The browser half (start URLs and the mock's provider page) is in http/oauth_provider.py.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..domain import oauth
from ..domain.oauth_factors import OAuthProvider
from ..models import oauth as mo
from .common import operation, project, render
from .render import auth_result_fields, discovery_fields

routes = web.RouteTableDef()


@routes.post("/v1/b2b/oauth/authenticate")
@operation(
    "Authenticate an OAuth token", mo.OAuthAuthenticateResponse, body=mo.OAuthAuthenticateRequest
)
async def authenticate(request: web.Request, body: mo.OAuthAuthenticateRequest) -> web.Response:
    result = oauth.authenticate(
        project(request),
        oauth_token=body.oauth_token,
        pkce_code_verifier=body.pkce_code_verifier,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
        intermediate_session_token=body.intermediate_session_token,
    )
    return render(
        request, mo.OAuthAuthenticateResponse, **await authenticate_fields(request, result)
    )


async def authenticate_fields(request: web.Request, result: oauth.OAuthResult) -> dict[str, Any]:
    """``oauth.authenticate``'s answer (here and at ``/sdk/v1/b2b/oauth/authenticate``)."""
    return {
        "provider_subject": result.provider_subject,
        "provider_type": result.provider_type,
        "provider_values": result.provider_values,
        "organization_id": result.auth.organization.organization_id,
        "reset_sessions": False,
        **await auth_result_fields(request, result.auth),
    }


@routes.post("/v1/b2b/oauth/discovery/authenticate")
@operation(
    "Authenticate a discovery OAuth token",
    mo.OAuthDiscoveryAuthenticateResponse,
    body=mo.OAuthDiscoveryAuthenticateRequest,
)
async def discovery_authenticate(
    request: web.Request, body: mo.OAuthDiscoveryAuthenticateRequest
) -> web.Response:
    result = oauth.discovery_authenticate(
        project(request),
        discovery_oauth_token=body.discovery_oauth_token,
        pkce_code_verifier=body.pkce_code_verifier,
    )
    return render(
        request, mo.OAuthDiscoveryAuthenticateResponse, **discovery_authenticate_fields(result)
    )


def discovery_authenticate_fields(result: oauth.DiscoveryOAuthResult) -> dict[str, Any]:
    """``oauth.discovery.authenticate``'s answer (here and at
    ``/sdk/v1/b2b/oauth/discovery/authenticate``)."""
    return {
        "provider_type": result.provider_type,
        "provider_tenant_id": result.provider_tenant_id,
        "provider_tenant_ids": result.provider_tenant_ids,
        "full_name": result.full_name,
        **discovery_fields(result.discovery),
    }


def _provider_tokens_route(provider: OAuthProvider, response: type[mo.ResponseBase]) -> None:
    path = (
        "/v1/b2b/organizations/{organization_id}/members/{member_id}/oauth_providers/"
        + provider.value
    )

    @routes.get(path)
    @operation(
        f"Get a member's stored {oauth.PROVIDER_TYPES[provider]} OAuth tokens",
        response,
        query=mo.OAuthProvidersQuery,
    )
    async def provider_tokens(request: web.Request, query: mo.OAuthProvidersQuery) -> web.Response:
        fields = oauth.member_provider_tokens(
            project(request),
            organization_id=request.match_info["organization_id"],
            member_id=request.match_info["member_id"],
            oauth_provider=provider,
            include_refresh_token=query.include_refresh_token,
        )
        return render(request, response, **fields)

    provider_tokens.__name__ = f"{provider.value}_tokens"


for _provider, _response in (
    (OAuthProvider.GOOGLE, mo.GoogleTokensResponse),
    (OAuthProvider.MICROSOFT, mo.MicrosoftTokensResponse),
    (OAuthProvider.SLACK, mo.SlackTokensResponse),
    (OAuthProvider.HUBSPOT, mo.HubspotTokensResponse),
    (OAuthProvider.GITHUB, mo.GithubTokensResponse),
):
    _provider_tokens_route(_provider, _response)
