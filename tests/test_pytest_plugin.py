"""The ``stytch_mock`` pytest fixture (auto-loaded through the pytest11 entry point).

The first two tests run in this order (pytest keeps file order): the second one checks that
nothing of the first survived into it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from stytch import B2BClient
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, FIXTURE_SECRET, StytchMock
from tests.support import assert_sdk_error, state_of

_left_behind: dict[str, Any] = {}


def test_first_test_leaves_things_behind(stytch_mock: StytchMock) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Left Behind").organization
    stytch_mock.client.magic_links.email.discovery.send(email_address="ada@example.com")
    stytch_mock.advance_clock(hours=3)
    _left_behind["organization_id"] = org.organization_id
    _left_behind["url"] = stytch_mock.url
    assert state_of(stytch_mock)["organizations"]


def test_second_test_starts_from_an_empty_project(stytch_mock: StytchMock) -> None:
    state = state_of(stytch_mock)
    assert state["organizations"] == [] and state["members"] == []
    assert stytch_mock.outbox.messages() == []
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == 0
    if "organization_id" in _left_behind:  # the first test ran before this one
        assert stytch_mock.url == _left_behind["url"], "one server per session"
        with pytest.raises(StytchError) as exc:
            stytch_mock.client.organizations.get(organization_id=_left_behind["organization_id"])
        assert_sdk_error(exc, 404, "organization_not_found")


def test_fixture_exposes_url_and_credentials(
    stytch_mock: StytchMock, stytch_mock_server: Any
) -> None:
    assert stytch_mock.url == stytch_mock_server.url
    assert stytch_mock.url.startswith("http://127.0.0.1:") and stytch_mock.url.endswith("/")
    assert (stytch_mock.project_id, stytch_mock.secret) == (FIXTURE_PROJECT_ID, FIXTURE_SECRET)
    assert isinstance(stytch_mock.client, B2BClient)
    assert stytch_mock.client is stytch_mock.client
    other = stytch_mock.new_client()
    assert isinstance(other, B2BClient) and other is not stytch_mock.client
    assert other.organizations.search().organizations == []


def test_outbox_helpers(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    client.magic_links.email.discovery.send(email_address="ada@example.com")
    client.magic_links.email.discovery.send(email_address="bob@example.com")
    client.magic_links.email.discovery.send(
        email_address="ada@example.com", discovery_redirect_url="http://localhost:4000/next"
    )

    ada = stytch_mock.outbox.messages("ada@example.com")
    assert len(ada) == 2 and len(stytch_mock.outbox.messages()) == 3
    latest = stytch_mock.outbox.latest("ADA@example.com")
    assert latest == ada[-1]
    assert stytch_mock.outbox.latest_token("ada@example.com") == latest["token"]
    assert stytch_mock.outbox.latest_link("ada@example.com") == latest["link"]
    assert latest["link"].startswith("http://localhost:4000/next?")
    # The token from the helper is the one that works.
    resp = client.magic_links.discovery.authenticate(
        discovery_magic_links_token=stytch_mock.outbox.latest_token("ada@example.com")
    )
    assert resp.email_address == "ada@example.com"

    stytch_mock.outbox.clear()
    assert stytch_mock.outbox.messages() == []
    with pytest.raises(AssertionError, match="no email to 'ada@example.com'"):
        stytch_mock.outbox.latest("ada@example.com")


def test_advance_clock_returns_the_new_now(stytch_mock: StytchMock) -> None:
    start = stytch_mock.now()
    assert isinstance(start, datetime) and start.tzinfo is not None

    after_hour = stytch_mock.advance_clock(hours=1)
    after_more = stytch_mock.advance_clock(90, minutes=2)
    after_day = stytch_mock.advance_clock(days=1, hours=2, minutes=3, seconds=4)

    assert timedelta(hours=1) <= after_hour - start <= timedelta(hours=1, seconds=5)
    assert timedelta(seconds=210) <= after_more - after_hour <= timedelta(seconds=215)
    day = timedelta(days=1, hours=2, minutes=3, seconds=4)
    assert day <= after_day - after_more <= day + timedelta(seconds=5)
    assert stytch_mock.now() >= after_day
    offset = 3600 + 210 + day.total_seconds()
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == offset


def test_seed_helper_returns_the_ids_it_made(stytch_mock: StytchMock) -> None:
    made = stytch_mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Seeded",
                    "members": [{"email_address": "ada@seeded.com", "roles": ["stytch_admin"]}],
                }
            ]
        }
    )

    (org,) = made["organizations"]
    (member,) = org["members"]
    got = stytch_mock.client.organizations.members.get(
        organization_id=org["organization_id"], member_id=member["member_id"]
    )
    assert got.member.email_address == "ada@seeded.com"
    assert got.member.is_admin is True
    assert got.organization.organization_slug == org["organization_slug"]


def test_control_raises_on_an_error(stytch_mock: StytchMock) -> None:
    with pytest.raises(RuntimeError, match="400"):
        stytch_mock.control("POST", "_mock/clock", {"advance_seconds": -5})


def test_reset_helper_gives_a_fresh_client_and_an_empty_project(stytch_mock: StytchMock) -> None:
    first_client = stytch_mock.client
    stytch_mock.client.organizations.create(organization_name="Gone")

    stytch_mock.reset()

    assert stytch_mock.client is not first_client
    assert stytch_mock.client.organizations.search().organizations == []


def test_fixture_redirect_urls_accept_local_development_urls(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    for url in (
        "http://localhost:3000/authenticate",
        "http://localhost:5173/callback",
        "http://127.0.0.1:8000/auth",
    ):
        client.magic_links.email.discovery.send(
            email_address="ada@example.com", discovery_redirect_url=url
        )
        assert stytch_mock.outbox.latest_link("ada@example.com").startswith(url + "?")
    with pytest.raises(StytchError) as exc:
        client.magic_links.email.discovery.send(
            email_address="ada@example.com", discovery_redirect_url="https://evil.example/cb"
        )
    assert_sdk_error(exc, 400, "no_match_for_provided_magic_link_url")


def test_sync_client_works(stytch_mock: StytchMock) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Sync Co").organization

    got = stytch_mock.client.organizations.get(organization_id=org.organization_id)

    assert got.organization.organization_name == "Sync Co"


async def test_async_client_works(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    try:
        made = await client.organizations.create_async(organization_name="Async Co")
        got = await client.organizations.get_async(
            organization_id=made.organization.organization_id
        )
        await client.magic_links.email.discovery.send_async(email_address="ada@example.com")
    finally:
        await client.close()

    assert got.organization.organization_name == "Async Co"
    assert stytch_mock.outbox.latest("ada@example.com")["kind"] == "discovery"
