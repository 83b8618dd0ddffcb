"""``/sdk/v1/b2b/sso/...``: the browser's half of SSO login, and the SSO connection management
that Stytch's admin portal calls (``HeadlessB2BSSOClient.ts`` in
https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).

Login: the SDK's ``sso.start()`` navigates to the backend's ``/v1/public/sso/start``
(http/sso_browser.py), adding ``pkce_code_challenge`` when the bootstrap says
``pkce_required_for_sso``; ``sso/authenticate`` takes the token back with the verifier. The same
domain call as ``/v1/b2b/sso/authenticate``; the session comes from the Basic password, the
intermediate session token from the body (the SDK's cookie).

Management: the backend's domain calls (http/sso.py) on the organization of the member whose
session the browser holds, once its roles allow the action on ``stytch.sso`` that the SDK's
``@rbac`` annotations name (``packages/core/src/public/b2b/sso.ts``: ``get``, ``create``,
``update`` — deleting a certificate or key included — and ``delete``); a refused call is 403
``session_authorization_error`` and changes nothing. Another organization's connection id is
not found, as on the backend. SAML connections are rendered as the SDK's ``SAMLConnection``
type declares them (models/sdk_factors.py), OIDC and external ones as on the backend.
``sso/discovery/connections`` is a login page's call: no session.
"""

from __future__ import annotations

from aiohttp import web

from ...domain import authorization, sso, sso_login
from ...models import sdk_factors as sf
from ...models import sso as ms
from ..browser_routes import base_url
from ..common import project
from ..sso import authenticate_fields, discover_issuer
from .common import data, optional_session_token, sdk_operation
from .members import require_permission

routes = web.RouteTableDef()

SSO = "/sdk/v1/b2b/sso"


def _connection_id(request: web.Request) -> str:
    return request.match_info["connection_id"]


def _organization_id(request: web.Request, action: str) -> str:
    """The caller's organization, once ``action`` on ``stytch.sso`` is allowed."""
    _, org = require_permission(request, authorization.organization_action("stytch.sso", action))
    return org.organization_id


@routes.post(SSO + "/authenticate")
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


@routes.get(SSO + "/discovery/connections")
@sdk_operation(
    "Discover the SSO connections for an email address",
    sf.SSODiscoverConnectionsResponse,
    query=sf.SSODiscoverConnectionsQuery,
)
async def discover_connections(
    request: web.Request, query: sf.SSODiscoverConnectionsQuery
) -> web.Response:
    found = sso.discover_connections(project(request), query.email_address)
    return data(request, sf.SSODiscoverConnectionsResponse, connections=found)


@routes.get(SSO)
@sdk_operation("List the organization's SSO connections", sf.SdkGetConnectionsResponse)
async def get_connections(request: web.Request) -> web.Response:
    found = sso.get_connections(project(request), _organization_id(request, "get"))
    return data(
        request,
        sf.SdkGetConnectionsResponse,
        saml_connections=found["saml_connections"],
        oidc_connections=found["oidc_connections"],
        external_connections=found["external_connections"],
    )


# --- SAML ----------------------------------------------------------------------------------
# The static ``saml`` / ``oidc`` / ``external`` paths come before ``{connection_id}``.


@routes.post(SSO + "/saml")
@sdk_operation(
    "Create a SAML connection", sf.SdkSAMLConnectionResponse, body=ms.CreateConnectionRequest
)
async def saml_create(request: web.Request, body: ms.CreateConnectionRequest) -> web.Response:
    conn = sso.create_saml(
        project(request),
        base_url(request),
        _organization_id(request, "create"),
        display_name=body.display_name,
        identity_provider=body.identity_provider,
    )
    return data(request, sf.SdkSAMLConnectionResponse, connection=conn)


@routes.put(SSO + "/saml/{connection_id}")
@sdk_operation("Update a SAML connection", sf.SdkSAMLConnectionResponse, body=ms.SAMLUpdateRequest)
async def saml_update(request: web.Request, body: ms.SAMLUpdateRequest) -> web.Response:
    conn = sso.update_saml(
        project(request),
        _organization_id(request, "update"),
        _connection_id(request),
        body.model_dump(exclude_none=True),
    )
    return data(request, sf.SdkSAMLConnectionResponse, connection=conn)


