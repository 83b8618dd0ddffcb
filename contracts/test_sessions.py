"""Member sessions: lifetime and extension, listing, revocation, custom claims, session JWTs.

Stytch's behaviour (the Python SDK's
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/sessions.py):
a session lasts 60 minutes unless
``session_duration_minutes`` says otherwise; ``sessions.authenticate`` extends it to now + N
only when given a duration; a session JWT lives 5 minutes, and an expired JWT of a live session
is refreshed by ``sessions.authenticate``; revoked or expired sessions are 404
``session_not_found``; ``session_custom_claims`` go into the session and the JWT, ``null``
deletes a key and reserved JWT claims are ignored.

Sessions come from the ``login`` fixture (``Login`` in ``contracts/helpers.py``): the discovery
flow on the mock, the documented sandbox magic-link token on real Stytch. Scenarios that move
the clock use ``mock``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jwt as pyjwt
import pytest

from contracts.helpers import Login, assert_near, clock_now, refused
from contracts.support import SDK, Target

JWT_LIFETIME = 300
SESSION_CLAIM = "https://stytch.com/session"
ORGANIZATION_CLAIM = "https://stytch.com/organization"


def claims_of(session_jwt: str) -> dict[str, Any]:
    """The JWT's claims, signature unchecked (for reading times the SDK's wall-clock check
    would refuse after the mock's clock moved)."""
    return pyjwt.decode(session_jwt, options={"verify_signature": False})


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- lifetime and extension --------------------------------------------------------------


def test_authenticate_without_duration_does_not_extend_the_session(sdk: SDK, login: Login) -> None:
    started = login.first(session_duration_minutes=30)
    expires = started.member_session.expires_at
    assert_near(expires, clock_now(login.mock) + timedelta(minutes=30))

    again = sdk.sessions.authenticate(session_token=started.session_token)

    assert again.member_session.member_session_id == started.member_session.member_session_id
    assert again.member_session.expires_at == expires
    assert again.member_session.started_at == started.member_session.started_at
    by_jwt = sdk.sessions.authenticate(session_jwt=started.session_jwt)
    assert by_jwt.member_session.expires_at == expires


def test_authenticate_with_duration_extends_the_session_to_now_plus_duration(
    sdk: SDK, login: Login
) -> None:
    started = login.first(session_duration_minutes=30)

    extended = sdk.sessions.authenticate(
        session_token=started.session_token, session_duration_minutes=90
    )

    expires = extended.member_session.expires_at
    assert_near(expires, clock_now(login.mock) + timedelta(minutes=90))
    assert extended.member_session.member_session_id == started.member_session.member_session_id
    assert extended.session_token == started.session_token
    # Later calls without a duration keep the new expiry.
    kept = sdk.sessions.authenticate(session_token=started.session_token)
    assert kept.member_session.expires_at == expires


def test_extension_counts_from_the_time_of_the_call(sdk: SDK, mock: Any, login: Login) -> None:
    started = login.first()
    original = started.member_session.expires_at
    assert_near(original, mock.now() + timedelta(minutes=60), timedelta(seconds=5))
    later = mock.advance_clock(minutes=20)

    untouched = sdk.sessions.authenticate(session_token=started.session_token)
    assert untouched.member_session.expires_at == original
    assert_near(untouched.member_session.last_accessed_at, later, timedelta(seconds=5))

    extended = sdk.sessions.authenticate(
        session_token=started.session_token, session_duration_minutes=60
    )
    assert_near(
        extended.member_session.expires_at, later + timedelta(minutes=60), timedelta(seconds=5)
    )
    assert extended.member_session.expires_at > original
    assert extended.member_session.started_at == started.member_session.started_at


# --- listing and revocation --------------------------------------------------------------


def _listed(sdk: SDK, started: Any) -> set[str]:
    listed = sdk.sessions.get(
        organization_id=started.organization.organization_id,
        member_id=started.member.member_id,
    )
    assert all(s.member_id == started.member.member_id for s in listed.member_sessions)
    return {s.member_session_id for s in listed.member_sessions}


