"""Property-based checks of the mock's HTTP surface with Schemathesis (4.x).

1. Against **Stytch's published OpenAPI** (``$STYTCH_OPENAPI``), restricted to the operations
   the mock implements (listed from the mock itself, ``mockserver.openapi.b2b_operations()``,
   control API and the shared M2M routes excluded): requests generated from Stytch's request
   schemas, valid ones and invalid ones, are sent with the project's Basic credentials, and

   - no answer is a server error (``not_a_server_error``),
   - every 200 body matches Stytch's published response schema
     (``response_schema_conformance``),
   - every status is one Stytch's OpenAPI lists for the operation (200/400/401/429/500) or one
     of Stytch's documented error pages 403 and 404 (``stytch_status_conformance``: see
     contracts/README.md for why 403/404 and not the strict ``status_code_conformance``),
   - every error body is Stytch's error object (``stytch_error_shape``).

2. Against the **mock's own** ``/openapi.json``: it is a valid OpenAPI 3.1 document listing
   every route, and the mock's answers conform to it, strictly: documented status codes and
   content types, response schemas (errors included), and requests its own schema declares
   invalid are refused (``negative_data_rejection``).

Bounded and reproducible: a fixed number of examples per operation and mode, derandomized
generation (a fixed seed), no example database, no shrinking. Each operation is one pytest
test (``[POST /v1/b2b/organizations-positive]``), so a failure names its operation.

The operations are driven through ``APIOperation.as_strategy`` + Hypothesis rather than
``schemathesis.pytest.from_fixture``: the lazy-fixture loader of Schemathesis 4.32 breaks on
pytest 9.2 (it sets ``request.node._nodeid``, which pytest 9.2 no longer has).
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis import checks as st_checks  # noqa: E402

from contracts.support import ERROR_FIELDS  # noqa: E402
from mockserver.openapi import b2b_operations, operations  # noqa: E402
from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, FIXTURE_SECRET  # noqa: E402

# Examples per operation and generation mode (STYTCH_EXAMPLES for the operations checked
# against Stytch's OpenAPI, OWN_EXAMPLES for every route checked against /openapi.json).
STYTCH_EXAMPLES = 25
OWN_EXAMPLES = 15

# Statuses Stytch documents beyond the per-operation list of its published OpenAPI
# (200/400/401/429/500): its error reference has pages for 403 (e.g. an organization's
# settings forbid the authentication method) and 404 (unknown organization, member, session,
# token, intermediate session).
EXTRA_STYTCH_STATUSES = frozenset({403, 404})
# Generation modes of a test: valid requests, invalid requests, and valid requests whose ids
# (path parameters, and the organization_id/member_id query of GET /v1/b2b/sessions) are those
# of a seeded organization and member, so the 200 answers of id-addressed operations get
# checked against their schemas too (random ids only ever get 404).
POSITIVE, NEGATIVE, KNOWN_IDS = "positive", "negative", "known-ids"
ID_PARAMETERS = ("organization_id", "member_id", "project_id")


def all_mock_operations() -> list[tuple[str, str]]:
    return sorted({(method.upper(), path) for method, path, _ in operations()})


def _cases(ops: list[tuple[str, str]]) -> list[Any]:
    """pytest params (method, path, mode) with ids like ``POST /v1/b2b/organizations-positive``."""
    params = []
    for method, path in ops:
        modes = [POSITIVE, NEGATIVE]
        if any("{" + name + "}" in path for name in ID_PARAMETERS) or path == "/v1/b2b/sessions":
            modes.append(KNOWN_IDS)
        params += [pytest.param(method, path, mode, id=f"{method} {path}-{mode}") for mode in modes]
    return params


def _bounded(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def _config(base_url: str) -> Any:
    """The run's configuration: the mock's URL and the fixture project's Basic credentials
    (Schemathesis sends them itself, so a negative case that drops them is still sent
    without them)."""
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url.rstrip("/"),
            "auth": {"basic": {"username": FIXTURE_PROJECT_ID, "password": FIXTURE_SECRET}},
        }
    )


# --- checks of our own ------------------------------------------------------------------------


def stytch_status_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """The status is one Stytch's OpenAPI lists for the operation, or 403/404 (Stytch's error
    reference). Schemathesis' own ``status_code_conformance`` would reject the 404 that an
    unknown id honestly gets, since the published OpenAPI lists no 404 anywhere."""
    documented = {int(code) for code in case.operation.responses.status_codes if code.isdigit()}
    allowed = documented | EXTRA_STYTCH_STATUSES
    if case.method.upper() != case.operation.method.upper():
        allowed = allowed | {405}  # a negative case that sent a method the route does not serve
    if response.status_code not in allowed:
        raise AssertionError(
            f"{case.operation.label}: status {response.status_code} is neither listed in "
            f"Stytch's OpenAPI ({sorted(documented)}) nor one of Stytch's error pages "
            f"({sorted(EXTRA_STYTCH_STATUSES)}); body: {response.text[:300]}"
        )
    return None


def stytch_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx body is Stytch's error object, its status_code equal to the HTTP status."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.text)
    except ValueError as exc:
        raise AssertionError(f"{case.operation.label}: error body is not JSON: {exc}") from None
    missing = [f for f in ERROR_FIELDS if not isinstance(body, dict) or f not in body]
    if missing:
        raise AssertionError(f"{case.operation.label}: error body lacks {missing}: {body!r}")
    if body["status_code"] != response.status_code:
        raise AssertionError(
            f"{case.operation.label}: body status_code {body['status_code']} "
            f"!= HTTP {response.status_code}"
        )
    return None


STYTCH_CHECKS = [
    st_checks.not_a_server_error,
    st_checks.response_schema_conformance,
    stytch_status_conformance,
    stytch_error_shape,
]

OWN_CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.negative_data_rejection,
    stytch_error_shape,
]


def _known_ids(mock: Any) -> dict[str, str]:
    """Seed an organization with a member; their ids and the project's."""
    seeded = mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Schemathesis Org",
                    "organization_slug": "schemathesis-org",
                    "members": [{"email_address": "ada@schemathesis.example", "status": "active"}],
                }
            ]
        }
    )["organizations"][0]
    return {
        "organization_id": seeded["organization_id"],
        "member_id": seeded["members"][0]["member_id"],
        "project_id": mock.project_id,
    }


