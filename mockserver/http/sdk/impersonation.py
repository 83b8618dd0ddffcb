"""``/sdk/v1/b2b/impersonation/authenticate``: the browser's half of an impersonation, when the
Dashboard sends the impersonator to the app with ``stytch_token_type=multi_tenant_impersonation``
(``HeadlessB2BImpersonationClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The same domain call as ``/v1/b2b/impersonation/authenticate``; a session the browser already
holds plays no part (the token names the member)."""

from __future__ import annotations

from aiohttp import web

from ...domain import impersonation
from ...models import impersonation as m
from ..common import project
from ..impersonation import authenticate_fields
from .common import data, sdk_operation

routes = web.RouteTableDef()


@routes.post("/sdk/v1/b2b/impersonation/authenticate")
@sdk_operation(
    "Authenticate an impersonation token",
    m.ImpersonationAuthenticateResponse,
    body=m.ImpersonationAuthenticateRequest,
)
async def authenticate(
    request: web.Request, body: m.ImpersonationAuthenticateRequest
) -> web.Response:
    grant = impersonation.authenticate(
        project(request), impersonation_token=body.impersonation_token
    )
    return data(
        request, m.ImpersonationAuthenticateResponse, **await authenticate_fields(request, grant)
    )
