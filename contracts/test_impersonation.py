"""Member impersonation: ``impersonation.authenticate``.

Stytch's behaviour (the Python SDK's
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/impersonation.py and
``stytch/b2b/models/impersonation.py``): a token expires after 5 minutes and works once; it
gives a full session (``member_authenticated`` true, no intermediate session, no MFA) of 60
minutes that cannot be extended, with one ``impersonated`` factor delivered by
``impersonation`` whose ``impersonated_factor`` names the impersonator.

Stytch's tokens come from its Dashboard ("Impersonate Member"); on the mock the control API
mints them (``stytch_mock.impersonation_token``), so every scenario is mock-only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import jwt as pyjwt
import pytest
from stytch.core.response_base import StytchError

from contracts.helpers import random_token, refused
from contracts.support import SDK

pytestmark = pytest.mark.mock_only(
    reason="impersonation tokens come from the Dashboard; the mock's control API mints them"
)

IMPERSONATOR = "support@example.com"
SESSION_CLAIM = "https://stytch.com/session"
EXACT = timedelta(seconds=1)
UNABLE = "unable_to_auth_impersonation_token"


def member_of(sdk: SDK, new_org: Callable[..., Any], email: Callable[..., str], **org: Any) -> Any:
    organization = new_org(**org)
    return sdk.organizations.members.create(
        organization_id=organization.organization_id, email_address=email("ada")
    ).member


def token_for(mock: Any, member: Any, impersonator: str = IMPERSONATOR) -> str:
    return mock.impersonation_token(
        member.organization_id, member.member_id, impersonator_email_address=impersonator
    )


def test_a_token_logs_the_impersonator_in_as_the_member_for_60_minutes(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(sdk, new_org, email)
    token = token_for(mock, member)
    now = mock.now()

    resp = sdk.impersonation.authenticate(impersonation_token=token)

    assert (resp.member_id, resp.organization_id) == (member.member_id, member.organization_id)
    assert resp.member.email_address == member.email_address
    assert resp.organization.organization_id == member.organization_id
    assert resp.member_authenticated is True
    assert resp.intermediate_session_token == ""
    assert resp.mfa_required is None
    session = resp.member_session
    assert session.member_id == member.member_id
    assert abs(session.expires_at - (now + timedelta(minutes=60))) <= EXACT
    [factor] = session.authentication_factors
    assert (factor.type, factor.delivery_method) == ("impersonated", "impersonation")
    assert factor.impersonated_factor.impersonator_email_address == IMPERSONATOR
    assert factor.impersonated_factor.impersonator_id.startswith("member-test-")
    assert factor.email_factor is None
    claims = pyjwt.decode(resp.session_jwt, options={"verify_signature": False})
    [claim] = claims[SESSION_CLAIM]["authentication_factors"]
    assert claim["impersonated_factor"] == {
        "impersonator_id": factor.impersonated_factor.impersonator_id,
        "impersonator_email_address": IMPERSONATOR,
    }
    again = sdk.sessions.authenticate(session_token=resp.session_token)
    assert again.member_session.member_session_id == session.member_session_id
    # The same impersonator keeps the same id.
    later = sdk.impersonation.authenticate(impersonation_token=token_for(mock, member))
    [other] = later.member_session.authentication_factors
    assert other.impersonated_factor == factor.impersonated_factor


def test_mfa_and_primary_requirements_never_apply(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(
        sdk,
        new_org,
        email,
        mfa_policy="REQUIRED_FOR_ALL",
        auth_methods="RESTRICTED",
        allowed_auth_methods=["sso"],
    )

    resp = sdk.impersonation.authenticate(impersonation_token=token_for(mock, member))

    assert resp.member_authenticated is True
    assert resp.session_token and resp.intermediate_session_token == ""
    assert resp.mfa_required is None


def test_a_token_works_once(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(sdk, new_org, email)
    token = token_for(mock, member)
    sdk.impersonation.authenticate(impersonation_token=token)

    refused(sdk.impersonation.authenticate, 401, UNABLE, impersonation_token=token)


def test_a_token_raced_many_times_succeeds_once(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(sdk, new_org, email)
    token = token_for(mock, member)
    n = 20
    if sdk.mode == "async":
        assert sdk.loop is not None
        call = sdk.raw.impersonation.authenticate_async

        async def race() -> list[Any]:
            calls = (call(impersonation_token=token) for _ in range(n))
            return await asyncio.gather(*calls, return_exceptions=True)

        results = sdk.loop.run_until_complete(race())
    else:
        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [
                pool.submit(sdk.raw.impersonation.authenticate, impersonation_token=token)
                for _ in range(n)
            ]
            results = [f.exception() or f.result() for f in futures]

    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(results) - len(errors) == 1
    assert all(isinstance(e, StytchError) for e in errors), errors
    assert {(e.details.status_code, e.details.error_type) for e in errors} == {(401, UNABLE)}
    listed = sdk.sessions.get(organization_id=member.organization_id, member_id=member.member_id)
    assert len(listed.member_sessions) == 1


def test_a_token_expires_after_5_minutes(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(sdk, new_org, email)
    in_time = token_for(mock, member)
    mock.advance_clock(seconds=4 * 60 + 58)  # times are whole seconds: 1-2 s left
    assert sdk.impersonation.authenticate(impersonation_token=in_time).member_authenticated

    too_late = token_for(mock, member)
    mock.advance_clock(minutes=5)
    refused(sdk.impersonation.authenticate, 401, UNABLE, impersonation_token=too_late)


def test_an_unknown_token_is_refused(sdk: SDK) -> None:
    refused(sdk.impersonation.authenticate, 401, UNABLE, impersonation_token=random_token())


def test_a_token_of_a_deleted_member_is_refused(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(sdk, new_org, email)
    token = token_for(mock, member)
    sdk.organizations.members.delete(
        organization_id=member.organization_id, member_id=member.member_id
    )

    refused(sdk.impersonation.authenticate, 401, UNABLE, impersonation_token=token)


def test_the_session_cannot_be_extended_and_ends_after_60_minutes(
    sdk: SDK, mock: Any, new_org: Callable[..., Any], email: Callable[..., str]
) -> None:
    member = member_of(sdk, new_org, email)
    started = sdk.impersonation.authenticate(impersonation_token=token_for(mock, member))
    expires = started.member_session.expires_at
    later = mock.advance_clock(minutes=30)

    asked = sdk.sessions.authenticate(
        session_token=started.session_token, session_duration_minutes=600
    )

    assert asked.member_session.expires_at == expires
    assert abs(asked.member_session.last_accessed_at - later) <= EXACT
    by_jwt = sdk.sessions.authenticate(session_jwt=asked.session_jwt, session_duration_minutes=600)
    assert by_jwt.member_session.expires_at == expires
    mock.advance_clock(minutes=30)
    refused(
        sdk.sessions.authenticate, 404, "session_not_found", session_token=started.session_token
    )
