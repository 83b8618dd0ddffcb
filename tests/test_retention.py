"""A mock that runs for weeks keeps its memory bounded: what expired or was used goes after a
grace period (--keep-expired), each outbox keeps its newest messages (--outbox-max), and open
projects past --max-projects replace the least recently used."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from tests.support import (
    PROJECT_A,
    MovableTime,
    assert_sdk_error,
    basic,
    discovery_token,
    handle,
    http,
    log_in,
    org_with_member,
    state_of,
)

KEEP = timedelta(minutes=30)


@pytest.fixture(scope="module")
def time_source() -> MovableTime:
    return MovableTime()


@pytest.fixture(scope="module")
def server(time_source: MovableTime) -> Iterator[MockServer]:
    with MockServer(
        [PROJECT_A],
        open_projects=True,
        keep_expired=KEEP,
        outbox_max=5,
        max_projects=3,
        clock_source=time_source,
    ) as running:
        yield running


@pytest.fixture
def mock(server: MockServer) -> StytchMock:
    mock = handle(server, PROJECT_A)
    mock.reset()
    return mock


def counts(mock: StytchMock) -> tuple[int, int, int]:
    state = state_of(mock)
    return len(state["magic_links"]), len(state["intermediate_sessions"]), len(state["sessions"])


def test_expired_objects_are_kept_for_the_grace_period_then_forgotten(mock: StytchMock) -> None:
    org, _ = org_with_member(mock, "ada@acme.com")
    log_in(mock, org.organization_id, "ada@acme.com", session_duration_minutes=60)
    used = discovery_token(mock, "ada@acme.com")
    mock.client.magic_links.discovery.authenticate(discovery_magic_links_token=used)
    unused = discovery_token(mock, "bob@acme.com")
    assert counts(mock) == (3, 1, 1)

    # Kept 30 minutes: the two used links after their use, the intermediate session after it
    # expires (10 minutes), the unused link and the session after they expire (60 minutes).
    mock.advance_clock(minutes=29)
    assert counts(mock) == (3, 1, 1)
    mock.advance_clock(minutes=2)
    assert counts(mock) == (1, 1, 1)
    mock.advance_clock(minutes=10)
    assert counts(mock) == (1, 0, 1)
    mock.advance_clock(minutes=48)  # +89
    assert counts(mock) == (1, 0, 1)
    with pytest.raises(StytchError) as exc:
        mock.client.magic_links.discovery.authenticate(discovery_magic_links_token=unused)
    assert_sdk_error(exc, 401, "unable_to_auth_magic_link")

    mock.advance_clock(minutes=2)
    assert counts(mock) == (0, 0, 0)
    with pytest.raises(StytchError) as exc:
        mock.client.magic_links.discovery.authenticate(discovery_magic_links_token=unused)
    assert_sdk_error(exc, 404, "magic_link_not_found")
    # what does not expire stays
    assert [o.organization_id for o in mock.client.organizations.search().organizations] == [
        org.organization_id
    ]


def test_a_used_link_goes_a_grace_period_after_its_use(mock: StytchMock) -> None:
    org, _ = org_with_member(mock, "ada@acme.com")
    mock.client.magic_links.email.invite(
        organization_id=org.organization_id, email_address="bob@acme.com"
    )
    token = mock.outbox.latest_token("bob@acme.com")  # an invite: valid for a week
    mock.client.magic_links.authenticate(magic_links_token=token)

    mock.advance_clock(minutes=29)
    assert counts(mock)[0] == 1
    mock.advance_clock(minutes=2)
    assert counts(mock)[0] == 0


def test_a_session_kept_alive_is_not_swept(mock: StytchMock) -> None:
    org, _ = org_with_member(mock, "ada@acme.com")
    session = log_in(mock, org.organization_id, "ada@acme.com", session_duration_minutes=60)
    mock.advance_clock(minutes=50)
    mock.client.sessions.authenticate(
        session_token=session.session_token, session_duration_minutes=120
    )

    mock.advance_clock(minutes=100)  # past the first expiry and the grace, not the second

    again = mock.client.sessions.authenticate(session_token=session.session_token)
    assert again.member_session.member_session_id == session.member_session.member_session_id


@pytest.mark.slow  # waits on real time
def test_the_sweep_also_runs_as_real_time_passes(
    mock: StytchMock, time_source: MovableTime
) -> None:
    token = discovery_token(mock, "ada@acme.com")
    time_source.now += 3 * 3600  # no request moves the clock: the periodic sweep must see it
    deadline = time.monotonic() + 5
    while counts(mock)[0]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with pytest.raises(StytchError) as exc:
        mock.client.magic_links.discovery.authenticate(discovery_magic_links_token=token)
    assert_sdk_error(exc, 404, "magic_link_not_found")


def test_the_outbox_keeps_its_newest_messages_and_counts_the_rest(mock: StytchMock) -> None:
    for n in range(8):
        mock.client.magic_links.email.discovery.send(email_address=f"user{n % 3}@acme.com")

    box = mock.control("GET", "_mock/outbox")
    assert [m["to"] for m in box["messages"]] == [f"user{n % 3}@acme.com" for n in range(3, 8)]
    assert box["dropped"] == 3
    assert [m["to"] for m in mock.outbox.messages("user0@acme.com")] == ["user0@acme.com"] * 2
    assert mock.control("GET", "_mock/outbox?to=user0@acme.com")["dropped"] == 3

    mock.outbox.clear()
    assert mock.control("GET", "_mock/outbox")["dropped"] == 0


def test_open_projects_past_the_cap_replace_the_least_recently_used(server: MockServer) -> None:
    made = {}
    for name in ("one", "two", "three"):
        made[name] = StytchMock(server.url, f"project-test-lru-{name}", f"secret-{name}")
        made[name].client.organizations.create(organization_name=name)
    made["one"].client.organizations.search()  # "two" is now the least recently used

    made["four"] = StytchMock(server.url, "project-test-lru-four", "secret-four")
    made["four"].client.organizations.create(organization_name="four")

    assert "project-test-lru-two" not in server.registry.projects
    assert server.registry.evicted >= 1
    names = {
        name: [o.organization_name for o in m.client.organizations.search().organizations]
        for name, m in made.items()
        if name != "two"
    }
    assert names == {"one": ["one"], "three": ["three"], "four": ["four"]}
    # the configured project is never replaced; health counts what is kept
    assert PROJECT_A.project_id in server.registry.projects
    assert http(server.url + "_mock/health").json["projects"] == 4
    # the forgotten project's credentials open a new, empty project
    two = made["two"].client.organizations.search().organizations
    assert two == []


def test_a_frontend_sdk_call_counts_as_a_use_of_an_open_project(server: MockServer) -> None:
    """The browser's /sdk/v1 calls keep an open project as recently used as backend calls do."""
    made = {}
    for name in ("sdk-a", "sdk-b", "sdk-c"):
        made[name] = StytchMock(server.url, f"project-test-lru-{name}", f"secret-{name}")
        made[name].client.organizations.create(organization_name=name)
    token = made["sdk-a"].public_token  # (a control call: it touches sdk-a too)
    made["sdk-b"].client.organizations.search()
    made["sdk-c"].client.organizations.search()
    # Only the browser uses sdk-a now: its call must make sdk-b the least recently used.
    resp = http(
        server.url + "sdk/v1/b2b/organizations/me",
        headers={"Authorization": basic(token, token), "Origin": "http://localhost:3000"},
    )
    assert resp.status == 404 and resp.json["error_type"] == "session_not_found"

    made["sdk-d"] = StytchMock(server.url, "project-test-lru-sdk-d", "secret-sdk-d")
    made["sdk-d"].client.organizations.create(organization_name="sdk-d")

    assert "project-test-lru-sdk-a" in server.registry.projects
    assert "project-test-lru-sdk-b" not in server.registry.projects
