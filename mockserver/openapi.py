"""The mock's own OpenAPI document, built from its routes and pydantic models."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import __version__
from .http.authorization import SESSION_HEADER, SESSION_JWT_HEADER
from .http.families import FAMILIES

_ERROR = {
    "description": "A Stytch error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["status_code", "request_id", "error_type", "error_message", "error_url"],
    "properties": {
        "status_code": {"type": "integer"},
        "request_id": {"type": "string"},
        "error_type": {"type": "string"},
        "error_message": {"type": "string"},
        "error_url": {"type": "string"},
    },
}


def operations() -> list[tuple[str, str, Any]]:
    """(method, path, handler) of every route of every family (http.families)."""
    found = []
    for family in FAMILIES:
        for route in family.routes:
            handler = getattr(route, "handler", None)
            if handler is not None and hasattr(handler, "openapi"):
                found.append((route.method.lower(), route.path, handler))
    return found


def stytch_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every backend Stytch route the mock serves: its control API
    (``/_mock``), the frontend SDK's routes (``/sdk/v1``) and ``/openapi.json`` left out."""
    return sorted(
        {
            (method.upper(), path)
            for method, path, _ in operations()
            if not path.startswith(("/_mock", "/sdk/")) and path != "/openapi.json"
        }
    )


# Stytch routes shared with its consumer product, which the B2B SDKs call too (``client.m2m``)
# but Stytch's published B2B OpenAPI does not list.
OUTSIDE_B2B_OPENAPI = ("/v1/m2m/", "/v1/public/{project_id}/oauth2/")


def b2b_operations() -> list[tuple[str, str]]:
    """:func:`stytch_operations` but the shared M2M routes: what Stytch's published B2B
    OpenAPI should list."""
    return [op for op in stytch_operations() if not op[1].startswith(OUTSIDE_B2B_OPENAPI)]


def _operation_id(handler: Any) -> str:
    """``<family>_<handler>``; the frontend SDK's families (``http.sdk``) get ``sdk_`` first."""
    *package, family = handler.__module__.split(".")
    return ("sdk_" if package[-1] == "sdk" else "") + family + "_" + handler.__name__


_REF = "#/components/schemas/"


def _stytch_names(schemas: dict[str, Any], keyed: Any) -> tuple[dict[str, Any], Any]:
    """Stytch's objects under Stytch's names: the wire models of Stytch objects are called
    ``...Object`` in code (``OrganizationObject``, apart from the domain's ``Organization``), the
    document names them as Stytch does (``Organization``)."""
    renames = {
        name: name.removesuffix("Object")
        for name in schemas
        if name.endswith("Object") and name.removesuffix("Object") not in schemas
    }

    def rename(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    _REF + renames.get(value[len(_REF) :], value[len(_REF) :])
                    if key == "$ref" and isinstance(value, str) and value.startswith(_REF)
                    else rename(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rename(item) for item in node]
        return node

    renamed = {renames.get(name, name): rename(schema) for name, schema in schemas.items()}
    for old, new in renames.items():
        if renamed[new].get("title") == old:
            renamed[new]["title"] = new
    return renamed, {key: rename(value) for key, value in keyed.items()}


def build_document() -> dict[str, Any]:
    ops = operations()
    models: set[tuple[type[BaseModel], Literal["validation", "serialization"]]] = set()
    for _, _, handler in ops:
        meta = handler.openapi
        models.add((meta["response"], "serialization"))
        if meta["body"] is not None:
            models.add((meta["body"], "validation"))
    keyed, defs = models_json_schema(
        sorted(models, key=lambda m: (m[0].__name__, m[1])),
        ref_template="#/components/schemas/{model}",
    )
    schemas, keyed = _stytch_names(dict(defs.get("$defs", {})), keyed)
    schemas["Error"] = _ERROR_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for method, path, handler in ops:
        meta = handler.openapi
        op: dict[str, Any] = {
            "summary": meta["summary"],
            "operationId": _operation_id(handler),
            "responses": {
                "200": {
                    "description": "Success",
                    "content": {
                        "application/json": {"schema": keyed[(meta["response"], "serialization")]}
                    },
                },
                "400": _ERROR,
                "401": _ERROR,
                "403": _ERROR,
                "404": _ERROR,
            },
        }
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)
        ]
        if meta["query"] is not None:
            schema = meta["query"].model_json_schema()
            required = set(schema.get("required", ()))
            params += [
                {"name": name, "in": "query", "required": name in required, "schema": prop}
                for name, prop in schema["properties"].items()
            ]
        if getattr(handler, "member_authorization", None):
            # Run as that Member under its RBAC permissions (http/authorization.py).
            params += [
                {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                for name in (SESSION_HEADER, SESSION_JWT_HEADER)
            ]
        if params:
            op["parameters"] = params
        if meta["body"] is not None:
            schema = keyed[(meta["body"], "validation")]
            content = {"application/json": {"schema": schema}}
            if meta.get("form"):  # the M2M token endpoint takes a form too
                content["application/x-www-form-urlencoded"] = {"schema": schema}
            op["requestBody"] = {"required": True, "content": content}
        if meta.get("security") == "publicToken":  # the frontend SDK's routes (http.sdk)
            op["security"] = [{"publicToken": []}]
        elif getattr(handler, "public", False):
            op["security"] = []
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stytch-b2b-mock",
            "version": __version__,
            "description": "The Stytch B2B API as this local mock serves it, plus its "
            "control API under /_mock/.",
        },
        "servers": [{"url": "/"}],
        "security": [{"basicAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "basicAuth": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "project_id as user name, secret as password",
                },
                "publicToken": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "/sdk/v1 routes: the public token as user name, the "
                    "member's session token (or the public token again) as password",
                },
            },
        },
    }
