"""The mock's control API (/_mock/...): outbox, reset, clock, health, and who may call it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from tests.support import (
    UUID,
    assert_sdk_error,
    assert_stytch_error,
    basic,
    discovery_token,
    http,
    intermediate_session,
    log_in,
    org_with_member,
    state_of,
)

TOKEN_44 = re.compile(r"^[A-Za-z0-9_-]{43}=$")


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- outbox ---


def test_outbox_lists_every_email_oldest_first(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    org, _ = org_with_member(stytch_mock, "bob@acme.com")
    client.magic_links.email.discovery.send(email_address="ada@acme.com")
    client.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address="bob@acme.com"
    )
    client.magic_links.email.discovery.send(email_address="ada@acme.com")

    messages = stytch_mock.outbox.messages()

    assert [(m["to"], m["kind"]) for m in messages] == [
        ("ada@acme.com", "discovery"),
        ("bob@acme.com", "login"),
        ("ada@acme.com", "discovery"),
    ]
    assert len({m["id"] for m in messages}) == 3
    assert len({m["token"] for m in messages}) == 3
    assert [m["created_at"] for m in messages] == sorted(m["created_at"] for m in messages)


def test_outbox_filter_by_recipient_ignores_case(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    client.magic_links.email.discovery.send(email_address="Ada.Lovelace@Example.com")
    client.magic_links.email.discovery.send(email_address="grace@example.com")
    client.magic_links.email.discovery.send(email_address="ada.lovelace@example.com")

    for spelling in ("ada.lovelace@example.com", "ADA.LOVELACE@EXAMPLE.COM"):
        found = stytch_mock.outbox.messages(to=spelling)
        assert [m["to"] for m in found] == [
            "Ada.Lovelace@Example.com",
            "ada.lovelace@example.com",
        ]
    assert [m["to"] for m in stytch_mock.outbox.messages(to="grace@example.com")] == [
        "grace@example.com"
    ]
    assert stytch_mock.outbox.messages(to="nobody@example.com") == []


def test_outbox_message_carries_every_field(stytch_mock: StytchMock) -> None:
    before = stytch_mock.now()
    stytch_mock.client.magic_links.email.discovery.send(
        email_address="ada@example.com",
        discovery_redirect_url="http://localhost:5173/discover",
        discovery_expiration_minutes=15,
    )
    after = stytch_mock.now()

    (message,) = stytch_mock.outbox.messages()

    assert set(message) == {
        "id",
        "channel",
        "to",
        "from",
        "subject",
        "kind",
        "token",
        "link",
        "created_at",
        "expires_at",
        "text",
        "html",
    }
    assert re.fullmatch(rf"email-message-test-{UUID}", message["id"])
    assert message["channel"] == "email"
    assert message["to"] == "ada@example.com"
    assert "@" in message["from"]
    assert message["subject"]
    assert message["kind"] == "discovery"
    assert TOKEN_44.match(message["token"])
    link = urlsplit(message["link"])
    assert (link.scheme, link.netloc, link.path) == ("http", "localhost:5173", "/discover")
    assert parse_qsl(link.query) == [
        ("stytch_token_type", "discovery"),
        ("token", message["token"]),
    ]
    created = ts(message["created_at"])
    assert before <= created <= after
    assert ts(message["expires_at"]) == created + timedelta(minutes=15)
    assert message["link"] in message["text"]
    assert message["link"].replace("&", "&amp;") in message["html"]
    assert message["html"].lstrip().startswith("<")


def test_organization_link_carries_token_type_token_and_slug(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "bob@acme.com", organization_slug="acme")
    stytch_mock.client.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address="bob@acme.com"
    )

    message = stytch_mock.outbox.latest("bob@acme.com")

    assert message["kind"] == "login"
    query = dict(parse_qsl(urlsplit(message["link"]).query))
    assert query == {
        "stytch_token_type": "multi_tenant_magic_links",
        "token": message["token"],
        "slug": "acme",
    }
    assert message["link"].startswith("http://localhost:3000/authenticate?")
    # The default lifetime of a login link is an hour.
    assert ts(message["expires_at"]) - ts(message["created_at"]) == timedelta(minutes=60)


def test_link_keeps_the_query_of_the_registered_redirect_url(two_projects) -> None:
    a = two_projects.a
    a.client.magic_links.email.discovery.send(
        email_address="ada@example.com",
        discovery_redirect_url="http://localhost:3000/cb?next=%2Fhome&lang=en",
    )

    message = a.outbox.latest("ada@example.com")

    link = urlsplit(message["link"])
    assert (link.netloc, link.path) == ("localhost:3000", "/cb")
    assert parse_qsl(link.query) == [
        ("next", "/home"),
        ("lang", "en"),
        ("stytch_token_type", "discovery"),
        ("token", message["token"]),
    ]


def test_delete_outbox_empties_it(stytch_mock: StytchMock) -> None:
    stytch_mock.client.magic_links.email.discovery.send(email_address="ada@example.com")
    stytch_mock.client.magic_links.email.discovery.send(email_address="bob@example.com")
    assert len(stytch_mock.outbox.messages()) == 2

    resp = stytch_mock.request("DELETE", "_mock/outbox")

    assert resp.status == 200
    assert resp.json["messages"] == []
    assert stytch_mock.outbox.messages() == []
    assert stytch_mock.outbox.messages(to="ada@example.com") == []


# --- reset ---


def test_reset_forgets_everything_and_puts_the_clock_back(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    org, member = org_with_member(stytch_mock, "bob@acme.com")
    session = log_in(stytch_mock, org.organization_id, "bob@acme.com")
    client.magic_links.email.discovery.send(email_address="ada@acme.com")
    stytch_mock.advance_clock(hours=5)
    assert state_of(stytch_mock)["organizations"]

    resp = stytch_mock.request("POST", "_mock/reset")

    assert resp.status == 200
    with pytest.raises(StytchError) as exc:
        client.organizations.get(organization_id=org.organization_id)
    assert_sdk_error(exc, 404, "organization_not_found")
    with pytest.raises(StytchError) as exc:
        client.organizations.members.dangerously_get(member_id=member.member_id)
    assert_sdk_error(exc, 404, "member_not_found")
    with pytest.raises(StytchError) as exc:
        client.sessions.authenticate(session_token=session.session_token)
    assert_sdk_error(exc, 404, "session_not_found")
    assert stytch_mock.outbox.messages() == []
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == 0
    state = state_of(stytch_mock)
    assert state["clock_offset_seconds"] == 0
    for collection in (
        "organizations",
        "members",
        "sessions",
        "magic_links",
        "intermediate_sessions",
        "outbox",
    ):
        assert state[collection] == [], collection


# --- clock ---


def test_clock_advances_by_the_seconds_asked(stytch_mock: StytchMock) -> None:
    start = stytch_mock.control("GET", "_mock/clock")
    assert start["offset_seconds"] == 0

    moved = stytch_mock.control("POST", "_mock/clock", {"advance_seconds": 3600})
    again = stytch_mock.control("POST", "_mock/clock", {"advance_seconds": 90.5})

    assert moved["offset_seconds"] == 3600
    assert again["offset_seconds"] == 3690.5
    gained = ts(again["now"]) - ts(start["now"])
    assert timedelta(seconds=3690) <= gained <= timedelta(seconds=3700)
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == 3690.5


@pytest.mark.parametrize(
    "body",
    [
        {"advance_seconds": -1},
        {"advance_seconds": "60"},
        {"advance_seconds": None},
        {"advance_seconds": [60]},
        {"advance_seconds": True},
        {},
    ],
    ids=["negative", "string", "null", "list", "boolean", "missing"],
)
def test_clock_refuses_a_bad_advance(stytch_mock: StytchMock, body: dict) -> None:
    stytch_mock.advance_clock(seconds=10)

    resp = stytch_mock.request("POST", "_mock/clock", body)

    assert_stytch_error(resp, 400)
    assert "advance_seconds" in resp.json["error_message"]
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == 10


def test_clock_moves_at_most_ten_years_in_all_and_the_state_can_still_be_saved(
    stytch_mock: StytchMock,
) -> None:
    six_years = 6 * 365 * 24 * 3600
    stytch_mock.control("POST", "_mock/clock", {"advance_seconds": six_years})

    resp = stytch_mock.request("POST", "_mock/clock", {"advance_seconds": six_years})

    assert_stytch_error(resp, 400, "invalid_argument")
    assert "ten years" in resp.json["error_message"]
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == six_years
    assert state_of(stytch_mock)["clock_offset_seconds"] == six_years


def test_clock_expires_magic_links(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    early = discovery_token(stytch_mock, "ada@example.com")
    late = discovery_token(stytch_mock, "bob@example.com")
    expires_at = ts(stytch_mock.outbox.latest("bob@example.com")["expires_at"])

    stytch_mock.advance_clock(minutes=59)
    assert client.magic_links.discovery.authenticate(discovery_magic_links_token=early)
    stytch_mock.advance_clock(minutes=1)
    assert stytch_mock.now() >= expires_at

    with pytest.raises(StytchError) as exc:
        client.magic_links.discovery.authenticate(discovery_magic_links_token=late)
    assert_sdk_error(exc, 401, "unable_to_auth_magic_link")


def test_clock_expires_intermediate_sessions(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    first = intermediate_session(stytch_mock, "ada@acme.com")
    second = intermediate_session(stytch_mock, "ada@acme.com")

    stytch_mock.advance_clock(minutes=9, seconds=50)
    ok = client.discovery.intermediate_sessions.exchange(
        intermediate_session_token=first, organization_id=org.organization_id
    )
    assert ok.member_authenticated is True
    stytch_mock.advance_clock(seconds=11)

    with pytest.raises(StytchError) as exc:
        client.discovery.intermediate_sessions.exchange(
            intermediate_session_token=second, organization_id=org.organization_id
        )
    assert_sdk_error(exc, 404, "intermediate_session_not_found")


def test_clock_expires_sessions(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    session = log_in(stytch_mock, org.organization_id, "ada@acme.com", session_duration_minutes=30)
    expires_at = session.member_session.expires_at

    stytch_mock.advance_clock(minutes=29)
    alive = client.sessions.authenticate(session_token=session.session_token)
    assert alive.member_session.member_session_id == session.member_session.member_session_id
    assert stytch_mock.advance_clock(minutes=1, seconds=5) >= expires_at

    with pytest.raises(StytchError) as exc:
        client.sessions.authenticate(session_token=session.session_token)
    assert_sdk_error(exc, 404, "session_not_found")


async def test_clock_moves_expiry_for_the_async_client_too(stytch_mock: StytchMock) -> None:
    async with aiohttp.ClientSession() as http_session:
        client = stytch_mock.new_client(async_session=http_session)
        await client.magic_links.email.discovery.send_async(email_address="ada@example.com")
        token = stytch_mock.outbox.latest_token("ada@example.com")
        stytch_mock.advance_clock(minutes=61)

        with pytest.raises(StytchError) as exc:
            await client.magic_links.discovery.authenticate_async(discovery_magic_links_token=token)
    assert_sdk_error(exc, 401, "unable_to_auth_magic_link")


# --- health and credentials ---


def test_health_needs_no_credentials(stytch_mock: StytchMock) -> None:
    resp = http(stytch_mock.url + "_mock/health")

    assert resp.status == 200
    assert resp.json["status"] == "ok"
    assert resp.json["projects"] >= 1


CONTROL_ROUTES = [
    ("GET", "_mock/outbox"),
    ("GET", "_mock/outbox?to=ada%40example.com"),
    ("DELETE", "_mock/outbox"),
    ("POST", "_mock/reset"),
    ("GET", "_mock/clock"),
    ("POST", "_mock/clock"),
    ("GET", "_mock/state"),
    ("PUT", "_mock/state"),
    ("POST", "_mock/seed"),
]


@pytest.mark.parametrize(("method", "path"), CONTROL_ROUTES)
@pytest.mark.parametrize("credentials", ["none", "wrong secret"])
def test_control_routes_need_the_project_credentials(
    stytch_mock: StytchMock, method: str, path: str, credentials: str
) -> None:
    stytch_mock.seed({"organizations": [{"organization_name": "Acme", "members": []}]})
    stytch_mock.client.magic_links.email.discovery.send(email_address="ada@example.com")
    stytch_mock.advance_clock(seconds=42)
    before = state_of(stytch_mock)
    headers = {"Content-Type": "application/json"}
    if credentials == "wrong secret":
        headers["Authorization"] = basic(stytch_mock.project_id, "secret-test-wrong")
    body = {
        "POST _mock/clock": b'{"advance_seconds": 60}',
        "PUT _mock/state": b'{"state": {"version": 1}}',
        "POST _mock/seed": b'{"organizations": [{"organization_name": "Other"}]}',
    }.get(f"{method} {path}")

    resp = http(stytch_mock.url + path, method, body=body, headers=headers)

    assert_stytch_error(resp, 401, "unauthorized_credentials")
    assert state_of(stytch_mock) == before
