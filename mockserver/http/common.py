"""What every handler shares: parsing a request into a model, and rendering a response model.

Handlers stay thin: ``body = await parse(request, SomeRequest)``, a domain call on
``project(request)``, ``return render(request, SomeResponse(...))``.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from .. import errors
from ..domain.project import Project

M = TypeVar("M", bound=BaseModel)

REQUEST_ID = "stytch_request_id"
PROJECT = "stytch_project"

# Missing fields that have a Stytch error type of their own.
MISSING_FIELD_ERRORS: dict[str, Callable[[], errors.StytchError]] = {
    "organization_name": errors.organization_name_missing,
}


def public(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a handler as needing no credentials (the JWKS route, health, OpenAPI)."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def operation(summary: str, response: type[BaseModel], *, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None) -> Callable[[Any], Any]:
    """Describe a handler for the generated OpenAPI document (``/openapi.json``)."""

    def mark(handler: Any) -> Any:
        handler.openapi = {"summary": summary, "response": response, "body": body,
                           "query": query}
        return handler

    return mark


def project(request: web.Request) -> Project:
    return request[PROJECT]


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


async def parse(request: web.Request, model: type[M]) -> M:
    """The JSON body as ``model``; an empty body counts as ``{}``."""
    return parse_json(model, await request.read())


def parse_query(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise validation_error(exc) from None


def json_response(body: bytes | str, status: int = 200) -> web.Response:
    return web.Response(body=body.encode() if isinstance(body, str) else body, status=status,
                        content_type="application/json")


def render(request: web.Request, model_cls: type[BaseModel], **fields: Any) -> web.Response:
    """A 200 carrying ``model_cls(status_code=200, request_id=…, **fields)``."""
    model = model_cls(request_id=request[REQUEST_ID], **fields)
    return json_response(model.model_dump_json(exclude_none=True, by_alias=True))
