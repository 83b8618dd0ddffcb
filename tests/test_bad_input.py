"""Bad input never breaks the mock: every invalid request is a Stytch-shaped 4xx and changes
nothing. Raw HTTP (the SDK cannot send most of these), over every implemented route."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterator
from typing import Any, Literal

import aiohttp
import pytest
from pydantic import BaseModel, RootModel
from stytch.core.response_base import StytchError

from mockserver.openapi import operations
from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, StytchMock
from tests.support import (
    assert_sdk_error,
    assert_stytch_error,
    discovery_token,
    intermediate_session,
    log_in,
    login_token,
    org_with_member,
    state_of,
)

FAKE = {
    "organization_id": "organization-test-00000000-0000-4000-8000-00000000dead",
    "member_id": "member-test-00000000-0000-4000-8000-00000000dead",
    "project_id": FIXTURE_PROJECT_ID,
    "member_session_id": "session-test-00000000-0000-4000-8000-00000000dead",
    "member_password_id": "member-password-test-00000000-0000-4000-8000-00000000dead",
    "connection_id": "saml-connection-test-00000000-0000-4000-8000-00000000dead",
    "certificate_id": "certificate-test-00000000-0000-4000-8000-00000000dead",
    "private_key_id": "saml-encryption-private-key-test-00000000-0000-4000-8000-00000000dead",
    "public_token": "public-token-test-00000000-0000-4000-8000-00000000dead",
    "client_id": "m2m-client-test-00000000-0000-4000-8000-00000000dead",
}


def concrete(path: str) -> str:
    for name, value in FAKE.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"add a value for the path parameter of {path} to FAKE"
    return path.lstrip("/")


# Every route whose body is a JSON object (the frontend SDK's telemetry batch is an array).
BODY_ROUTES = [
    pytest.param(method.upper(), path, handler.openapi["body"], id=f"{method.upper()} {path}")
    for method, path, handler in operations()
    if handler.openapi["body"] is not None and not issubclass(handler.openapi["body"], RootModel)
]
ALL_ROUTES = sorted({(method.upper(), path) for method, path, _ in operations()})


@pytest.fixture
def populated(stytch_mock: StytchMock) -> Iterator[dict[str, Any]]:
    """A project with something in it, so that 'nothing changed' means something."""
    org, member = org_with_member(stytch_mock, "ada@acme.com", organization_slug="acme")
    session = log_in(stytch_mock, org.organization_id, "ada@acme.com")
    stytch_mock.client.magic_links.email.discovery.send(email_address="zoe@example.com")
    stytch_mock.advance_clock(seconds=7)
    before = state_of(stytch_mock)
    yield {"org": org, "member": member, "session": session}
    assert state_of(stytch_mock) == before, "an invalid request changed the project's state"


def test_bad_input_routes_cover_every_body(stytch_mock: StytchMock) -> None:
    assert len(BODY_ROUTES) >= 18
    assert any(p.values[1] == "/v1/b2b/organizations/{organization_id}" for p in BODY_ROUTES)


# --- bodies that are not a JSON object ---


NOT_AN_OBJECT = [
    (b"{", "not valid JSON"),
    (b'{"email_address": "ada@example.com",}', "not valid JSON"),
    (b"{'single': 'quotes'}", "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b'{"a": 1} trailing', "not valid JSON"),
    (b"[" * 5000 + b"]" * 5000, None),
    (b"[]", "JSON object"),
    (b'[{"email_address": "ada@example.com"}]', "JSON object"),
    (b'"a string"', "JSON object"),
    (b"42", "JSON object"),
    (b"true", "JSON object"),
    (b"null", "JSON object"),
]


@pytest.mark.parametrize(("method", "path", "model"), BODY_ROUTES)
def test_body_that_is_not_a_json_object_is_refused(
    stytch_mock: StytchMock, populated: dict, method: str, path: str, model: type[BaseModel]
) -> None:
    for body, message in NOT_AN_OBJECT:
        resp = stytch_mock.request(method, concrete(path), body=body)
        assert_stytch_error(resp, 400, "bad_request")
        if message:
            assert message in resp.json["error_message"], (body[:40], resp.json)


# --- wrong types and missing fields, generated from each route's model ---


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def plausible(name: str, annotation: Any) -> Any:
    tp = _unwrap(annotation)
    origin = typing.get_origin(tp)
    if origin is list:
        return [FAKE["organization_id"]] if name == "organization_ids" else ["x"]
    if origin is dict or tp is dict:
        return {}
    if origin is Literal:
        return typing.get_args(tp)[0]
    if _is_model(tp):
        return valid_base(tp)
    if tp is bool:
        return True
    if tp is int:
        return 60
    if tp is float:
        return 1.0
    return "ada@example.com" if "email" in name else "x"


def valid_base(model: type[BaseModel]) -> dict[str, Any]:
    return {
        name: plausible(name, field.annotation)
        for name, field in model.model_fields.items()
        if field.is_required()
    }


def wrong_values(annotation: Any) -> list[Any]:
    """Values of the wrong JSON type for a field of this annotation."""
    tp = _unwrap(annotation)
    origin = typing.get_origin(tp)
    if origin is list:
        return [{"not": "a list"}, "a string"]
    if origin is dict or tp is dict or _is_model(tp):
        return [["not", "an", "object"], "a string"]
    if origin is Literal or tp is str:
        return [5, ["a", "list"], {"an": "object"}, True]
    if tp is bool:
        return ["yes", 1]
    if tp is int:
        return ["5", 5.5, [5]]
    if tp is float:
        return ["soon", [1]]
    return [object]  # an annotation this generator does not know: fail loudly below


def field_cases(model: type[BaseModel]) -> list[tuple[str, Any]]:
    cases = []
    for name, field in model.model_fields.items():
        for value in wrong_values(field.annotation):
            assert value is not object, f"add a wrong value for {model.__name__}.{name}"
            cases.append((field.alias or name, value))
    return cases


@pytest.mark.parametrize(("method", "path", "model"), BODY_ROUTES)
def test_field_of_the_wrong_type_is_refused(
    stytch_mock: StytchMock, populated: dict, method: str, path: str, model: type[BaseModel]
) -> None:
    cases = field_cases(model)
    assert cases
    for name, value in cases:
        body = {**valid_base(model), name: value}
        resp = stytch_mock.request(method, concrete(path), body)
        assert_stytch_error(resp, 400)
        assert resp.json["error_type"] in ("invalid_argument", "bad_request"), (name, resp.json)
        assert name in resp.json["error_message"], (name, value, resp.json)


REQUIRED_ROUTES = [p for p in BODY_ROUTES if valid_base(p.values[2])]


@pytest.mark.parametrize(("method", "path", "model"), REQUIRED_ROUTES)
def test_missing_required_field_is_refused(
    stytch_mock: StytchMock, populated: dict, method: str, path: str, model: type[BaseModel]
) -> None:
    base = valid_base(model)
    for name in base:
        body = {k: v for k, v in base.items() if k != name}
        for sent in (body, {**body, name: None}):
            resp = stytch_mock.request(method, concrete(path), sent)
            assert_stytch_error(resp, 400)
            assert name in resp.json["error_message"], (name, resp.json)
            if name == "organization_name" and name not in sent:
                assert resp.json["error_type"] == "organization_name_missing"
    empty = stytch_mock.request(method, concrete(path), body=b"")
    assert_stytch_error(empty, 400)


# --- values out of range ---


SESSION_DURATIONS = [0, 4, -60, 527041, 10**30]


def session_routes(mock: StytchMock) -> list[tuple[str, dict[str, Any]]]:
    """One valid request per route that starts or extends a session, with live tokens."""
    org, _ = org_with_member(mock, "ada@acme.com", organization_slug="acme")
    other = mock.client.organizations.create(organization_name="Other").organization
    mock.client.organizations.members.create(
        organization_id=other.organization_id, email_address="ada@acme.com"
    )
    session = log_in(mock, org.organization_id, "ada@acme.com")
    link = login_token(mock, org.organization_id, "ada@acme.com")
    ist = intermediate_session(mock, "ada@acme.com")
    return [
        ("v1/b2b/magic_links/authenticate", {"magic_links_token": link}),
        ("v1/b2b/sessions/authenticate", {"session_token": session.session_token}),
        ("v1/b2b/sessions/authenticate", {"session_jwt": session.session_jwt}),
        (
            "v1/b2b/sessions/exchange",
            {"session_token": session.session_token, "organization_id": other.organization_id},
        ),
        (
            "v1/b2b/discovery/intermediate_sessions/exchange",
            {"intermediate_session_token": ist, "organization_id": org.organization_id},
        ),
        (
            "v1/b2b/discovery/organizations/create",
            {"intermediate_session_token": ist, "organization_name": "New Co"},
        ),
    ]


def test_session_duration_out_of_range_is_refused_and_consumes_nothing(
    stytch_mock: StytchMock,
) -> None:
    routes = session_routes(stytch_mock)
    before = state_of(stytch_mock)

    for path, body in routes:
        for minutes in SESSION_DURATIONS:
            resp = stytch_mock.request("POST", path, {**body, "session_duration_minutes": minutes})
            assert_stytch_error(resp, 400, "invalid_session_duration_minutes")

    assert state_of(stytch_mock) == before
    for path, body in routes:  # every token is still good for a valid request
        ok = stytch_mock.request("POST", path, {**body, "session_duration_minutes": 5})
        assert ok.status == 200, (path, ok.json)
        if "intermediate_session_token" in body:
            break  # the IST is used up by the first of its two routes


def test_oversized_custom_claims_are_refused_and_consume_nothing(
    stytch_mock: StytchMock,
) -> None:
    routes = session_routes(stytch_mock)
    before = state_of(stytch_mock)
    too_big = {"blob": "x" * 4086}  # 4097 bytes of compact JSON
    many = {f"claim_{i}": i for i in range(500)}

    for path, body in routes:
        for claims in (too_big, many):
            resp = stytch_mock.request("POST", path, {**body, "session_custom_claims": claims})
            assert_stytch_error(resp, 400, "custom_claims_too_large")

    assert state_of(stytch_mock) == before


def test_custom_claims_of_exactly_4_kb_are_accepted(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    session = log_in(stytch_mock, org.organization_id, "ada@acme.com")
    claims = {"blob": "x" * 4085}
    assert len(json.dumps(claims, separators=(",", ":"))) == 4096

    resp = stytch_mock.client.sessions.authenticate(
        session_token=session.session_token, session_custom_claims=claims
    )

    assert resp.member_session.custom_claims == claims


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("v1/b2b/magic_links/email/discovery/send", "discovery_expiration_minutes"),
        ("v1/b2b/magic_links/email/login_or_signup", "login_expiration_minutes"),
        ("v1/b2b/magic_links/email/login_or_signup", "signup_expiration_minutes"),
        ("v1/b2b/magic_links/email/invite", "invite_expiration_minutes"),
    ],
)
def test_link_expiration_out_of_range_is_refused(
    stytch_mock: StytchMock, populated: dict, path: str, field: str
) -> None:
    body = {"email_address": "ada@acme.com", "organization_id": populated["org"].organization_id}
    if field == "signup_expiration_minutes":
        body["email_address"] = "newcomer@acme.com"
    for minutes in (0, 4, 10081, -1, 10**30):
        resp = stytch_mock.request("POST", path, {**body, field: minutes})
        assert_stytch_error(resp, 400, "invalid_expiration")
        assert field in resp.json["error_message"]


BAD_EMAILS = [
    "plainaddress",
    "ada@",
    "@example.com",
    "ada@example",
    "ada example@example.com",
    "ada@exa mple.com",
    "ada@@example.com",
    "a" * 65 + "@example.com",
    "ada@" + "b" * 250 + ".com",
    "",
]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "v1/b2b/magic_links/email/discovery/send"),
        ("POST", "v1/b2b/magic_links/email/login_or_signup"),
        ("POST", "v1/b2b/magic_links/email/invite"),
        ("POST", "v1/b2b/organizations/{organization_id}/members"),
        ("PUT", "v1/b2b/organizations/{organization_id}/members/{member_id}"),
    ],
)
def test_invalid_email_is_refused(
    stytch_mock: StytchMock, populated: dict, method: str, path: str
) -> None:
    org_id = populated["org"].organization_id
    path = path.format(organization_id=org_id, member_id=populated["member"].member_id)
    for email in BAD_EMAILS:
        resp = stytch_mock.request(
            method, path, {"email_address": email, "organization_id": org_id}
        )
        assert_stytch_error(resp, 400, "invalid_email")


def test_invalid_email_in_a_seed_is_refused(stytch_mock: StytchMock, populated: dict) -> None:
    for email in BAD_EMAILS:
        resp = stytch_mock.request(
            "POST",
            "_mock/seed",
            {"organizations": [{"organization_name": "S", "members": [{"email_address": email}]}]},
        )
        assert_stytch_error(resp, 400, "invalid_email")


# --- routes and methods that do not exist ---


UNKNOWN_ROUTES = [
    ("GET", "v1/b2b/nothing/here"),
    ("POST", "v1/b2b/magic_links/email/discovery/sendd"),
    ("POST", "v1/magic_links/email/send"),
    ("GET", "v1/b2b/organizations/a/b/c/d/e"),
    ("POST", "v2/b2b/organizations"),
    ("GET", "_mock/nothing"),
    ("DELETE", "v1/b2b/sessions/jwks"),
    ("GET", "%2e%2e/%2e%2e/etc/passwd"),
]


@pytest.mark.parametrize(("method", "path"), UNKNOWN_ROUTES)
@pytest.mark.parametrize("auth", [True, False], ids=["with credentials", "without"])
def test_unknown_route_is_a_stytch_404(
    stytch_mock: StytchMock, populated: dict, method: str, path: str, auth: bool
) -> None:
    resp = stytch_mock.request(method, path, auth=auth, body=b"{}")

    assert_stytch_error(resp, 404, "route_not_found")


def _patch_cases() -> list[Any]:
    return [
        pytest.param("PATCH", concrete(p), id=f"PATCH {p}")
        for p in sorted({p for _, p in ALL_ROUTES})
    ]


WRONG_METHODS = [
    *_patch_cases(),
    pytest.param("GET", "v1/b2b/magic_links/email/discovery/send", id="GET discovery send"),
    pytest.param("DELETE", "v1/b2b/magic_links/authenticate", id="DELETE ml authenticate"),
    pytest.param("PUT", "v1/b2b/sessions/authenticate", id="PUT sessions authenticate"),
    pytest.param("GET", "v1/b2b/sessions/revoke", id="GET sessions revoke"),
    pytest.param("POST", "v1/b2b/sessions/jwks/" + FIXTURE_PROJECT_ID, id="POST jwks"),
    pytest.param("DELETE", "v1/b2b/organizations/members/search", id="DELETE members search"),
    pytest.param("POST", concrete("/v1/b2b/organizations/{organization_id}"), id="POST org"),
    pytest.param("GET", "_mock/reset", id="GET reset"),
    pytest.param("DELETE", "_mock/clock", id="DELETE clock"),
    pytest.param("POST", "_mock/state", id="POST state"),
    pytest.param("PUT", "_mock/seed", id="PUT seed"),
    pytest.param("POST", "openapi.json", id="POST openapi"),
]


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_wrong_method_is_a_stytch_405(
    stytch_mock: StytchMock, populated: dict, method: str, path: str
) -> None:
    resp = stytch_mock.request(method, path, body=b'{"organization_name": "Nope"}')

    assert_stytch_error(resp, 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "v1/b2b/organizations"),
        ("POST", "v1/b2b/magic_links/email/discovery/send"),
        ("PUT", concrete("/v1/b2b/organizations/{organization_id}")),
    ],
)
def test_two_megabyte_body_is_a_stytch_413(
    stytch_mock: StytchMock, populated: dict, method: str, path: str
) -> None:
    filler = "x" * (2 * 1024 * 1024)
    body = json.dumps({"organization_name": "Big", "email_address": "a@b.co", "f": filler})

    resp = stytch_mock.request(method, path, body=body.encode())

    assert_stytch_error(resp, 413)


def test_control_api_takes_state_and_seed_documents_larger_than_the_stytch_limit(
    stytch_mock: StytchMock,
) -> None:
    # Stytch's routes stop at 1 MB; saved scenarios and fixtures are often bigger.
    organizations = [
        {
            "organization_name": f"Bulk {i}",
            "organization_slug": f"bulk-{i}",
            "trusted_metadata": {"notes": "n" * 600},
            "members": [{"email_address": f"m{j}@bulk-{i}.example"} for j in range(5)],
        }
        for i in range(1500)
    ]
    body = json.dumps({"organizations": organizations}).encode()
    assert len(body) > 1024 * 1024

    seeded = stytch_mock.request("POST", "_mock/seed", body=body)
    assert seeded.status == 200, seeded.json
    assert len(seeded.json["organizations"]) == 1500

    state = state_of(stytch_mock)
    document = json.dumps({"state": state}).encode()
    assert len(document) > 1024 * 1024
    stytch_mock.reset()
    restored = stytch_mock.request("PUT", "_mock/state", body=document)
    assert restored.status == 200, restored.json
    assert state_of(stytch_mock) == state


def test_query_parameters_of_the_wrong_shape_are_refused(
    stytch_mock: StytchMock, populated: dict
) -> None:
    member_id = populated["member"].member_id
    org_id = populated["org"].organization_id
    cases = [
        f"v1/b2b/organizations/members/dangerously_get/{member_id}?include_deleted=maybe",
        f"v1/b2b/sessions?organization_id={org_id}",
        f"v1/b2b/sessions?member_id={member_id}",
        "v1/b2b/sessions",
    ]
    for path in cases:
        resp = stytch_mock.request("GET", path)
        assert_stytch_error(resp, 400)
    resp = stytch_mock.request("GET", f"v1/b2b/organizations/{org_id}/member")
    assert 400 <= resp.status < 500
    assert_stytch_error(resp, resp.status)


# --- what the Python SDK sends, tolerated ---


def test_delete_through_the_sdk_sends_no_body_and_works(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")

    deleted = stytch_mock.client.organizations.members.delete(
        organization_id=org.organization_id, member_id=member.member_id
    )
    assert deleted.member_id == member.member_id
    gone = stytch_mock.client.organizations.delete(organization_id=org.organization_id)
    assert gone.organization_id == org.organization_id


async def test_delete_through_the_async_sdk_works(stytch_mock: StytchMock) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Gone Soon").organization
    async with aiohttp.ClientSession() as session:
        client = stytch_mock.new_client(async_session=session)
        resp = await client.organizations.delete_async(organization_id=org.organization_id)
    assert resp.organization_id == org.organization_id
    with pytest.raises(StytchError) as exc:
        stytch_mock.client.organizations.get(organization_id=org.organization_id)
    assert_sdk_error(exc, 404, "organization_not_found")


@pytest.mark.parametrize("body", [b"", b"{}"], ids=["empty body", "empty object"])
def test_delete_with_an_empty_or_empty_object_body_works(
    stytch_mock: StytchMock, body: bytes
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    member_path = f"v1/b2b/organizations/{org.organization_id}/members/{member.member_id}"

    resp = stytch_mock.request("DELETE", member_path, body=body)
    assert resp.status == 200, resp.json
    assert resp.json["member_id"] == member.member_id
    resp = stytch_mock.request("DELETE", f"v1/b2b/organizations/{org.organization_id}", body=body)
    assert resp.status == 200, resp.json
    assert state_of(stytch_mock)["organizations"] == []


def test_path_parameters_repeated_in_the_body_are_ignored(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    other = stytch_mock.client.organizations.create(organization_name="Other").organization

    resp = stytch_mock.request(
        "PUT",
        f"v1/b2b/organizations/{org.organization_id}",
        {"organization_id": other.organization_id, "organization_name": "Renamed"},
    )
    assert resp.status == 200, resp.json
    assert resp.json["organization"]["organization_id"] == org.organization_id
    resp = stytch_mock.request(
        "PUT",
        f"v1/b2b/organizations/{org.organization_id}/members/{member.member_id}",
        {"organization_id": org.organization_id, "member_id": member.member_id, "name": "Ada"},
    )
    assert resp.status == 200, resp.json
    assert resp.json["member"]["name"] == "Ada"

    names = {
        o["organization_id"]: o["organization_name"] for o in state_of(stytch_mock)["organizations"]
    }
    assert names == {org.organization_id: "Renamed", other.organization_id: "Other"}
    # The SDK itself repeats them (members.update sends organization_id and member_id).
    updated = stytch_mock.client.organizations.members.update(
        organization_id=org.organization_id, member_id=member.member_id, name="Ada L."
    )
    assert updated.member.name == "Ada L."


def test_path_parameters_repeated_in_the_query_are_ignored(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")

    resp = stytch_mock.request(
        "GET",
        f"v1/b2b/organizations/{org.organization_id}?organization_id=organization-test-other",
    )
    assert resp.status == 200, resp.json
    assert resp.json["organization"]["organization_id"] == org.organization_id
    resp = stytch_mock.request(
        "GET",
        f"v1/b2b/organizations/members/dangerously_get/{member.member_id}"
        f"?member_id={member.member_id}",
    )
    assert resp.status == 200, resp.json
    assert resp.json["member"]["member_id"] == member.member_id


def test_get_with_a_json_content_type_and_no_body_works(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")

    for body in (None, b""):
        resp = stytch_mock.request(
            "GET",
            f"v1/b2b/organizations/{org.organization_id}",
            headers={"Content-Type": "application/json"},
            body=body,
        )
        assert resp.status == 200, resp.json
        assert resp.json["organization"]["organization_id"] == org.organization_id


@pytest.mark.parametrize(
    ("value", "found"),
    [("True", True), ("true", True), ("1", True), ("False", False), ("false", False), ("0", False)],
)
def test_boolean_query_values_in_every_spelling(
    stytch_mock: StytchMock, value: str, found: bool
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.client.organizations.members.delete(
        organization_id=org.organization_id, member_id=member.member_id
    )

    resp = stytch_mock.request(
        "GET",
        f"v1/b2b/organizations/members/dangerously_get/{member.member_id}?include_deleted={value}",
    )

    if found:
        assert resp.status == 200, resp.json
        assert resp.json["member"]["status"] == "deleted"
    else:
        assert_stytch_error(resp, 404, "member_not_found")


def test_sdk_sends_python_booleans_in_the_query(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.client.organizations.members.delete(
        organization_id=org.organization_id, member_id=member.member_id
    )

    resp = stytch_mock.client.organizations.members.dangerously_get(
        member_id=member.member_id, include_deleted=True
    )

    assert resp.member.status == "deleted"


def test_unknown_body_fields_are_ignored(stytch_mock: StytchMock) -> None:
    """Newer SDKs send fields this mock does not model; they must not be an error."""
    discovery_token(stytch_mock, "ada@example.com")
    resp = stytch_mock.request(
        "POST",
        "v1/b2b/magic_links/email/discovery/send",
        {"email_address": "ada@example.com", "some_future_field": {"x": 1}},
    )

    assert resp.status == 200, resp.json
    assert len(stytch_mock.outbox.messages(to="ada@example.com")) == 2
