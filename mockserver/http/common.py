"""What every handler shares: parsing a request into a model, and rendering a response model.

Handlers stay thin: ``@operation`` parses the request into its model, the handler makes one
domain call on ``project(request)`` and returns ``render(request, SomeResponse, ...)``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import yaml
from aiohttp import http_exceptions, web
from pydantic import BaseModel, ValidationError

from .. import errors
from ..domain.keys import SessionJWT
from ..domain.project import Project
from ..keypool import KeyPool
from ..models.wire import render_json
from ..signer import Signer
from .connections import LIMITS

M = TypeVar("M", bound=BaseModel)

# Per-request storage keys.
REQUEST_ID = web.RequestKey("request_id", str)
PROJECT = web.RequestKey("project", Project)

# The app's JWT signer (mockserver.signer); create_app sets it.
SIGNER = web.AppKey("signer", Signer)  # type: ignore[type-abstract]
# Keys made ahead for projects that appear while the server runs (open projects only).
KEY_POOL = web.AppKey("key_pool", KeyPool)

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


def page(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a browser-facing handler that answers HTML (the console's pages and forms): it
    checks credentials itself, so a browser gets a login prompt rather than JSON, and like the
    other browser routes (http.browser_routes) it is not a JSON operation of /openapi.json."""
    handler.public = True  # type: ignore[attr-defined]
    handler.browser = True  # type: ignore[attr-defined]
    return handler


def operation(
    summary: str,
    response: type[BaseModel],
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    max_body: int = MAX_BODY_BYTES,
    yaml_body: bool = False,
    form_body: bool = False,
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
                if yaml_body and request.content_type in YAML_TYPES:
                    args.append(await parse_yaml(request, body, max_body))
                elif form_body and request.content_type == FORM_TYPE:
                    args.append(await parse_form(request, body, max_body))
                else:
                    args.append(await parse(request, body, max_body))
            if query is not None:
                args.append(parse_query(request, query))
            proj = request.get(PROJECT)
            if proj is None and "project_id" in request.match_info:  # public: the JWKS route
                from . import faults  # (it imports this module)

                proj = faults.project_named(request)
            if proj is not None and proj.faults:
                from . import faults

                await faults.apply(request, proj, args)
            return await handler(request, *args)

        endpoint.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "response": response,
            "body": body,
            "query": query,
            "form": form_body,
        }
        return endpoint

    return wrap


async def with_key(request: web.Request, proj: Project) -> Project:
    """``proj``, with its signing key made off the event loop if it has none yet."""
    pool = request.app.get(KEY_POOL)
    if pool is not None and not proj.has_key:
        proj.set_key(await pool.key(proj.env))
    return proj


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


# What could be a NaN, an Infinity or a number too large for a double: JSON has none of them,
# but the JSON parser would take them (and the response would echo a bare ``NaN`` no strict
# client can read). The cheap search finds candidates; json.loads decides. A number with a
# large exponent is looked for only where a JSON value starts (after ``:``, ``[`` or ``,``), so
# ids and tokens with "5e123" in them do not send every body through json.loads twice.
_MAYBE_NOT_FINITE = re.compile(rb"NaN|Infinity|[:\[,]\s*-?[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]{3}")


class _NotFinite(Exception):
    pass


def _not_a_json_number(token: str) -> float:
    raise _NotFinite(token)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotFinite(text)
    return value


def _refuse_non_finite_numbers(raw: bytes) -> None:
    if _MAYBE_NOT_FINITE.search(raw) is None:
        return
    try:
        json.loads(raw, parse_constant=_not_a_json_number, parse_float=_finite)
    except ValueError:
        return  # not JSON at all: the model's parser says so
    except _NotFinite:
        raise errors.bad_request(
            "The request body is not valid JSON: NaN, Infinity and numbers beyond a double's "
            "range are not JSON numbers."
        ) from None


def json_object(raw: bytes) -> dict[str, Any]:
    """A body that must be a JSON object, for routes without a pydantic model of their own (the
    SCIM routes): NaN, Infinity and non-objects refused with a Stytch 400."""
    _refuse_non_finite_numbers(raw)
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        raise errors.bad_request("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise errors.bad_request("The request body must be a JSON object.")
    return value


def parse_json(model: type[M], raw: bytes) -> M:
    _refuse_non_finite_numbers(raw)
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise validation_error(exc) from None


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request's body, read as it arrives and never past ``limit`` bytes (a chunked body
    has no Content-Length to refuse up front), within the body timeout (http.connections)."""
    if request.content_length is not None and request.content_length > limit:
        raise errors.body_too_large()
    content = request.content
    if content.is_eof() and content.exception() is None:
        # The usual case: a small body already arrived whole with its headers, so there is
        # nothing to wait for (and no timer to arm, which costs more than the parse).
        whole = content.read_nowait()
        if len(whole) > limit:
            raise errors.body_too_large()
        return whole
    body = bytearray()
    try:
        async with asyncio.timeout(request.app[LIMITS].body_timeout):
            while chunk := await content.readany():
                body += chunk
                if len(body) > limit:
                    raise errors.body_too_large()
    except TimeoutError:
        raise errors.StytchError(
            408, "bad_request", "The request body did not arrive in time."
        ) from None
    except http_exceptions.HttpProcessingError:  # a chunked body with broken framing
        raise errors.bad_request("The request body's framing is not valid HTTP/1.1.") from None
    return bytes(body)


async def parse(request: web.Request, model: type[M], limit: int = MAX_BODY_BYTES) -> M:
    """The JSON body as ``model``; an empty body counts as ``{}``."""
    return parse_json(model, await read_body(request, limit))


# Content types of a YAML body (the control API's seed takes the --seed file as it is).
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})


async def parse_yaml(request: web.Request, model: type[M], limit: int) -> M:
    """A YAML body as ``model`` (for ``operation(..., yaml_body=True)`` routes)."""
    raw = await read_body(request, limit)
    try:
        data = yaml.safe_load(raw) if raw else {}
    except yaml.YAMLError:
        raise errors.bad_request("The request body is not valid YAML.") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


# A form body (``operation(..., form_body=True)``: the M2M token endpoint, which Stytch documents
# as taking JSON or a form, and which the Node SDK sends as a form).
FORM_TYPE = "application/x-www-form-urlencoded"


async def parse_form(request: web.Request, model: type[M], limit: int) -> M:
    raw = await read_body(request, limit)
    try:
        fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except (UnicodeDecodeError, ValueError):
        raise errors.bad_request("The request body is not a valid form.") from None
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise validation_error(exc) from None


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
