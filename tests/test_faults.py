"""Faults on demand (``/_mock/faults``, ``stytch_mock.fail_next``): chosen calls fail with
Stytch's errors or answer late, through the SDKs' own error handling."""

from __future__ import annotations

import time

import aiohttp
import pytest
import stytch
from stytch.core.response_base import StytchError

from mockserver.http.faults import SDK_OPERATIONS
from mockserver.openapi import stytch_operations
from mockserver.pytest_plugin import StytchMock
from tests.support import assert_sdk_error, assert_stytch_error, org_with_member, state_of


def test_fail_next_fails_the_next_call_only(stytch_mock: StytchMock) -> None:
    stytch_mock.fail_next("magic_links.email.discovery.send", error="too_many_requests")
    client = stytch_mock.client

    with pytest.raises(StytchError) as exc:
        client.magic_links.email.discovery.send(email_address="ada@example.com")
    assert_sdk_error(exc, 429, "too_many_requests")
    assert exc.value.details.error_message == "Too many requests have been made."
    assert stytch_mock.outbox.messages() == []  # the failed call changed nothing

    client.magic_links.email.discovery.send(email_address="ada@example.com")
    assert len(stytch_mock.outbox.messages()) == 1
    assert stytch_mock.faults() == []


@pytest.mark.parametrize(
    "error,status",
    [("internal_server_error", 500), ("server_unavailable", 503), ("too_many_requests", 429)],
)
async def test_each_error_through_the_async_client(
    stytch_mock: StytchMock, error: str, status: int
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.fail_next("POST /v1/b2b/organizations/search", error=error, times=2)
    async with aiohttp.ClientSession() as http_session:
        client = stytch_mock.new_client(async_session=http_session)
        for _ in range(2):
            with pytest.raises(StytchError) as exc:
                await client.organizations.search_async()
            assert_sdk_error(exc, status, error)
        found = await client.organizations.search_async()
    assert [o.organization_id for o in found.organizations] == [org.organization_id]


def test_a_fault_for_one_email_leaves_the_others_alone(stytch_mock: StytchMock) -> None:
    stytch_mock.fail_next(
        "magic_links.email.discovery.send", email_address="Bob@Example.com", times=None
    )
    client = stytch_mock.client

    client.magic_links.email.discovery.send(email_address="ada@example.com")
    for _ in range(3):
        with pytest.raises(StytchError) as exc:
            client.magic_links.email.discovery.send(email_address="bob@example.com")
        assert_sdk_error(exc, 429, "too_many_requests")

    assert [m["to"] for m in stytch_mock.outbox.messages()] == ["ada@example.com"]
    (fault,) = stytch_mock.faults()
    assert fault["hits"] == 3 and "remaining" not in fault


def test_a_fault_for_one_organization_by_its_path(stytch_mock: StytchMock) -> None:
    one, _ = org_with_member(stytch_mock, "ada@one.com", name="One")
    two, _ = org_with_member(stytch_mock, "ada@two.com", name="Two")
    stytch_mock.fail_next(
        "organizations.get", error="internal_server_error", organization_id=two.organization_id
    )
    client = stytch_mock.client

    assert client.organizations.get(organization_id=one.organization_id).organization
    with pytest.raises(StytchError) as exc:
        client.organizations.get(organization_id=two.organization_id)
    assert_sdk_error(exc, 500, "internal_server_error")


def test_a_share_of_calls(stytch_mock: StytchMock) -> None:
    stytch_mock.fail_next("organizations.search", rate=0.5, times=None)
    failed = 0
    for _ in range(200):
        resp = stytch_mock.request("POST", "v1/b2b/organizations/search", {})
        failed += resp.status == 429
    assert 50 < failed < 150


def test_latency_alone_delays_a_call_that_then_succeeds(stytch_mock: StytchMock) -> None:
    stytch_mock.fail_next("organizations.search", error=None, latency_ms=300)
    start = time.monotonic()
    stytch_mock.client.organizations.search()
    slow = time.monotonic() - start
    start = time.monotonic()
    stytch_mock.client.organizations.search()
    fast = time.monotonic() - start

    assert slow >= 0.3 and fast < 0.3, (slow, fast)


def test_faults_are_listed_cleared_and_reset(stytch_mock: StytchMock) -> None:
    made = stytch_mock.fail_next("magic_links.email.invite", error="server_unavailable", times=3)
    assert made["operation"] == "POST /v1/b2b/magic_links/email/invite"
    assert made["remaining"] == 3 and made["fault_id"].startswith("fault-test-")
    assert stytch_mock.faults() == [made]

    stytch_mock.clear_faults()
    assert stytch_mock.faults() == []

    stytch_mock.fail_next("magic_links.email.invite")
    stytch_mock.reset()
    assert stytch_mock.faults() == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"operation": "magic_links.email.nope"}, "operation"),
        ({"operation": "GET /_mock/outbox", "error": "too_many_requests"}, "operation"),
        ({"operation": "organizations.get", "error": "teapot"}, "error"),
        ({"operation": "organizations.get"}, None),
        ({"operation": "organizations.get", "error": "too_many_requests", "rate": 1.5}, "rate"),
        ({"operation": "organizations.get", "error": "too_many_requests", "times": 0}, "times"),
    ],
)
def test_a_bad_fault_is_refused(stytch_mock: StytchMock, body: dict, field: str | None) -> None:
    before = state_of(stytch_mock)
    resp = stytch_mock.request("POST", "_mock/faults", body)

    assert resp.status == 400
    assert_stytch_error(resp, 400)
    if field:
        assert field in resp.json["error_message"]
    assert stytch_mock.faults() == [] and state_of(stytch_mock) == before


def test_every_sdk_name_is_a_python_sdk_method_on_a_served_route(stytch_mock: StytchMock) -> None:
    client = stytch.B2BClient(
        project_id=stytch_mock.project_id, secret=stytch_mock.secret, environment=stytch_mock.url
    )
    served = {f"{method} {path}" for method, path in stytch_operations()}
    for name, route in SDK_OPERATIONS.items():
        target = client
        for part in name.split("."):
            target = getattr(target, part)
        assert callable(target), name
        assert route in served, route


def test_a_fault_on_the_jwks_route_which_takes_no_credentials(stytch_mock: StytchMock) -> None:
    stytch_mock.fail_next("sessions.get_jwks", error="server_unavailable")
    path = f"v1/b2b/sessions/jwks/{stytch_mock.project_id}"

    failed = stytch_mock.request("GET", path, auth=False)
    served = stytch_mock.request("GET", path, auth=False)

    assert_stytch_error(failed, 503, "server_unavailable")
    assert served.status == 200 and served.json["keys"]
