"""``GET /openapi.json``: an OpenAPI 3.1 document of what this mock serves, generated from the
same pydantic models the handlers use (so it cannot drift from them)."""

from __future__ import annotations

import json
from functools import lru_cache

from aiohttp import web

from ..models.control import OpenAPIDocument
from .common import json_response, operation, public

routes = web.RouteTableDef()


@lru_cache(maxsize=1)
def _document() -> bytes:
    from ..openapi import build_document

    return json.dumps(build_document()).encode()


@routes.get("/openapi.json")
@public
@operation("[mock] This OpenAPI document", OpenAPIDocument)
async def openapi_json(request: web.Request) -> web.Response:
    return json_response(_document())
