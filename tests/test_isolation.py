"""Several projects on one server: credentials pick the project, and nothing leaks between them."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import aiohttp
import jwt
import pytest
from stytch import B2BClient
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from tests.conftest import TwoProjects
from tests.support import (
    PROJECT_A,
    PROJECT_B,
    assert_sdk_error,
    assert_stytch_error,
    basic,
    discovery_token,
    http,
    intermediate_session,
    log_in,
    login_token,
    org_with_member,
    state_of,
)


def everything_of(a: StytchMock) -> dict[str, Any]:
    """Project A with one of each secret thing; returns them."""
    org, member = org_with_member(a, "ada@acme.com")
    session = log_in(a, org.organization_id, "ada@acme.com")
    org_link = login_token(a, org.organization_id, "ada@acme.com")
    ist = intermediate_session(a, "ada@acme.com")
    discovery_link = discovery_token(a, "zoe@example.com")
    return {
        "org": org,
        "member": member,
        "session": session,
        "org_link": org_link,
        "ist": ist,
        "discovery_link": discovery_link,
    }


def test_project_b_cannot_use_anything_of_project_a(two_projects: TwoProjects) -> None:
    a, b = two_projects.a, two_projects.b
    secret = everything_of(a)
    org_id = secret["org"].organization_id
    b_org, _ = org_with_member(b, "ada@acme.com", name="B Corp")
    before_b = state_of(b)
    client = b.client

    cases = [
        (
            lambda: client.magic_links.discovery.authenticate(
                discovery_magic_links_token=secret["discovery_link"]
            ),
            404,
            "magic_link_not_found",
        ),
        (
            lambda: client.magic_links.authenticate(magic_links_token=secret["org_link"]),
            404,
            "magic_link_not_found",
        ),
        (
            lambda: client.discovery.organizations.list(intermediate_session_token=secret["ist"]),
            404,
            "intermediate_session_not_found",
        ),
        (
            lambda: client.discovery.intermediate_sessions.exchange(
                intermediate_session_token=secret["ist"], organization_id=b_org.organization_id
            ),
            404,
            "intermediate_session_not_found",
        ),
        (
            lambda: client.sessions.authenticate(session_token=secret["session"].session_token),
            404,
            "session_not_found",
        ),
        (
            lambda: client.sessions.authenticate(session_jwt=secret["session"].session_jwt),
            400,
            "unable_to_parse_session_jwt",
        ),
        (
            lambda: client.sessions.revoke(
                member_session_id=secret["session"].member_session.member_session_id
            ),
            404,
            "session_not_found",
        ),
        (lambda: client.organizations.get(organization_id=org_id), 404, "organization_not_found"),
        (
            lambda: client.organizations.get(organization_id=secret["org"].organization_slug),
            404,
            "organization_not_found",
        ),
        (
            lambda: client.organizations.update(organization_id=org_id, organization_name="Pwned"),
            404,
            "organization_not_found",
        ),
        (
            lambda: client.organizations.delete(organization_id=org_id),
            404,
            "organization_not_found",
        ),
        (
            lambda: client.organizations.members.dangerously_get(
                member_id=secret["member"].member_id
            ),
            404,
            "member_not_found",
        ),
        (
            lambda: client.organizations.members.delete(
                organization_id=org_id, member_id=secret["member"].member_id
            ),
            404,
            "organization_not_found",
        ),
        (
            lambda: client.organizations.members.search(organization_ids=[org_id]),
            404,
            "organization_not_found",
        ),
    ]
    for call, status, error_type in cases:
        with pytest.raises(StytchError) as exc:
            call()
        assert_sdk_error(exc, status, error_type)

    assert b.outbox.messages() == []
    assert [o.organization_id for o in client.organizations.search().organizations] == [
        b_org.organization_id
    ]
    assert state_of(b) == before_b
    # And A still has all of it, untouched by B's attempts.
    assert a.client.sessions.authenticate(session_token=secret["session"].session_token)
    assert a.client.magic_links.authenticate(magic_links_token=secret["org_link"]).member_id == (
        secret["member"].member_id
    )


async def test_isolation_holds_for_the_async_client(two_projects: TwoProjects) -> None:
    a, b = two_projects.a, two_projects.b
    secret = everything_of(a)
    async with aiohttp.ClientSession() as http_session:
        client = b.new_client(async_session=http_session)
        with pytest.raises(StytchError) as exc:
            await client.magic_links.discovery.authenticate_async(
                discovery_magic_links_token=secret["discovery_link"]
            )
        assert_sdk_error(exc, 404, "magic_link_not_found")
        with pytest.raises(StytchError) as exc:
            await client.sessions.authenticate_async(session_token=secret["session"].session_token)
        assert_sdk_error(exc, 404, "session_not_found")
        with pytest.raises(StytchError) as exc:
            await client.organizations.get_async(organization_id=secret["org"].organization_id)
        assert_sdk_error(exc, 404, "organization_not_found")
        found = await client.organizations.search_async()
        assert found.organizations == []


def test_a_jwt_of_project_a_does_not_verify_with_project_bs_keys(two_projects: TwoProjects) -> None:
    a, b = two_projects.a, two_projects.b
    org, _ = org_with_member(a, "ada@acme.com")
    session = log_in(a, org.organization_id, "ada@acme.com")

    local = a.client.sessions.authenticate_jwt_local(session_jwt=session.session_jwt)
    assert local.member_session_id == session.member_session.member_session_id
    with pytest.raises(jwt.PyJWKClientError):
        b.client.sessions.authenticate_jwt_local(session_jwt=session.session_jwt)


def test_each_projects_outbox_clock_and_reset_are_its_own(two_projects: TwoProjects) -> None:
    a, b = two_projects.a, two_projects.b
    a.client.magic_links.email.discovery.send(email_address="ada@example.com")
    b.client.magic_links.email.discovery.send(email_address="bob@example.com")
    a.advance_clock(hours=2)

    assert [m["to"] for m in a.outbox.messages()] == ["ada@example.com"]
    assert [m["to"] for m in b.outbox.messages()] == ["bob@example.com"]
    assert b.control("GET", "_mock/clock")["offset_seconds"] == 0

    a.reset()
    assert a.outbox.messages() == []
    assert [m["to"] for m in b.outbox.messages()] == ["bob@example.com"]
    a.control("DELETE", "_mock/outbox")
    assert len(b.outbox.messages()) == 1


def test_slugs_are_unique_per_project_only(two_projects: TwoProjects) -> None:
    a = two_projects.a.client.organizations.create(organization_name="A", organization_slug="same")
    b = two_projects.b.client.organizations.create(organization_name="B", organization_slug="same")

    assert a.organization.organization_slug == b.organization.organization_slug == "same"
    assert a.organization.organization_id != b.organization.organization_id


# --- credentials ---


def _garbled(value: str) -> dict[str, str]:
    return {"Authorization": value}


CREDENTIALS = [
    pytest.param({}, id="no Authorization header"),
    pytest.param(_garbled(basic(PROJECT_A.project_id, "secret-test-wrong")), id="wrong secret"),
    pytest.param(
        _garbled(basic(PROJECT_A.project_id, PROJECT_B.secret)), id="the other project's secret"
    ),
    pytest.param(_garbled(basic(PROJECT_A.project_id, "")), id="empty secret"),
    pytest.param(
        _garbled(basic("project-test-unknown", PROJECT_A.secret)), id="unknown project id"
    ),
    pytest.param(_garbled("Basic !!!not-base64!!!"), id="not base64"),
    pytest.param(_garbled("Basic " + base64.b64encode(b"no-colon-here").decode()), id="no colon"),
    pytest.param(_garbled("Basic " + base64.b64encode(b"\xff\xfe:\xfd").decode()), id="not UTF-8"),
    pytest.param(_garbled("Bearer " + PROJECT_A.secret), id="not Basic"),
    pytest.param(_garbled("Basic"), id="Basic without credentials"),
]


@pytest.mark.parametrize("headers", CREDENTIALS)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "v1/b2b/organizations", b'{"organization_name": "Intruder"}'),
        ("POST", "v1/b2b/organizations/search", b"{}"),
        ("GET", "_mock/outbox", None),
    ],
    ids=["create organization", "search organizations", "outbox"],
)
def test_bad_credentials_are_refused(
    two_projects: TwoProjects, headers: dict[str, str], method: str, path: str, body: bytes | None
) -> None:
    a = two_projects.a
    a.client.magic_links.email.discovery.send(email_address="ada@example.com")
    before = state_of(a)

    resp = http(
        two_projects.server.url + path,
        method,
        body=body,
        headers={"Content-Type": "application/json", **headers},
    )

    assert_stytch_error(resp, 401, "unauthorized_credentials")
    assert "ada@example.com" not in json.dumps(resp.json)
    assert state_of(a) == before


def test_sdk_with_a_wrong_secret_gets_unauthorized_credentials(two_projects: TwoProjects) -> None:
    client = B2BClient(
        project_id=PROJECT_A.project_id,
        secret="secret-test-not-this-one",
        environment=two_projects.server.url,
    )

    with pytest.raises(StytchError) as exc:
        client.organizations.create(organization_name="Nope")
    assert_sdk_error(exc, 401, "unauthorized_credentials")
    assert state_of(two_projects.a)["organizations"] == []


# --- JWKS --------------------------------------------------------------------------------------


def test_each_project_has_its_own_jwks_readable_without_credentials(
    two_projects: TwoProjects,
) -> None:
    url = two_projects.server.url + "v1/b2b/sessions/jwks/"

    a = http(url + PROJECT_A.project_id)
    b = http(url + PROJECT_B.project_id)

    assert a.status == b.status == 200
    (key_a,) = a.json["keys"]
    (key_b,) = b.json["keys"]
    assert key_a["kid"] != key_b["kid"]
    assert key_a["n"] != key_b["n"]
    assert key_a["kid"].startswith("jwk-test-")
    assert (key_a["kty"], key_a["alg"], key_a["use"]) == ("RSA", "RS256", "sig")
    sdk = two_projects.b.client.sessions.get_jwks(project_id=PROJECT_A.project_id)
    assert sdk.keys[0].kid == key_a["kid"]


def test_jwks_of_an_unknown_project_is_not_found(two_projects: TwoProjects) -> None:
    resp = http(two_projects.server.url + "v1/b2b/sessions/jwks/project-test-nobody")

    assert_stytch_error(resp, 404, "project_not_found")


def test_jwks_survives_a_reset(two_projects: TwoProjects) -> None:
    """SDKs cache the JWKS for minutes: the key must not change on reset."""
    url = two_projects.server.url + "v1/b2b/sessions/jwks/" + PROJECT_A.project_id
    kid = http(url).json["keys"][0]["kid"]

    two_projects.a.reset()

    assert http(url).json["keys"][0]["kid"] == kid


# --- open projects ---


def fresh_project_id() -> str:
    return f"project-test-{uuid.uuid4()}"


def test_open_projects_create_a_fresh_project_on_first_use(open_server: MockServer) -> None:
    mock = StytchMock(open_server.url, fresh_project_id(), "secret-test-anything")

    assert state_of(mock)["organizations"] == []
    org = mock.client.organizations.create(organization_name="Open Co").organization
    mock.client.magic_links.email.discovery.send(email_address="ada@example.com")

    assert mock.client.organizations.get(organization_id=org.organization_id)
    assert [m["to"] for m in mock.outbox.messages()] == ["ada@example.com"]
    jwks = http(open_server.url + "v1/b2b/sessions/jwks/" + mock.project_id)
    assert jwks.status == 200 and jwks.json["keys"][0]["kid"].startswith("jwk-test-")


def test_open_project_keeps_the_secret_it_first_came_with(open_server: MockServer) -> None:
    project_id = fresh_project_id()
    first = StytchMock(open_server.url, project_id, "secret-test-first")
    first.client.organizations.create(organization_name="Mine")

    thief = StytchMock(open_server.url, project_id, "secret-test-second")
    resp = thief.request("POST", "v1/b2b/organizations/search", {})

    assert_stytch_error(resp, 401, "unauthorized_credentials")
    assert len(state_of(first)["organizations"]) == 1


def test_two_open_projects_do_not_see_each_other(open_server: MockServer) -> None:
    one = StytchMock(open_server.url, fresh_project_id(), "secret-test-one")
    two = StytchMock(open_server.url, fresh_project_id(), "secret-test-two")
    org = one.client.organizations.create(organization_name="One", organization_slug="shared")
    one.client.magic_links.email.discovery.send(email_address="ada@example.com")
    token = one.outbox.latest_token("ada@example.com")

    with pytest.raises(StytchError) as exc:
        two.client.organizations.get(organization_id=org.organization.organization_id)
    assert_sdk_error(exc, 404, "organization_not_found")
    with pytest.raises(StytchError) as exc:
        two.client.magic_links.discovery.authenticate(discovery_magic_links_token=token)
    assert_sdk_error(exc, 404, "magic_link_not_found")
    assert two.outbox.messages() == []
    # The slug is free in the other project.
    assert two.client.organizations.create(organization_name="Two", organization_slug="shared")


@pytest.mark.parametrize(
    "project_id",
    [
        "project-live-00000000-0000-4000-8000-000000000000",
        "project-test-",
        "project-test-has spaces",
        "someone-else",
        "",
    ],
    ids=["live id", "empty suffix", "spaces", "not a project id", "empty"],
)
def test_open_projects_take_only_test_project_ids(open_server: MockServer, project_id: str) -> None:
    resp = http(
        open_server.url + "v1/b2b/organizations/search",
        "POST",
        body=b"{}",
        headers={"Authorization": basic(project_id, "secret-test-x")},
    )

    assert_stytch_error(resp, 401, "unauthorized_credentials")
    assert open_server.registry.find_project(project_id) is None


def test_open_projects_still_check_a_configured_projects_secret(open_server: MockServer) -> None:
    resp = http(
        open_server.url + "_mock/outbox",
        headers={"Authorization": basic(PROJECT_A.project_id, "secret-test-guess")},
    )

    assert_stytch_error(resp, 401, "unauthorized_credentials")


def test_jwks_of_an_open_project_not_yet_used_is_not_found(open_server: MockServer) -> None:
    resp = http(open_server.url + "v1/b2b/sessions/jwks/" + fresh_project_id())

    assert_stytch_error(resp, 404, "project_not_found")
