"""What every ``/sdk/v1`` route shares: the frontend SDK's credentials, its response envelope
and CORS.

How the browser SDK talks (https://github.com/stytchauth/stytch-browser/blob/main/packages/web/src/NetworkClient.ts
and https://github.com/stytchauth/stytch-browser/blob/main/packages/core/src/NetworkClient.ts):

- ``Authorization: Basic base64(public_token:X)``, X being the member's session token (from the
  ``stytch_session`` cookie) when there is one, else the public token again;
- ``X-SDK-Parent-Host: <page origin>`` (and the browser's own ``Origin``), checked here against
  the project's authorized domains;
- a 2xx body is read from ``data`` (``{"data": {...}}``); an error is Stytch's flat error
  object, as on the backend API (the one middleware renders it);
- fetch runs with ``credentials: 'include'``, so every answer, preflights included, echoes the
  exact ``Origin`` with ``Access-Control-Allow-Credentials: true`` (``*`` is refused by browsers).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from aiohttp import web
from pydantic import BaseModel

from ... import errors
from ...domain.frontend import check_origin
from ...domain.oauth import project_for_public_token
from ...domain.project import Project
from ...models.wire import render_json
from ..common import (
    MAX_BODY_BYTES,
    PROJECT,
    REQUEST_ID,
    json_response,
    parse,
    parse_query,
    with_key,
)
from ..middleware import REGISTRY, Handler, basic_credentials

SDK_PREFIX = "/sdk/v1"

SESSION_TOKEN = web.RequestKey[str | None]("sdk_session_token")

M = TypeVar("M", bound=BaseModel)


class DataResponse(BaseModel, Generic[M]):
    """The frontend API's success envelope."""

    data: M


def page_origin(request: web.Request) -> str | None:
    """The page the SDK runs on: the browser's ``Origin``, else the SDK's own
    ``X-SDK-Parent-Host`` (a same-origin GET carries no ``Origin``)."""
    return request.headers.get("Origin") or request.headers.get("X-SDK-Parent-Host")


def authenticate(request: web.Request) -> tuple[Project, str | None]:
    """The project of the public token, after its origin check, and the session token the
    Basic password carries (None when it is the public token again, i.e. logged out)."""
    public_token, password = basic_credentials(request.headers.get("Authorization"))
    project = project_for_public_token(request.app[REGISTRY], public_token)
    check_origin(project.config.frontend, page_origin(request))
    return project, (password if password and password != public_token else None)


def sdk_operation(
    summary: str,
    response: type[BaseModel],
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
) -> Callable[[Any], Any]:
    """Declare an ``/sdk/v1`` handler: the public token (not the project secret) opens the
    project, the origin is checked, the session token is read from the Basic password and the
    body (or query) parsed, before the handler runs with the parsed ``body`` (or ``query``) as
    extra argument."""

    def wrap(handler: Any) -> Any:
        @functools.wraps(handler)
        async def endpoint(request: web.Request) -> web.StreamResponse:
            project, session_token = authenticate(request)
            # What the middleware does for a backend call's project: it was just used (an open
            # project is not the next evicted), and its signing key is made off the event loop.
            request.app[REGISTRY].touch(project)
            request[PROJECT] = project if project.has_key else await with_key(request, project)
            request[SESSION_TOKEN] = session_token
            args = [await parse(request, body, MAX_BODY_BYTES)] if body is not None else []
            if query is not None:
                args.append(parse_query(request, query))
            return await handler(request, *args)

        # Not the backend's project_id:secret (the middleware skips it); the decorator above
        # checks the public token instead.
        endpoint.public = True  # type: ignore[attr-defined]
        endpoint.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "response": DataResponse[response],  # type: ignore[valid-type]
            "body": body,
            "query": query,
            "security": "publicToken",
        }
        return endpoint

    return wrap


def session_token(request: web.Request) -> str:
    """The member's session token; [chosen] a call that needs one and has none is 404
    ``session_not_found``, a type on which the SDK drops its local session
    (``UNRECOVERABLE_ERROR_TYPES`` in
    https://github.com/stytchauth/stytch-browser/blob/main/packages/core/src/public/SDKErrors.ts)."""
    token = request[SESSION_TOKEN]
    if token is None:
        raise errors.session_not_found()
    return token


def optional_session_token(request: web.Request) -> str | None:
    return request[SESSION_TOKEN]


def data(
    request: web.Request, model_cls: type[BaseModel], *, keep_nulls: bool = False, **fields: Any
) -> web.Response:
    """A 200 carrying ``{"data": model_cls(status_code=200, request_id=…, **fields)}``; ``null``
    fields are left out, as on the backend API, unless ``keep_nulls`` (the bootstrap object,
    whose every key the SDK reads)."""
    if keep_nulls:
        inner = model_cls(request_id=request[REQUEST_ID], **fields).model_dump_json().encode()
    else:
        inner = render_json(model_cls, request_id=request[REQUEST_ID], **fields)
    return json_response(b'{"data":' + inner + b"}")


# --- CORS -------------------------------------------------------------------------------

ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
# What the SDK sends (see the module docstring); a preflight asking for others gets them too.
SDK_HEADERS = "Authorization, Content-Type, X-SDK-Client, X-SDK-Parent-Host"
PREFLIGHT_MAX_AGE = "600"


def is_sdk_path(path: str) -> bool:
    return path.startswith(SDK_PREFIX + "/")


def _allow(request: web.Request, response: web.StreamResponse) -> None:
    origin = request.headers.get("Origin")
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"


async def with_cors(request: web.Request, call: Handler) -> web.StreamResponse:
    """CORS for the ``/sdk/v1`` routes (the pipeline calls it for them; the main middleware
    leaves their credentials to ``sdk_operation``'s public-token check).

    - A preflight (``OPTIONS``) is answered here for every ``/sdk/v1`` path and any origin: the
      real request then meets the authorized-domain check, with an error the page can read.
    - Every answer to a browser (success, error) echoes its ``Origin`` with credentials
      allowed, so the SDK can read the body, Stytch's error type included.
    """
    if request.method == "OPTIONS":
        requested = request.headers.get("Access-Control-Request-Headers")
        response: web.StreamResponse = web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": requested or SDK_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            },
        )
    else:
        try:
            response = await call(request)
        except web.HTTPException as exc:
            _allow(request, exc)
            raise
    _allow(request, response)
    return response