def test_sessions_get_lists_the_members_live_sessions(
    sdk: SDK, target: Target, login: Login
) -> None:
    first = login.first()
    second = login.again()
    ids = {first.member_session.member_session_id, second.member_session.member_session_id}
    assert len(ids) == 2
    assert second.member.member_id == first.member.member_id

    listed = _listed(sdk, first)
    by_slug = sdk.sessions.get(
        organization_id=first.organization.organization_slug, member_id=first.member.member_id
    )
    assert {s.member_session_id for s in by_slug.member_sessions} == listed
    if target.is_mock:
        assert listed == ids  # a fresh project: nobody else has sessions
    else:
        assert ids <= listed  # the sandbox member may have sessions of other runs

    sdk.sessions.revoke(member_session_id=first.member_session.member_session_id)
    listed = _listed(sdk, first)
    assert first.member_session.member_session_id not in listed
    assert second.member_session.member_session_id in listed


@pytest.mark.parametrize("selector", ["member_session_id", "session_jwt", "session_token"])
def test_revoking_one_session_invalidates_its_token_and_jwt_only(
    sdk: SDK, login: Login, selector: str
) -> None:
    doomed = login.first()
    other = login.again()
    values = {
        "member_session_id": doomed.member_session.member_session_id,
        "session_jwt": doomed.session_jwt,
        "session_token": doomed.session_token,
    }

    revoked = sdk.sessions.revoke(**{selector: values[selector]})

    assert revoked.status_code == 200
    for field in ("session_token", "session_jwt"):
        refused(sdk.sessions.authenticate, 404, "session_not_found", **{field: values[field]})
    alive = sdk.sessions.authenticate(session_token=other.session_token)
    assert alive.member_session.member_session_id == other.member_session.member_session_id


def test_revoking_by_member_id_ends_every_session_of_the_member(sdk: SDK, login: Login) -> None:
    first = login.first()
    second = login.again()

    sdk.sessions.revoke(member_id=first.member.member_id)

    for started in (first, second):
        refused(
            sdk.sessions.authenticate, 404, "session_not_found", session_token=started.session_token
        )
        refused(
            sdk.sessions.authenticate, 404, "session_not_found", session_jwt=started.session_jwt
        )
    assert _listed(sdk, first) == set()


# --- custom claims -----------------------------------------------------------------------


def test_custom_claims_are_in_the_session_and_its_jwt_and_null_deletes_one(
    sdk: SDK, login: Login
) -> None:
    started = login.first(session_custom_claims={"plan": "pro", "team": {"id": 7}})
    assert started.member_session.custom_claims == {"plan": "pro", "team": {"id": 7}}
    local = sdk.sessions.authenticate_jwt_local(session_jwt=started.session_jwt)
    assert local is not None
    assert local.custom_claims == {"plan": "pro", "team": {"id": 7}}

    updated = sdk.sessions.authenticate(
        session_token=started.session_token,
        session_custom_claims={"team": None, "seats": 3, "sub": "someone-else"},
    )

    expected = {"plan": "pro", "seats": 3}  # team deleted, reserved "sub" ignored
    assert updated.member_session.custom_claims == expected
    local = sdk.sessions.authenticate_jwt_local(session_jwt=updated.session_jwt)
    assert local is not None
    assert local.custom_claims == expected
    assert local.member_id == started.member.member_id  # "sub" is still the member
    # The claims are kept by the session, not just echoed once.
    again = sdk.sessions.authenticate(session_token=started.session_token)
    assert again.member_session.custom_claims == expected


def test_custom_claims_over_4_kb_are_refused(sdk: SDK, login: Login) -> None:
    started = login.first(session_custom_claims={"plan": "pro"})

    refused(
        sdk.sessions.authenticate,
        400,
        "custom_claims_too_large",
        session_token=started.session_token,
        session_custom_claims={"blob": "x" * 5000},
    )

    unchanged = sdk.sessions.authenticate(session_token=started.session_token)
    assert unchanged.member_session.custom_claims == {"plan": "pro"}


# --- session JWTs ------------------------------------------------------------------------


