"""``/v1/b2b/sso/...``: SAML, OIDC and external connections, and ``sso.authenticate``.

Paths and bodies are the Python SDK's (``stytch/b2b/api/sso.py``, ``sso_saml.py``,
``sso_oidc.py``, ``sso_external.py``). Connections get their ACS / redirect URLs on the base
URL the request came to (the mock's own address).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from ..domain import authorization as authz
from ..domain import sso, sso_login
from ..domain.login import AuthResult
from ..models import sso as ms
from .authorization import member_authorization
from .browser_routes import base_url
from .common import operation, project, render
from .render import auth_result_fields

routes = web.RouteTableDef()
DISCOVERY_TIMEOUT = aiohttp.ClientTimeout(total=10)

ORG = "/v1/b2b/sso/{organization_id}"
SAML = "/v1/b2b/sso/saml/{organization_id}"
OIDC = "/v1/b2b/sso/oidc/{organization_id}"
EXTERNAL = "/v1/b2b/sso/external/{organization_id}"


def _path(request: web.Request, name: str) -> str:
    return request.match_info[name]


async def discover_issuer(issuer: str | None) -> tuple[dict[str, str] | None, str | None]:
    """What an OIDC update learns from its new ``issuer`` (here and at
    ``/sdk/v1/b2b/sso/oidc/{connection_id}``): the discovery document's URLs, or why not; only
    for an issuer on this machine (the mock fetches nothing else)."""
    if issuer and sso.is_loopback(urlsplit(issuer).hostname):
        return await _discover(issuer)
    return None, None


async def _discover(issuer: str) -> tuple[dict[str, str] | None, str | None]:
    """The four URLs of an OpenID provider's discovery document
    (``<issuer>/.well-known/openid-configuration``, OpenID Connect Discovery §4), or why not."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with aiohttp.ClientSession(timeout=DISCOVERY_TIMEOUT) as client:
            async with client.get(url) as resp:
                if resp.status != 200:
                    return None, f"{url} answered {resp.status}."
                document = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return None, f"{url} could not be read: {exc}."
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        return None, f"{url} does not describe the issuer {issuer}."
    names = {
        "authorization_url": "authorization_endpoint",
        "token_url": "token_endpoint",
        "userinfo_url": "userinfo_endpoint",
        "jwks_url": "jwks_uri",
    }
    found = {ours: document.get(theirs) for ours, theirs in names.items()}
    if not all(isinstance(v, str) and v for v in found.values()):
        return None, f"{url} lacks an endpoint."
    return {k: str(v) for k, v in found.items()}, None


@routes.post("/v1/b2b/sso/authenticate")
@operation("Authenticate an SSO token", ms.SSOAuthenticateResponse, body=ms.SSOAuthenticateRequest)
async def authenticate(request: web.Request, body: ms.SSOAuthenticateRequest) -> web.Response:
    result = sso_login.authenticate(
        project(request),
        sso_token=body.sso_token,
        pkce_code_verifier=body.pkce_code_verifier,
        session_token=body.session_token,
        session_jwt=body.session_jwt,
        session_duration_minutes=body.session_duration_minutes,
        session_custom_claims=body.session_custom_claims,
        intermediate_session_token=body.intermediate_session_token,
    )
    return render(request, ms.SSOAuthenticateResponse, **await authenticate_fields(request, result))


async def authenticate_fields(request: web.Request, result: AuthResult) -> dict[str, Any]:
    """``sso.authenticate``'s answer (here and at ``/sdk/v1/b2b/sso/authenticate``)."""
    return {
        "organization_id": result.organization.organization_id,
        "reset_session": False,
        **await auth_result_fields(request, result),
    }


@routes.get(ORG)
@operation("List an organization's SSO connections", ms.GetConnectionsResponse)
@member_authorization(authz.organization_action("stytch.sso", "get"))
async def get_connections(request: web.Request) -> web.Response:
    found = sso.get_connections(project(request), _path(request, "organization_id"))
    return render(request, ms.GetConnectionsResponse, **found)


@routes.delete(ORG + "/connections/{connection_id}")
@operation("Delete an SSO connection", ms.DeleteConnectionResponse)
@member_authorization(authz.organization_action("stytch.sso", "delete"))
async def delete_connection(request: web.Request) -> web.Response:
    deleted = sso.delete_connection(
        project(request), _path(request, "organization_id"), _path(request, "connection_id")
    )
    return render(request, ms.DeleteConnectionResponse, connection_id=deleted)


# --- SAML ----------------------------------------------------------------------------------


@routes.post(SAML)
@operation("Create a SAML connection", ms.SAMLConnectionResponse, body=ms.CreateConnectionRequest)
@member_authorization(authz.organization_action("stytch.sso", "create"))
async def saml_create(request: web.Request, body: ms.CreateConnectionRequest) -> web.Response:
    conn = sso.create_saml(
        project(request),
        base_url(request),
        _path(request, "organization_id"),
        display_name=body.display_name,
        identity_provider=body.identity_provider,
    )
    return render(request, ms.SAMLConnectionResponse, connection=conn)