@routes.put(SSO + "/saml/{connection_id}/url")
@sdk_operation(
    "Update a SAML connection from IdP metadata",
    sf.SdkSAMLConnectionResponse,
    body=ms.SAMLUpdateByURLRequest,
)
async def saml_update_by_url(request: web.Request, body: ms.SAMLUpdateByURLRequest) -> web.Response:
    organization_id = _organization_id(request, "update")
    conn = sso.update_saml_by_url(
        project(request),
        base_url(request),
        organization_id,
        _connection_id(request),
        body.metadata_url,
    )
    return data(request, sf.SdkSAMLConnectionResponse, connection=conn)


@routes.delete(SSO + "/saml/{connection_id}/verification_certificates/{certificate_id}")
@sdk_operation("Delete a verification certificate", ms.DeleteVerificationCertificateResponse)
async def saml_delete_certificate(request: web.Request) -> web.Response:
    deleted = sso.delete_verification_certificate(
        project(request),
        _organization_id(request, "update"),
        _connection_id(request),
        request.match_info["certificate_id"],
    )
    return data(request, ms.DeleteVerificationCertificateResponse, certificate_id=deleted)


# The SDK's path says ``encryption_private_key`` (singular), the backend's ``..._keys``.
@routes.delete(SSO + "/saml/{connection_id}/encryption_private_key/{private_key_id}")
@sdk_operation("Delete an encryption private key", ms.DeleteEncryptionPrivateKeyResponse)
async def saml_delete_encryption_key(request: web.Request) -> web.Response:
    deleted = sso.delete_encryption_private_key(
        project(request),
        _organization_id(request, "update"),
        _connection_id(request),
        request.match_info["private_key_id"],
    )
    return data(request, ms.DeleteEncryptionPrivateKeyResponse, private_key_id=deleted)


# --- OIDC ----------------------------------------------------------------------------------


@routes.post(SSO + "/oidc")
@sdk_operation(
    "Create an OIDC connection", ms.OIDCConnectionResponse, body=ms.CreateConnectionRequest
)
async def oidc_create(request: web.Request, body: ms.CreateConnectionRequest) -> web.Response:
    conn = sso.create_oidc(
        project(request),
        base_url(request),
        _organization_id(request, "create"),
        display_name=body.display_name,
        identity_provider=body.identity_provider,
    )
    return data(request, ms.OIDCConnectionResponse, connection=conn)


@routes.put(SSO + "/oidc/{connection_id}")
@sdk_operation("Update an OIDC connection", ms.OIDCUpdateResponse, body=ms.OIDCUpdateRequest)
async def oidc_update(request: web.Request, body: ms.OIDCUpdateRequest) -> web.Response:
    organization_id = _organization_id(request, "update")
    discovered, error = await discover_issuer(body.issuer)
    conn, warning = sso.update_oidc(
        project(request),
        base_url(request),
        organization_id,
        _connection_id(request),
        body.model_dump(exclude_none=True),
        discovered=discovered,
        discovery_error=error,
    )
    return data(request, ms.OIDCUpdateResponse, connection=conn, warning=warning)


# --- external ------------------------------------------------------------------------------


@routes.post(SSO + "/external")
@sdk_operation(
    "Create an external connection", ms.ExternalConnectionResponse, body=ms.ExternalCreateRequest
)
async def external_create(request: web.Request, body: ms.ExternalCreateRequest) -> web.Response:
    conn = sso.create_external(
        project(request),
        _organization_id(request, "create"),
        external_organization_id=body.external_organization_id,
        external_connection_id=body.external_connection_id,
        display_name=body.display_name,
        connection_implicit_role_assignments=body.connection_implicit_role_assignments,
        group_implicit_role_assignments=body.group_implicit_role_assignments,
    )
    return data(request, ms.ExternalConnectionResponse, connection=conn)


@routes.put(SSO + "/external/{connection_id}")
@sdk_operation(
    "Update an external connection", ms.ExternalConnectionResponse, body=ms.ExternalUpdateRequest
)
async def external_update(request: web.Request, body: ms.ExternalUpdateRequest) -> web.Response:
    conn = sso.update_external(
        project(request),
        _organization_id(request, "update"),
        _connection_id(request),
        body.model_dump(exclude_none=True),
    )
    return data(request, ms.ExternalConnectionResponse, connection=conn)


# --- any kind ------------------------------------------------------------------------------


@routes.delete(SSO + "/{connection_id}")
@sdk_operation("Delete an SSO connection", ms.DeleteConnectionResponse)
async def delete_connection(request: web.Request) -> web.Response:
    deleted = sso.delete_connection(
        project(request), _organization_id(request, "delete"), _connection_id(request)
    )
    return data(request, ms.DeleteConnectionResponse, connection_id=deleted)