def test_session_jwt_carries_stytchs_claims(sdk: SDK, target: Target, login: Login) -> None:
    """RS256 with a key id from the project's JWKS; iss stytch.com/<project>, aud [project],
    sub the member, 5-minute lifetime, and the session and organization claims
    (``authenticate_jwt_local`` in the SDK)."""
    started = login.first()
    header = pyjwt.get_unverified_header(started.session_jwt)
    claims = claims_of(started.session_jwt)
    session = started.member_session

    assert header["alg"] == "RS256"
    assert header["kid"].startswith("jwk-test-")
    jwks = sdk.sessions.get_jwks(project_id=target.project_id)
    assert header["kid"] in [key.kid for key in jwks.keys]
    assert claims["iss"] == f"stytch.com/{target.project_id}"
    assert claims["aud"] == [target.project_id]
    assert claims["sub"] == started.member.member_id
    assert claims["iat"] == claims["nbf"]
    assert claims["exp"] - claims["iat"] == JWT_LIFETIME
    stytch_session = claims[SESSION_CLAIM]
    assert stytch_session["id"] == session.member_session_id
    assert parse_time(stytch_session["expires_at"]) == session.expires_at
    assert parse_time(stytch_session["started_at"]) == session.started_at
    assert sorted(stytch_session["roles"]) == sorted(session.roles)
    assert claims[ORGANIZATION_CLAIM] == {
        "organization_id": started.organization.organization_id,
        "slug": started.organization.organization_slug,
    }


def test_authenticate_by_jwt_returns_a_jwt_for_the_same_session(sdk: SDK, login: Login) -> None:
    started = login.first()

    by_jwt = sdk.sessions.authenticate(session_jwt=started.session_jwt)

    assert by_jwt.session_token == started.session_token
    assert by_jwt.session_jwt
    local = sdk.sessions.authenticate_jwt_local(session_jwt=by_jwt.session_jwt)
    assert local is not None
    assert local.member_session_id == started.member_session.member_session_id
    claims = claims_of(by_jwt.session_jwt)
    assert claims["exp"] - claims["iat"] == JWT_LIFETIME
    assert claims["iat"] >= claims_of(started.session_jwt)["iat"]
    assert claims["sub"] == started.member.member_id


def test_expired_jwt_of_a_live_session_is_refreshed_by_authenticate(
    sdk: SDK, mock: Any, login: Login
) -> None:
    started = login.first()
    old_jwt = started.session_jwt
    # Local verification follows the wall clock, and the mock's JWT times follow the mock's
    # clock: verify locally before moving it.
    local = sdk.sessions.authenticate_jwt_local(session_jwt=old_jwt)
    assert local is not None
    assert local.member_session_id == started.member_session.member_session_id
    old_exp = claims_of(old_jwt)["exp"]

    mock.advance_clock(minutes=6)  # past the JWT's exp, well within the 60-minute session

    refreshed = sdk.sessions.authenticate(session_jwt=old_jwt)
    assert refreshed.member_session.member_session_id == started.member_session.member_session_id
    assert refreshed.session_jwt and refreshed.session_jwt != old_jwt
    new_claims = claims_of(refreshed.session_jwt)
    assert new_claims["iat"] >= old_exp
    assert new_claims["exp"] == new_claims["iat"] + JWT_LIFETIME
    assert new_claims[SESSION_CLAIM]["id"] == started.member_session.member_session_id

    # authenticate_jwt prefers local verification and falls back to the API when it cannot
    # verify locally. The refreshed JWT carries the mock's (moved) time, so a wall-clock check
    # refuses it and the SDK asks the API, which answers with a request id.
    assert sdk.sessions.authenticate_jwt_local(session_jwt=refreshed.session_jwt) is None
    remote = sdk.sessions.authenticate_jwt(session_jwt=refreshed.session_jwt)
    assert remote.request_id, "authenticate_jwt did not fall back to the API"
    assert remote.member_session.member_session_id == started.member_session.member_session_id
    assert remote.member_session.member_id == started.member.member_id
