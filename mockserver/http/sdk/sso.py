"""``/sdk/v1/b2b/sso/authenticate``: the browser's half of SSO after the IdP sends the member
back (``HeadlessB2BSSOClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The SDK's ``sso.start()`` navigates to the backend's ``/v1/public/sso/start``
(http/sso_browser.py), adding ``pkce_code_challenge`` when the bootstrap says
``pkce_required_for_sso``; this route takes the token back with the verifier. The same domain
call as ``/v1/b2b/sso/authenticate``; the session comes from the Basic password, the
intermediate session token from the body (the SDK's cookie)."""

from __future__ import annotations

from aiohttp import web

from ...domain import sso_login
from ...models import sdk_factors as sf
from ...models import sso as ms
from ..common import project
from ..sso import authenticate_fields
from .common import data, optional_session_token, sdk_operation

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/sso/authenticate")
@sdk_operation(
    "Authenticate an SSO token", ms.SSOAuthenticateResponse, body=sf.SSOAuthenticateRequest
)
async def authenticate(request: web.Request, body: sf.SSOAuthenticateRequest) -> web.Response:
    result = sso_login.authenticate(
        project(request),
        sso_token=body.sso_token,
        pkce_code_verifier=body.pkce_code_verifier,
        session_token=optional_session_token(request),
        session_jwt=None,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=None,
        intermediate_session_token=body.intermediate_session_token,
    )
    return data(request, ms.SSOAuthenticateResponse, **await authenticate_fields(request, result))
