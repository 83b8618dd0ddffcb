"""The frontend SDK's token half of OAuth and SSO (``/sdk/v1/b2b/oauth/authenticate``,
``.../oauth/discovery/authenticate``, ``/sdk/v1/b2b/sso/authenticate``) over raw HTTP, as
``HeadlessB2BOAuthClient.ts`` and ``HeadlessB2BSSOClient.ts`` send them
(https://github.com/stytchauth/stytch-browser/tree/main/packages/core/src/HeadlessClients/b2b).
The start half is the backend's public start URL, which the SDK navigates to; the fixture's
``oauth_token`` / ``sso_token`` run it as the browser would."""

from __future__ import annotations

from contracts.helpers import pkce_pair
from mockserver.pytest_plugin import StytchMock
from tests.support import assert_stytch_error, org_with_member, state_of
from tests.test_frontend_sdk_api import ok, sdk


def test_oauth_sign_in_with_pkce_makes_a_session_the_backend_accepts(
    stytch_mock: StytchMock,
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.co")
    verifier, challenge = pkce_pair()
    token = stytch_mock.oauth_token(
        "google", "ada@acme.co", organization=org.organization_id, pkce_code_challenge=challenge
    )
    before = state_of(stytch_mock)

    wrong = sdk(
        stytch_mock,
        "POST",
        "b2b/oauth/authenticate",
        {"oauth_token": token, "pkce_code_verifier": pkce_pair()[0]},
    )
    assert wrong.status == 400 and "data" not in wrong.json
    assert wrong.json["error_type"] == "pkce_mismatch"
    assert state_of(stytch_mock) == before

    signed_in = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/oauth/authenticate",
            {
                "oauth_token": token,
                "pkce_code_verifier": verifier,
                "session_duration_minutes": 60,
                "dfp_telemetry_id": None,
                "captcha_token": None,
            },
        )
    )
    assert signed_in["member_id"] == member.member_id
    assert signed_in["organization_id"] == org.organization_id
    assert signed_in["provider_type"] == "Google" and signed_in["member_authenticated"] is True
    factors = signed_in["member_session"]["authentication_factors"]
    assert [f["delivery_method"] for f in factors] == ["oauth_google"]
    backend = stytch_mock.client.sessions.authenticate(session_token=signed_in["session_token"])
    assert backend.member.member_id == member.member_id

    replay = sdk(
        stytch_mock,
        "POST",
        "b2b/oauth/authenticate",
        {"oauth_token": token, "pkce_code_verifier": verifier},
    )
    # Spent: the same answer as the backend route gives (test_oauth.py).
    assert_stytch_error(replay, 400, "oauth_token_not_found")


def test_oauth_discovery_lists_the_members_organizations(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.co")
    token = stytch_mock.discovery_oauth_token("microsoft", "ada@acme.co")

    found = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/oauth/discovery/authenticate",
            {"discovery_oauth_token": token},
        )
    )
    assert found["email_address"] == "ada@acme.co"
    assert found["provider_type"] == "Microsoft"
    assert found["intermediate_session_token"]
    listed = [d["organization"]["organization_id"] for d in found["discovered_organizations"]]
    assert listed == [org.organization_id]
    exchanged = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/discovery/intermediate_sessions/exchange",
            {
                "intermediate_session_token": found["intermediate_session_token"],
                "organization_id": org.organization_id,
                "session_duration_minutes": 60,
            },
        )
    )
    assert exchanged["member"]["email_address"] == "ada@acme.co"
    assert exchanged["session_token"]


def test_sso_sign_in_from_the_browser_provisions_the_member(stytch_mock: StytchMock) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Acme").organization
    conn = stytch_mock.client.sso.oidc.create_connection(
        organization_id=org.organization_id
    ).connection
    before = state_of(stytch_mock)
    unknown = sdk(stytch_mock, "POST", "b2b/sso/authenticate", {"sso_token": "not-a-token"})
    assert_stytch_error(unknown, 404, "sso_token_not_found")
    assert state_of(stytch_mock) == before

    token = stytch_mock.sso_token(conn.connection_id, "grace@acme.co", name="Grace Hopper")
    signed_in = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/sso/authenticate",
            {"sso_token": token, "session_duration_minutes": 30},
        )
    )
    assert signed_in["member"]["email_address"] == "grace@acme.co"
    assert signed_in["member"]["name"] == "Grace Hopper"
    assert signed_in["organization_id"] == org.organization_id
    factors = signed_in["member_session"]["authentication_factors"]
    assert [f["type"] for f in factors] == ["sso"]
    backend = stytch_mock.client.sessions.authenticate(session_token=signed_in["session_token"])
    assert backend.member.email_address == "grace@acme.co"
