"""Errors of the discovery flow and of sessions: HTTP status and Stytch ``error_type``.

Stytch's behaviour (https://stytch.com/docs/b2b/api/errors and the SDK's docstrings): used or
expired magic links
401 ``unable_to_auth_magic_link``, unknown ones 404 ``magic_link_not_found``; intermediate
sessions and sessions that are unknown, consumed or expired are 404
``intermediate_session_not_found`` / ``session_not_found``; link lifetimes 5..10080 minutes,
session durations 5..527040 minutes; wrong credentials 401 ``unauthorized_credentials``.
A refused request changes nothing. Scenarios that need an email or the clock use ``mock``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from contracts.helpers import (
    MISSING_ORGANIZATION_ID,
    SANDBOX_EMAIL,
    Login,
    assert_near,
    clock_now,
    company_email,
    discover,
    discovery_token,
    pkce_challenge,
    random_token,
    refused,
    sign_up,
)
from contracts.support import SDK, ResponseChecker, Target, sdk_for, unique


@pytest.fixture
def wrong_secret_sdk(sdk: SDK, target: Target, checker: ResponseChecker) -> Iterator[SDK]:
    """The same project with a wrong secret, in the mode (and on the event loop) of ``sdk``."""
    wrong = dataclasses.replace(target, secret="secret-test-wrong")
    with sdk_for(wrong, sdk.mode, checker, sdk.loop) as wrong_sdk:
        yield wrong_sdk


# --- magic links -------------------------------------------------------------------------


def test_unknown_discovery_token_is_not_found(sdk: SDK) -> None:
    refused(
        sdk.magic_links.discovery.authenticate,
        404,
        "magic_link_not_found",
        discovery_magic_links_token=random_token(),
    )


def test_replayed_discovery_token_is_refused(sdk: SDK, mock: Any) -> None:
    email, _ = company_email()
    token = discovery_token(sdk, mock, email)
    first = sdk.magic_links.discovery.authenticate(discovery_magic_links_token=token)

    refused(
        sdk.magic_links.discovery.authenticate,
        401,
        "unable_to_auth_magic_link",
        discovery_magic_links_token=token,
    )

    # The refused replay changed nothing: the first login's intermediate session still works.
    listed = sdk.discovery.organizations.list(
        intermediate_session_token=first.intermediate_session_token
    )
    assert listed.email_address == email


@pytest.mark.parametrize("minutes", [None, 5], ids=["default-60", "expiration-5"])
def test_discovery_token_expires_after_its_lifetime(
    sdk: SDK, mock: Any, minutes: int | None
) -> None:
    # 60 minutes by default; discovery_expiration_minutes when given (the SDK's docstring).
    lifetime = minutes or 60
    extra = {} if minutes is None else {"discovery_expiration_minutes": minutes}
    email, _ = company_email()
    early = discovery_token(sdk, mock, email, **extra)
    late = discovery_token(sdk, mock, email, **extra)  # links are single use: one per check
    assert early != late

    mock.advance_clock(minutes=lifetime - 1)
    ok = sdk.magic_links.discovery.authenticate(discovery_magic_links_token=early)
    assert ok.email_address == email

    mock.advance_clock(minutes=2)
    refused(
        sdk.magic_links.discovery.authenticate,
        401,
        "unable_to_auth_magic_link",
        discovery_magic_links_token=late,
    )


@pytest.mark.parametrize("minutes", [4, 10081])
def test_discovery_expiration_outside_5_to_10080_minutes_is_refused(
    sdk: SDK, outbox: Any, minutes: int
) -> None:
    email, _ = company_email()
    refused(
        sdk.magic_links.email.discovery.send,
        400,
        "invalid_expiration",
        email_address=email,
        discovery_expiration_minutes=minutes,
    )
    if outbox is not None:
        assert outbox.messages() == []


@pytest.mark.parametrize(
    "address", ["not-an-email", "ada@@example.com", "ada lovelace@example.com", "ada@"]
)
def test_invalid_email_is_refused(sdk: SDK, outbox: Any, address: str) -> None:
    refused(sdk.magic_links.email.discovery.send, 400, "invalid_email", email_address=address)
    if outbox is not None:
        assert outbox.messages() == []


def test_unregistered_discovery_redirect_url_is_refused(sdk: SDK, outbox: Any) -> None:
    email, _ = company_email()
    refused(
        sdk.magic_links.email.discovery.send,
        400,
        "no_match_for_provided_magic_link_url",
        email_address=email,
        discovery_redirect_url=f"https://{unique('unregistered')}.example.org/authenticate",
    )
    if outbox is not None:
        assert outbox.messages() == []


def test_discovery_link_sent_with_pkce_needs_the_matching_verifier(sdk: SDK, mock: Any) -> None:
    verifier = random_token()
    email, _ = company_email()
    token = discovery_token(sdk, mock, email, pkce_code_challenge=pkce_challenge(verifier))
    authenticate = sdk.magic_links.discovery.authenticate

    refused(authenticate, 400, "pkce_expected_code_verifier", discovery_magic_links_token=token)
    refused(
        authenticate,
        400,
        "pkce_mismatch",
        discovery_magic_links_token=token,
        pkce_code_verifier=random_token(),
    )

    # The refused attempts did not use the link up.
    auth = authenticate(discovery_magic_links_token=token, pkce_code_verifier=verifier)
    assert auth.email_address == email


def test_verifier_for_a_link_sent_without_pkce_is_refused(sdk: SDK, mock: Any) -> None:
    email, _ = company_email()
    token = discovery_token(sdk, mock, email)
    refused(
        sdk.magic_links.discovery.authenticate,
        400,
        "pkce_did_not_expect_code_verifier",
        discovery_magic_links_token=token,
        pkce_code_verifier=random_token(),
    )
    auth = sdk.magic_links.discovery.authenticate(discovery_magic_links_token=token)
    assert auth.email_address == email


# --- intermediate sessions ---------------------------------------------------------------


def test_unknown_intermediate_session_is_not_found(sdk: SDK, new_org: Any) -> None:
    org = new_org()
    unknown = random_token()
    refused(
        sdk.discovery.intermediate_sessions.exchange,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=unknown,
        organization_id=org.organization_id,
    )
    refused(
        sdk.discovery.organizations.list,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=unknown,
    )
    refused(
        sdk.discovery.organizations.create,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=unknown,
        organization_slug=unique("contract"),
        organization_name="Never made",
    )


def test_intermediate_session_expires_after_10_minutes(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    ist = discover(sdk, mock, email).intermediate_session_token

    mock.advance_clock(minutes=9)
    listed = sdk.discovery.organizations.list(intermediate_session_token=ist)
    assert len(listed.discovered_organizations) == 1

    mock.advance_clock(minutes=2)
    refused(
        sdk.discovery.intermediate_sessions.exchange,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=ist,
        organization_id=created.organization.organization_id,
    )
    refused(
        sdk.discovery.organizations.list,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=ist,
    )


@pytest.mark.parametrize("minutes", [4, 527041])
def test_refused_session_duration_leaves_the_intermediate_session_usable(
    sdk: SDK, mock: Any, made_orgs: list[str], minutes: int
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    org_id = created.organization.organization_id
    ist = discover(sdk, mock, email).intermediate_session_token

    refused(
        sdk.discovery.intermediate_sessions.exchange,
        400,
        "invalid_session_duration_minutes",
        intermediate_session_token=ist,
        organization_id=org_id,
        session_duration_minutes=minutes,
    )
    refused(
        sdk.discovery.organizations.create,
        400,
        "invalid_session_duration_minutes",
        intermediate_session_token=ist,
        organization_slug=unique("contract"),
        organization_name="Never made",
        session_duration_minutes=minutes,
    )

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=ist, organization_id=org_id
    )
    assert exchanged.member_id == created.member.member_id


def test_exchange_into_an_unknown_organization_is_not_found(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    ist = discover(sdk, mock, email).intermediate_session_token

    refused(
        sdk.discovery.intermediate_sessions.exchange,
        404,
        "organization_not_found",
        intermediate_session_token=ist,
        organization_id=MISSING_ORGANIZATION_ID,
    )

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=ist, organization_id=created.organization.organization_id
    )
    assert exchanged.member_authenticated is True


def test_discovery_create_with_a_taken_slug_is_refused(
    sdk: SDK, mock: Any, new_org: Any, made_orgs: list[str]
) -> None:
    taken = new_org()
    email, _ = company_email()
    ist = discover(sdk, mock, email).intermediate_session_token

    refused(
        sdk.discovery.organizations.create,
        400,
        "organization_slug_already_used",
        intermediate_session_token=ist,
        organization_slug=taken.organization_slug,
        organization_name="Copycat",
    )

    slug = unique("contract")
    created = sdk.discovery.organizations.create(
        intermediate_session_token=ist, organization_slug=slug, organization_name="Original"
    )
    made_orgs.append(created.organization.organization_id)
    assert created.organization.organization_slug == slug


# --- sessions ----------------------------------------------------------------------------


def test_unknown_session_token_is_not_found(sdk: SDK) -> None:
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=random_token())


@pytest.mark.parametrize("garbage", ["garbage", "not.a.jwt", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"])
def test_unparseable_session_jwt_is_refused(sdk: SDK, garbage: str) -> None:
    refused(sdk.sessions.authenticate, 400, "unable_to_parse_session_jwt", session_jwt=garbage)


def test_session_expires_after_60_minutes_by_default(sdk: SDK, mock: Any, login: Login) -> None:
    started = login.first()

    mock.advance_clock(minutes=59)
    alive = sdk.sessions.authenticate(session_token=started.session_token)
    assert alive.member_session.expires_at == started.member_session.expires_at

    mock.advance_clock(minutes=2)
    refused(
        sdk.sessions.authenticate, 404, "session_not_found", session_token=started.session_token
    )
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_jwt=started.session_jwt)
    listed = sdk.sessions.get(
        organization_id=started.organization.organization_id, member_id=started.member.member_id
    )
    assert listed.member_sessions == []


def test_session_token_and_jwt_together_are_refused(sdk: SDK, login: Login) -> None:
    started = login.first()

    refused(
        sdk.sessions.authenticate,
        400,
        "too_many_session_arguments",
        session_token=started.session_token,
        session_jwt=started.session_jwt,
        session_duration_minutes=120,
    )

    unchanged = sdk.sessions.authenticate(session_token=started.session_token)
    assert unchanged.member_session.expires_at == started.member_session.expires_at


@pytest.mark.parametrize("minutes", [4, 527041])
def test_session_duration_outside_5_to_527040_minutes_is_refused(
    sdk: SDK, login: Login, minutes: int
) -> None:
    started = login.first()

    refused(
        sdk.sessions.authenticate,
        400,
        "invalid_session_duration_minutes",
        session_token=started.session_token,
        session_duration_minutes=minutes,
    )

    unchanged = sdk.sessions.authenticate(session_token=started.session_token)
    assert unchanged.member_session.expires_at == started.member_session.expires_at


@pytest.mark.parametrize("minutes", [5, 527040])
def test_session_duration_bounds_are_accepted(sdk: SDK, login: Login, minutes: int) -> None:
    started = login.first()

    extended = sdk.sessions.authenticate(
        session_token=started.session_token, session_duration_minutes=minutes
    )

    assert_near(
        extended.member_session.expires_at, clock_now(login.mock) + timedelta(minutes=minutes)
    )


# --- credentials -------------------------------------------------------------------------


def test_wrong_secret_is_unauthorized(wrong_secret_sdk: SDK) -> None:
    refused(
        wrong_secret_sdk.magic_links.email.discovery.send,
        401,
        "unauthorized_credentials",
        email_address=SANDBOX_EMAIL,
    )
    refused(
        wrong_secret_sdk.sessions.authenticate,
        401,
        "unauthorized_credentials",
        session_token=random_token(),
    )
