"""What every handler shares: parsing a request into a model, and rendering a response model.

Handlers stay thin: ``@operation`` parses the request into its model, the handler makes one
domain call on ``project(request)`` and returns ``render(request, SomeResponse, ...)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from .. import errors
from ..domain.keys import SessionJWT
from ..domain.project import Project
from ..models.wire import render_json
from ..signer import Signer

M = TypeVar("M", bound=BaseModel)

# Per-request storage keys.
REQUEST_ID = web.RequestKey("request_id", str)
PROJECT = web.RequestKey("project", Project)

# The app's JWT signer (mockserver.signer); create_app sets it.
SIGNER = web.AppKey("signer", Signer)  # type: ignore[type-abstract]

# Missing fields that have a Stytch error type of their own.
MISSING_FIELD_ERRORS: dict[str, Callable[[], errors.StytchError]] = {
    "organization_name": errors.organization_name_missing,
}


# Request bodies: 1 MB for Stytch's routes; the control API's state and seed documents may be
# much larger (the app's own client_max_size is the ceiling for those).
MAX_BODY_BYTES = 1024 * 1024
MAX_CONTROL_BODY_BYTES = 512 * 1024 * 1024


def public(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a handler as needing no credentials (the JWKS route, health, OpenAPI)."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def operation(
    summary: str,
    response: type[BaseModel],
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Callable[[Any], Any]:
    """Declare a handler's request and response models.

    The request is parsed here, before the handler runs: the handler receives the parsed
    ``body`` and/or ``query`` as extra arguments. The same declaration feeds the generated
    OpenAPI document (``/openapi.json``).
    """

    def wrap(handler: Any) -> Any:
        @functools.wraps(handler)
        async def endpoint(request: web.Request) -> web.StreamResponse:
            args: list[BaseModel] = []
            if body is not None:
                args.append(await parse(request, body, max_body))
            if query is not None:
                args.append(parse_query(request, query))
            return await handler(request, *args)

        endpoint.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "response": response,
            "body": body,
            "query": query,
        }
        return endpoint

    return wrap


def project(request: web.Request) -> Project:
    return request[PROJECT]


async def signed(request: web.Request, jwt: SessionJWT) -> str:
    """The compact JWT, signed by the app's signer if it is not signed yet."""
    return await request.app[SIGNER].sign(jwt)


def validation_error(exc: ValidationError) -> errors.StytchError:
    """The first problem in a request, as a Stytch 400."""
    first = exc.errors(include_url=False)[0]
    kind = first["type"]
    loc = ".".join(str(part) for part in first["loc"])
    if kind == "json_invalid":
        return errors.bad_request("The request body is not valid JSON.")
    if not loc:
        return errors.bad_request("The request body must be a JSON object.")
    if kind == "missing":
        specific = MISSING_FIELD_ERRORS.get(loc)
        return specific() if specific else errors.missing_argument(loc)
    return errors.invalid_argument(loc, f"{loc}: {first['msg']}.")


def parse_json(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise validation_error(exc) from None


async def parse(request: web.Request, model: type[M], limit: int = MAX_BODY_BYTES) -> M:
    """The JSON body as ``model``; an empty body counts as ``{}``."""
    if request.content_length is not None and request.content_length > limit:
        raise errors.body_too_large()
    raw = await request.read()
    if len(raw) > limit:
        raise errors.body_too_large()
    return parse_json(model, raw)


def parse_query(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise validation_error(exc) from None


def json_response(body: bytes | str, status: int = 200) -> web.Response:
    return web.Response(
        body=body.encode() if isinstance(body, str) else body,
        status=status,
        content_type="application/json",
    )


def render(request: web.Request, model_cls: type[BaseModel], **fields: Any) -> web.Response:
    """A 200 carrying ``model_cls(status_code=200, request_id=…, **fields)``, rendered by the
    model's fields without validating the domain's objects again (models.wire)."""
    return json_response(render_json(model_cls, request_id=request[REQUEST_ID], **fields))
