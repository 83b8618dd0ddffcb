"""``/sdk/v1/b2b/oauth/authenticate`` and ``.../discovery/authenticate``: the browser's half of
B2B OAuth after the provider sends the member back (``HeadlessB2BOAuthClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The SDK's ``oauth.google.start()`` and friends navigate to the backend's public start URLs
(``/v1/b2b/public/oauth/{provider}/start``, http/oauth_provider.py), adding
``pkce_code_challenge`` when the bootstrap says ``pkce_required_for_oauth``; these routes take
the token back with the verifier. The same domain calls as ``/v1/b2b/oauth/...``; the session
comes from the Basic password, the intermediate session token from the body (the SDK's
cookie)."""

from __future__ import annotations

from aiohttp import web

from ...domain import oauth
from ...models import oauth as mo
from ...models import sdk_factors as sf
from ..common import project
from ..oauth import authenticate_fields, discovery_authenticate_fields
from .common import data, optional_session_token, sdk_operation

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/oauth/authenticate")
@sdk_operation(
    "Authenticate an OAuth token", mo.OAuthAuthenticateResponse, body=sf.OAuthAuthenticateRequest
)
async def authenticate(request: web.Request, body: sf.OAuthAuthenticateRequest) -> web.Response:
    result = oauth.authenticate(
        project(request),
        oauth_token=body.oauth_token,
        pkce_code_verifier=body.pkce_code_verifier,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
        intermediate_session_token=body.intermediate_session_token,
    )
    return data(request, mo.OAuthAuthenticateResponse, **await authenticate_fields(request, result))


@routes.post("/sdk/v1/b2b/oauth/discovery/authenticate")
@sdk_operation(
    "Authenticate a discovery OAuth token",
    mo.OAuthDiscoveryAuthenticateResponse,
    body=sf.OAuthDiscoveryAuthenticateRequest,
)
async def discovery_authenticate(
    request: web.Request, body: sf.OAuthDiscoveryAuthenticateRequest
) -> web.Response:
    result = oauth.discovery_authenticate(
        project(request),
        discovery_oauth_token=body.discovery_oauth_token,
        pkce_code_verifier=body.pkce_code_verifier,
    )
    return data(
        request, mo.OAuthDiscoveryAuthenticateResponse, **discovery_authenticate_fields(result)
    )
