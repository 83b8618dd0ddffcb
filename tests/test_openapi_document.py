"""GET /openapi.json: the mock's own OpenAPI 3.1 document, public, and true to its router."""

from __future__ import annotations

import re
from typing import Any

import pytest

from contracts.support import load_openapi, openapi_path
from mockserver.app import create_app
from mockserver.domain.registry import Registry
from mockserver.pytest_plugin import StytchMock
from tests.support import ERROR_FIELDS, http

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def document(stytch_mock_server: Any) -> dict[str, Any]:
    resp = http(stytch_mock_server.url + "openapi.json")  # no Authorization header
    assert resp.status == 200, resp.json
    assert resp.headers["Content-Type"].startswith("application/json")
    return resp.json


def router_operations() -> set[tuple[str, str]]:
    """(method, path) of every route the aiohttp app serves, read from its router; browser
    pages (OAuth start URLs and provider page, SSO start and callbacks, the built-in IdP's
    pages, the console: redirects and HTML, not JSON; ``browser`` handlers) and the SCIM 2.0
    routes an IdP calls (``scim_protocol`` handlers: RFC 7644, not Stytch's JSON API) left
    out."""
    app = create_app(Registry([]))
    found = set()
    for route in app.router.routes():
        if route.method in ("HEAD", "*") or getattr(route.handler, "browser", False):
            continue
        if getattr(route.handler, "scim_protocol", False):
            continue
        found.add((route.method.lower(), route.resource.canonical))
    return found


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def test_document_is_public_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["paths"]
    scheme = document["components"]["securitySchemes"]["basicAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "basic")
    assert document["security"] == [{"basicAuth": []}]


def test_document_lists_every_stytch_route_the_router_serves(document: dict[str, Any]) -> None:
    served = {op for op in router_operations() if op[1].startswith("/v1/b2b/")}
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        if path.startswith("/v1/b2b/")
        for method in item
        if method in METHODS
    }
    assert len(served) >= 20
    assert documented == served


def test_every_served_route_is_in_the_document(document: dict[str, Any]) -> None:
    """The app and the document both read http.families.FAMILIES: a route served but not
    documented (a handler without ``@operation``, a family missing from the list) fails here."""
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    served = router_operations()
    assert ("get", "/openapi.json") in served
    assert served - documented == set()
    assert documented == served


def test_stytch_objects_keep_stytchs_names(document: dict[str, Any]) -> None:
    """In code a Stytch object's wire model is ``...Object``; the document says ``Member``."""
    schemas = document["components"]["schemas"]
    assert {"Organization", "Member", "MemberSession", "DiscoveredOrganization"} <= set(schemas)
    assert [name for name in schemas if name.endswith("Object")] == []
    assert schemas["Member"]["title"] == "Member"


def test_document_lists_the_control_routes(document: dict[str, Any]) -> None:
    control = {op for op in router_operations() if op[1].startswith("/_mock/")}
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        if path.startswith("/_mock/")
        for method in item
    }
    assert documented == control


def test_every_operation_is_well_formed(document: dict[str, Any]) -> None:
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for method, op in item.items():
            assert method in METHODS, (path, method)
            operation_ids.append(op["operationId"])
            assert op["summary"]
            assert "200" in op["responses"]
            for status, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status)
                assert response["description"]
                schema = response["content"]["application/json"]["schema"]
                assert schema
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            for param in op.get("parameters", []):
                assert param["in"] in ("path", "query", "header", "cookie")
                if param["in"] == "path":
                    assert param["required"] is True
            if "requestBody" in op:
                assert method in ("post", "put", "patch"), (method, path)
                assert op["requestBody"]["content"]["application/json"]["schema"]
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


def test_public_routes_are_marked_as_needing_no_credentials(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert paths["/v1/b2b/sessions/jwks/{project_id}"]["get"]["security"] == []
    assert paths["/_mock/health"]["get"]["security"] == []
    assert "security" not in paths["/v1/b2b/organizations"]["post"]


def test_every_reference_resolves_and_every_schema_is_valid(document: dict[str, Any]) -> None:
    found = refs(document)
    assert found
    for ref in found:
        resolve(document, ref)
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_error_schema_has_stytchs_five_fields(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == set(ERROR_FIELDS)


def test_every_stytch_route_exists_in_stytchs_published_openapi(
    document: dict[str, Any],
) -> None:
    spec = openapi_path()
    if spec is None:
        pytest.skip(
            "STYTCH_OPENAPI is not set (the Makefile and .ci/run set it when the spec is there)"
        )
    published = load_openapi(str(spec))
    for path, item in document["paths"].items():
        if not path.startswith("/v1/b2b/"):
            continue
        assert path in published["paths"], path
        for method in item:
            assert method in published["paths"][path], (method, path)


def test_openapi_document_is_the_same_for_every_caller(
    stytch_mock: StytchMock, document: dict[str, Any]
) -> None:
    with_credentials = stytch_mock.request("GET", "openapi.json")
    assert with_credentials.status == 200
    assert with_credentials.json == document
