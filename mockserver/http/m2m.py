"""``/v1/m2m/clients...`` and ``POST /v1/public/{project_id}/oauth2/token``: M2M clients and
their access tokens.

Paths and bodies are the Python SDK's (``stytch/consumer/api/m2m.py``, ``m2m_clients.py``,
``m2m_clients_secrets.py``; the B2B client's ``client.m2m``). The token endpoint is public (the
client's own credentials authenticate it) and takes JSON (the Python SDK) or a form (the Node
SDK), with the credentials in the body or as HTTP Basic (RFC 6749 §2.3.1), as Stytch documents
for it (https://stytch.com/docs/api/m2m-token).
"""

from __future__ import annotations

from aiohttp import web

from .. import errors
from ..domain import m2m
from ..domain.stores.m2m import M2MClient
from ..models import m2m as mm
from .common import operation, project, public, render, signed, with_key
from .middleware import REGISTRY, basic_credentials

routes = web.RouteTableDef()

CLIENTS = "/v1/m2m/clients"
ONE = CLIENTS + "/{client_id}"


def _id(request: web.Request) -> str:
    return request.match_info["client_id"]


def _render_client(
    request: web.Request, model: type, client: M2MClient, **extra: str
) -> web.Response:
    return render(request, model, m2m_client={**_fields(client), **extra})


def _fields(client: M2MClient) -> dict[str, object]:
    return {
        "client_id": client.client_id,
        "client_name": client.client_name,
        "client_description": client.client_description,
        "status": client.status,
        "scopes": client.scopes,
        "client_secret_last_four": client.client_secret_last_four,
        "trusted_metadata": client.trusted_metadata,
        "next_client_secret_last_four": client.next_client_secret_last_four,
    }


@routes.post(CLIENTS)
@operation("Create an M2M client", mm.CreateM2MClientResponse, body=mm.CreateM2MClientRequest)
async def create(request: web.Request, body: mm.CreateM2MClientRequest) -> web.Response:
    client, secret = m2m.create_client(project(request), **body.model_dump(exclude_none=True))
    return _render_client(request, mm.CreateM2MClientResponse, client, client_secret=secret)


@routes.post(CLIENTS + "/search")
@operation("Search M2M clients", mm.SearchM2MClientsResponse, body=mm.SearchM2MClientsRequest)
async def search(request: web.Request, body: mm.SearchM2MClientsRequest) -> web.Response:
    found, total, next_cursor = m2m.search_clients(
        project(request),
        query=body.query.model_dump(exclude_none=True) if body.query is not None else None,
        cursor=body.cursor,
        limit=body.limit,
    )
    return render(
        request,
        mm.SearchM2MClientsResponse,
        m2m_clients=[_fields(c) for c in found],
        results_metadata={"total": total, "next_cursor": next_cursor},
    )


@routes.get(ONE)
@operation("Get an M2M client", mm.M2MClientResponse)
async def get(request: web.Request) -> web.Response:
    client = m2m.get_client(project(request), _id(request))
    return _render_client(request, mm.M2MClientResponse, client)


@routes.put(ONE)
@operation("Update an M2M client", mm.M2MClientResponse, body=mm.UpdateM2MClientRequest)
async def update(request: web.Request, body: mm.UpdateM2MClientRequest) -> web.Response:
    client = m2m.update_client(project(request), _id(request), body.model_dump())
    return _render_client(request, mm.M2MClientResponse, client)


@routes.delete(ONE)
@operation("Delete an M2M client", mm.DeleteM2MClientResponse)
async def delete(request: web.Request) -> web.Response:
    deleted = m2m.delete_client(project(request), _id(request))
    return render(request, mm.DeleteM2MClientResponse, client_id=deleted)


@routes.post(ONE + "/secrets/rotate/start")
@operation("Start an M2M client secret rotation", mm.RotateStartM2MClientResponse)
async def rotate_start(request: web.Request) -> web.Response:
    client, secret = m2m.rotate_start(project(request), _id(request))
    return _render_client(
        request, mm.RotateStartM2MClientResponse, client, next_client_secret=secret
    )


@routes.post(ONE + "/secrets/rotate")
@operation("Complete an M2M client secret rotation", mm.M2MClientResponse)
async def rotate(request: web.Request) -> web.Response:
    client = m2m.rotate(project(request), _id(request))
    return _render_client(request, mm.M2MClientResponse, client)


@routes.post(ONE + "/secrets/rotate/cancel")
@operation("Cancel an M2M client secret rotation", mm.M2MClientResponse)
async def rotate_cancel(request: web.Request) -> web.Response:
    client = m2m.rotate_cancel(project(request), _id(request))
    return _render_client(request, mm.M2MClientResponse, client)


def _basic_credentials(request: web.Request) -> tuple[str | None, str | None]:
    """The client's credentials as HTTP Basic, if the header carries them."""
    try:
        return basic_credentials(request.headers.get("Authorization"))
    except errors.StytchError:
        return None, None


@routes.post("/v1/public/{project_id}/oauth2/token")
@public
@operation(
    "Get an M2M access token (client credentials)",
    mm.M2MTokenResponse,
    body=mm.M2MTokenRequest,
    form_body=True,
)
async def token(request: web.Request, body: mm.M2MTokenRequest) -> web.Response:
    proj = request.app[REGISTRY].find_project(request.match_info["project_id"])
    if proj is None:
        raise errors.project_not_found()
    client_id, client_secret = body.client_id, body.client_secret
    if client_id is None and client_secret is None:
        # Credentials as HTTP Basic when the body has none (the Python SDK's Basic header
        # carries the project's credentials, not the client's, and comes with body ones).
        client_id, client_secret = _basic_credentials(request)
    proj = await with_key(request, proj)
    jwt, lifetime = m2m.token(
        proj,
        grant_type=body.grant_type,
        client_id=client_id,
        client_secret=client_secret,
        scope=body.scope,
    )
    return render(
        request,
        mm.M2MTokenResponse,
        access_token=await signed(request, jwt),
        token_type="bearer",
        expires_in=lifetime,
    )
