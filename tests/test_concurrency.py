"""Single-use tokens stay single-use under concurrent requests (async SDK, asyncio.gather)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from stytch import B2BClient
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from tests.support import (
    discovery_token,
    intermediate_session,
    login_token,
    org_with_member,
    state_of,
)

N = 50


@pytest.fixture
async def aclient(stytch_mock: StytchMock) -> AsyncIterator[B2BClient]:
    connector = aiohttp.TCPConnector(limit=N)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield stytch_mock.new_client(async_session=session)


async def race(call: Callable[[], Awaitable[Any]]) -> tuple[list[Any], Counter[tuple[int, str]]]:
    """Run ``call`` N times at once; the successes, and the errors by (status, error_type)."""
    results = await asyncio.gather(*(call() for _ in range(N)), return_exceptions=True)
    wins = [r for r in results if not isinstance(r, BaseException)]
    errors: Counter[tuple[int, str]] = Counter()
    for r in results:
        if isinstance(r, StytchError):
            errors[(r.details.status_code, r.details.error_type)] += 1
        elif isinstance(r, BaseException):
            raise r
    return wins, errors


async def test_discovery_magic_link_raced_50_times_succeeds_once(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    token = discovery_token(stytch_mock, "ada@example.com")

    wins, errors = await race(
        lambda: aclient.magic_links.discovery.authenticate_async(discovery_magic_links_token=token)
    )

    assert len(wins) == 1
    assert wins[0].email_address == "ada@example.com"
    assert errors == {(401, "unable_to_auth_magic_link"): N - 1}
    assert len(state_of(stytch_mock)["intermediate_sessions"]) == 1


async def test_organization_magic_link_raced_50_times_succeeds_once(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    token = login_token(stytch_mock, org.organization_id, "ada@acme.com")

    wins, errors = await race(
        lambda: aclient.magic_links.authenticate_async(magic_links_token=token)
    )

    assert len(wins) == 1
    assert wins[0].member_id == member.member_id
    assert wins[0].session_token
    assert errors == {(401, "unable_to_auth_magic_link"): N - 1}
    sessions = stytch_mock.client.sessions.get(
        organization_id=org.organization_id, member_id=member.member_id
    ).member_sessions
    assert [s.member_session_id for s in sessions] == [wins[0].member_session.member_session_id]


async def test_intermediate_session_exchanged_50_times_gives_one_session(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    ist = intermediate_session(stytch_mock, "ada@acme.com")

    wins, errors = await race(
        lambda: aclient.discovery.intermediate_sessions.exchange_async(
            intermediate_session_token=ist, organization_id=org.organization_id
        )
    )

    assert len(wins) == 1
    assert wins[0].member_authenticated is True
    assert errors == {(404, "intermediate_session_not_found"): N - 1}
    sessions = stytch_mock.client.sessions.get(
        organization_id=org.organization_id, member_id=member.member_id
    ).member_sessions
    assert [s.member_session_id for s in sessions] == [wins[0].member_session.member_session_id]
    assert len(state_of(stytch_mock)["sessions"]) == 1


async def test_discovery_create_raced_50_times_makes_one_organization(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    ist = intermediate_session(stytch_mock, "ada@acme.com")

    wins, errors = await race(
        lambda: aclient.discovery.organizations.create_async(
            intermediate_session_token=ist, organization_name="Raced Co"
        )
    )

    assert len(wins) == 1
    assert errors == {(404, "intermediate_session_not_found"): N - 1}
    assert [o["organization_name"] for o in state_of(stytch_mock)["organizations"]] == ["Raced Co"]


async def test_concurrent_signups_of_one_email_make_one_member(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    org = stytch_mock.client.organizations.create(
        organization_name="Acme", email_allowed_domains=["acme.com"]
    ).organization

    wins, errors = await race(
        lambda: aclient.magic_links.email.login_or_signup_async(
            organization_id=org.organization_id, email_address="new@acme.com"
        )
    )

    assert len(wins) == N and not errors
    assert len({w.member_id for w in wins}) == 1
    assert sum(w.member_created for w in wins) == 1
    members = [m for m in state_of(stytch_mock)["members"] if m["email_address"] == "new@acme.com"]
    assert len(members) == 1
    assert len(stytch_mock.outbox.messages(to="new@acme.com")) == N


async def test_sso_token_raced_50_times_succeeds_once(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Acme").organization
    conn = stytch_mock.client.sso.oidc.create_connection(
        organization_id=org.organization_id
    ).connection
    token = stytch_mock.sso_token(conn.connection_id, "ada@acme.com")

    wins, errors = await race(lambda: aclient.sso.authenticate_async(sso_token=token))

    assert len(wins) == 1
    assert wins[0].member.email_address == "ada@acme.com"
    assert errors == {(404, "sso_token_not_found"): N - 1}
    members = [m for m in state_of(stytch_mock)["members"] if m["email_address"] == "ada@acme.com"]
    assert len(members) == 1
    assert len(state_of(stytch_mock)["sessions"]) == 1