def _run(operation: Any, mode: str, mock: Any, checks: list[Any], examples: int) -> None:
    """Send ``examples`` generated requests for ``operation`` and validate every answer."""
    kwargs: dict[str, Any] = {}
    if mode == KNOWN_IDS:
        ids = _known_ids(mock)
        names = {p.name for p in operation.path_parameters}
        kwargs["path_parameters"] = {n: v for n, v in ids.items() if n in names}
        if operation.path == "/v1/b2b/sessions":
            kwargs["query"] = {n: ids[n] for n in ("organization_id", "member_id")}
    generation = GenerationMode.NEGATIVE if mode == NEGATIVE else GenerationMode.POSITIVE

    # The frontend SDK's routes (/sdk/v1) authenticate with the project's public token (as
    # user name and password) where the backend takes its secret: sent so, their bodies and
    # queries are fuzzed past the credential check.
    headers = {}
    if operation.path.startswith("/sdk/"):
        token = mock.public_token
        basic = base64.b64encode(f"{token}:{token}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"

    @_bounded(examples)
    @given(case=operation.as_strategy(generation_mode=generation, **kwargs))
    def run(case: Any) -> None:
        case.call_and_validate(checks=checks, headers=headers or None)

    try:
        run()
    except Unsatisfiable:
        if mode != NEGATIVE:
            raise
        pytest.skip(f"nothing in the schema of {operation.label} can be made invalid")


pytestmark = [
    pytest.mark.mock_only(reason="fuzzes the server it targets: never pointed at real Stytch"),
    pytest.mark.slow,
]


# --- 1. Stytch's published OpenAPI, restricted to what the mock implements --------------------


@lru_cache(maxsize=1)
def _load_stytch_schema(path: str, base_url: str) -> Any:
    return schemathesis.openapi.from_path(path, config=_config(base_url))


@pytest.fixture(scope="module")
def stytch_schema(stytch_mock_server: Any) -> Any:
    value = os.environ.get("STYTCH_OPENAPI")
    if not value:
        pytest.skip("STYTCH_OPENAPI is not set: Stytch's published OpenAPI is not available")
    if not Path(value).is_file():
        pytest.skip(f"STYTCH_OPENAPI={value} does not exist")
    return _load_stytch_schema(value, stytch_mock_server.url)


def _published(schema: Any, method: str, path: str) -> Any:
    try:
        return schema[path][method]
    except LookupError:
        return None


def test_every_implemented_operation_is_in_stytchs_openapi(stytch_schema: Any) -> None:
    missing = [
        f"{method} {path}"
        for method, path in b2b_operations()
        if _published(stytch_schema, method, path) is None
    ]
    assert not missing, f"the mock serves operations Stytch does not publish: {missing}"


@pytest.mark.parametrize(("method", "path", "mode"), _cases(b2b_operations()))
def test_mock_answers_stytchs_published_contract(
    stytch_schema: Any, stytch_mock: Any, method: str, path: str, mode: str
) -> None:
    operation = _published(stytch_schema, method, path)
    if operation is None:
        pytest.fail(f"{method} {path} is not in Stytch's published OpenAPI")
    _run(operation, mode, stytch_mock, STYTCH_CHECKS, STYTCH_EXAMPLES)


# --- 2. The mock's own generated /openapi.json -----------------------------------------------


@pytest.fixture(scope="module")
def own_document(stytch_mock_server: Any) -> dict[str, Any]:
    with urllib.request.urlopen(stytch_mock_server.url + "openapi.json", timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("application/json")
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def own_schema(own_document: dict[str, Any], stytch_mock_server: Any) -> Any:
    return schemathesis.openapi.from_dict(own_document, config=_config(stytch_mock_server.url))


def test_own_openapi_document_is_valid_openapi_31(
    own_document: dict[str, Any], own_schema: Any
) -> None:
    assert own_document["openapi"].startswith("3.1")
    own_schema.validate()  # raises on a document that breaks the OpenAPI 3.1 meta-schema
    broken = []
    for result in own_schema.get_all_operations():
        try:
            result.ok()
        except Exception as exc:  # an operation Schemathesis cannot resolve or use
            broken.append(str(exc))
    assert not broken, f"operations of /openapi.json that cannot be used: {broken}"


def test_own_openapi_document_lists_every_route(own_document: dict[str, Any]) -> None:
    documented = {
        (method.upper(), path) for path, ops in own_document["paths"].items() for method in ops
    }
    assert documented == set(all_mock_operations())


@pytest.mark.parametrize(("method", "path", "mode"), _cases(all_mock_operations()))
def test_mock_answers_its_own_openapi(
    own_schema: Any, stytch_mock: Any, method: str, path: str, mode: str
) -> None:
    _run(own_schema[path][method], mode, stytch_mock, OWN_CHECKS, OWN_EXAMPLES)