@routes.put(SAML + "/connections/{connection_id}")
@operation("Update a SAML connection", ms.SAMLConnectionResponse, body=ms.SAMLUpdateRequest)
@member_authorization(authz.organization_action("stytch.sso", "update"))
async def saml_update(request: web.Request, body: ms.SAMLUpdateRequest) -> web.Response:
    conn = sso.update_saml(
        project(request),
        _path(request, "organization_id"),
        _path(request, "connection_id"),
        body.model_dump(exclude_none=True),
    )
    return render(request, ms.SAMLConnectionResponse, connection=conn)


@routes.put(SAML + "/connections/{connection_id}/url")
@operation(
    "Update a SAML connection from IdP metadata",
    ms.SAMLConnectionResponse,
    body=ms.SAMLUpdateByURLRequest,
)
@member_authorization(authz.organization_action("stytch.sso", "update"))
async def saml_update_by_url(request: web.Request, body: ms.SAMLUpdateByURLRequest) -> web.Response:
    conn = sso.update_saml_by_url(
        project(request),
        base_url(request),
        _path(request, "organization_id"),
        _path(request, "connection_id"),
        body.metadata_url,
    )
    return render(request, ms.SAMLConnectionResponse, connection=conn)


@routes.delete(SAML + "/connections/{connection_id}/verification_certificates/{certificate_id}")
@operation("Delete a verification certificate", ms.DeleteVerificationCertificateResponse)
@member_authorization(authz.organization_action("stytch.sso", "update"))
async def saml_delete_certificate(request: web.Request) -> web.Response:
    deleted = sso.delete_verification_certificate(
        project(request),
        _path(request, "organization_id"),
        _path(request, "connection_id"),
        _path(request, "certificate_id"),
    )
    return render(request, ms.DeleteVerificationCertificateResponse, certificate_id=deleted)


@routes.delete(SAML + "/connections/{connection_id}/encryption_private_keys/{private_key_id}")
@operation("Delete an encryption private key", ms.DeleteEncryptionPrivateKeyResponse)
@member_authorization(authz.organization_action("stytch.sso", "update"))
async def saml_delete_encryption_key(request: web.Request) -> web.Response:
    deleted = sso.delete_encryption_private_key(
        project(request),
        _path(request, "organization_id"),
        _path(request, "connection_id"),
        _path(request, "private_key_id"),
    )
    return render(request, ms.DeleteEncryptionPrivateKeyResponse, private_key_id=deleted)


# --- OIDC ----------------------------------------------------------------------------------


@routes.post(OIDC)
@operation("Create an OIDC connection", ms.OIDCConnectionResponse, body=ms.CreateConnectionRequest)
@member_authorization(authz.organization_action("stytch.sso", "create"))
async def oidc_create(request: web.Request, body: ms.CreateConnectionRequest) -> web.Response:
    conn = sso.create_oidc(
        project(request),
        base_url(request),
        _path(request, "organization_id"),
        display_name=body.display_name,
        identity_provider=body.identity_provider,
    )
    return render(request, ms.OIDCConnectionResponse, connection=conn)


@routes.put(OIDC + "/connections/{connection_id}")
@operation("Update an OIDC connection", ms.OIDCUpdateResponse, body=ms.OIDCUpdateRequest)
@member_authorization(authz.organization_action("stytch.sso", "update"))
async def oidc_update(request: web.Request, body: ms.OIDCUpdateRequest) -> web.Response:
    discovered, error = await discover_issuer(body.issuer)
    conn, warning = sso.update_oidc(
        project(request),
        base_url(request),
        _path(request, "organization_id"),
        _path(request, "connection_id"),
        body.model_dump(exclude_none=True),
        discovered=discovered,
        discovery_error=error,
    )
    return render(request, ms.OIDCUpdateResponse, connection=conn, warning=warning)


# --- external ------------------------------------------------------------------------------


@routes.post(EXTERNAL)
@operation(
    "Create an external connection", ms.ExternalConnectionResponse, body=ms.ExternalCreateRequest
)
@member_authorization(authz.organization_action("stytch.sso", "create"))
async def external_create(request: web.Request, body: ms.ExternalCreateRequest) -> web.Response:
    conn = sso.create_external(
        project(request),
        _path(request, "organization_id"),
        external_organization_id=body.external_organization_id,
        external_connection_id=body.external_connection_id,
        display_name=body.display_name,
        connection_implicit_role_assignments=body.connection_implicit_role_assignments,
        group_implicit_role_assignments=body.group_implicit_role_assignments,
    )
    return render(request, ms.ExternalConnectionResponse, connection=conn)


@routes.put(EXTERNAL + "/connections/{connection_id}")
@operation(
    "Update an external connection", ms.ExternalConnectionResponse, body=ms.ExternalUpdateRequest
)
@member_authorization(authz.organization_action("stytch.sso", "update"))
async def external_update(request: web.Request, body: ms.ExternalUpdateRequest) -> web.Response:
    conn = sso.update_external(
        project(request),
        _path(request, "organization_id"),
        _path(request, "connection_id"),
        body.model_dump(exclude_none=True),
    )
    return render(request, ms.ExternalConnectionResponse, connection=conn)
