"""Stytch's per-email rate limit (``--rate-limits``): one email magic-link send, login_or_signup
or invite per second per email address, in windows that follow the project's clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from tests.support import PROJECT_A, MovableTime, assert_sdk_error, handle, state_of


@pytest.fixture(scope="module")
def time_source() -> MovableTime:
    return MovableTime()


@pytest.fixture(scope="module")
def limited_server(time_source: MovableTime) -> Iterator[MockServer]:
    with MockServer([PROJECT_A], rate_limits=True, clock_source=time_source) as server:
        yield server


@pytest.fixture
def mock(limited_server: MockServer) -> StytchMock:
    mock = handle(limited_server, PROJECT_A)
    mock.reset()
    return mock


def test_a_second_send_to_the_same_email_within_a_second_is_429(mock: StytchMock) -> None:
    org = mock.client.organizations.create(
        organization_name="Acme", email_allowed_domains=["acme.com"]
    ).organization
    client = mock.client
    client.magic_links.email.discovery.send(email_address="ada@acme.com")
    before = state_of(mock)

    # discovery send, login_or_signup and invite share the limit; case does not matter
    calls = [
        lambda: client.magic_links.email.discovery.send(email_address="ADA@acme.com"),
        lambda: client.magic_links.email.login_or_signup(
            organization_id=org.organization_id, email_address="ada@acme.com"
        ),
        lambda: client.magic_links.email.invite(
            organization_id=org.organization_id, email_address="ada@acme.com"
        ),
    ]
    for call in calls:
        with pytest.raises(StytchError) as exc:
            call()
        assert_sdk_error(exc, 429, "too_many_requests")
    assert state_of(mock) == before

    client.magic_links.email.discovery.send(email_address="bob@acme.com")  # another address
    assert [m["to"] for m in mock.outbox.messages()] == ["ada@acme.com", "bob@acme.com"]


def test_the_window_follows_the_project_clock(mock: StytchMock) -> None:
    client = mock.client
    client.magic_links.email.discovery.send(email_address="ada@acme.com")
    with pytest.raises(StytchError) as refused:
        client.magic_links.email.discovery.send(email_address="ada@acme.com")
    assert_sdk_error(refused, 429, "too_many_requests")

    mock.advance_clock(seconds=1)
    client.magic_links.email.discovery.send(email_address="ada@acme.com")

    assert len(mock.outbox.messages("ada@acme.com")) == 2


def test_rate_limits_are_off_by_default(stytch_mock: StytchMock) -> None:
    for _ in range(5):
        stytch_mock.client.magic_links.email.discovery.send(email_address="ada@acme.com")
    assert len(stytch_mock.outbox.messages()) == 5


def test_the_flag_turns_them_on(clean_env: object) -> None:
    from mockserver.cli import build_registry
    from tests.test_cli import settings

    on = build_registry(settings("--rate-limits"))
    off = build_registry(settings())

    assert [p.rate_limits.enabled for p in on.projects.values()] == [True]
    assert [p.rate_limits.enabled for p in off.projects.values()] == [False]
