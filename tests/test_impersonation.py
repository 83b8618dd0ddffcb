"""Impersonation, the mock's side: the control route that mints tokens (``POST
/_mock/impersonation_tokens``), its refusals, the tokens' place in the state document (export,
import, sweeping, deletion with their member or organization), and the frontend SDK's route.
Stytch's behaviour through the SDKs is in contracts/test_impersonation.py."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, FIXTURE_SECRET, StytchMock
from tests.support import (
    assert_sdk_error,
    assert_stytch_error,
    basic,
    http,
    log_in,
    org_with_member,
    state_of,
)
from tests.test_frontend_sdk_api import ok, sdk

MINT = "_mock/impersonation_tokens"
UNABLE = "unable_to_auth_impersonation_token"


def mint(mock: StytchMock, **body: Any) -> Any:
    return mock.request("POST", MINT, body)


def fields(org: Any, member: Any, **extra: Any) -> dict[str, Any]:
    return {
        "organization_id": org.organization_id,
        "member_id": member.member_id,
        "impersonator_email_address": "support@example.com",
        **extra,
    }


# --- the control route ------------------------------------------------------------------------


def test_mint_answers_the_token_its_member_and_impersonator_and_expiry(
    stytch_mock: StytchMock,
) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Acme").organization
    member = stytch_mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address="ada@acme.com", external_id="ada-ext"
    ).member
    now = stytch_mock.now()

    resp = mint(stytch_mock, **fields(org, member, member_id="ada-ext"))

    assert resp.status == 200, resp.json
    body = resp.json
    assert body["member_id"] == member.member_id  # an external id names the member too
    assert body["organization_id"] == org.organization_id
    assert body["impersonator_email_address"] == "support@example.com"
    assert body["impersonator_id"].startswith("member-test-")
    assert len(body["impersonation_token"]) == 44
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (now + timedelta(minutes=5))) <= timedelta(seconds=1)
    [stored] = state_of(stytch_mock)["impersonation_tokens"]
    assert stored["token"] == body["impersonation_token"]


@pytest.mark.parametrize(
    ("change", "status", "error_type"),
    [
        (
            {"member_id": "member-test-00000000-0000-4000-8000-000000000000"},
            404,
            "member_not_found",
        ),
        (
            {"organization_id": "organization-test-00000000-0000-4000-8000-000000000000"},
            404,
            "organization_not_found",
        ),
        ({"impersonator_email_address": "not an email"}, 400, "invalid_email"),
        ({"member_id": 42}, 400, None),
        ({"organization_id": None}, 400, None),
    ],
)
def test_mint_refuses_bad_input_and_changes_nothing(
    stytch_mock: StytchMock, change: dict[str, Any], status: int, error_type: str | None
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    before = state_of(stytch_mock)

    resp = mint(stytch_mock, **fields(org, member, **change))

    assert_stytch_error(resp, status, error_type)
    assert state_of(stytch_mock) == before


def test_mint_refuses_a_member_of_another_organization(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    _, stranger = org_with_member(stytch_mock, "bob@other.com", name="Other")

    assert_stytch_error(mint(stytch_mock, **fields(org, stranger)), 404, "member_not_found")


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"organization_id": "x"}', b""],
    ids=["not-json", "not-an-object", "missing-fields", "empty"],
)
def test_mint_refuses_a_malformed_body(stytch_mock: StytchMock, body: bytes) -> None:
    resp = http(
        stytch_mock.url + MINT,
        "POST",
        body=body,
        headers={
            "Authorization": basic(FIXTURE_PROJECT_ID, FIXTURE_SECRET),
            "Content-Type": "application/json",
        },
    )

    assert_stytch_error(resp, 400)
    assert state_of(stytch_mock)["impersonation_tokens"] == []


def test_mint_needs_the_project_credentials(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    resp = http(
        stytch_mock.url + MINT,
        "POST",
        body=json.dumps(fields(org, member)).encode(),
        headers={"Content-Type": "application/json"},
    )

    assert_stytch_error(resp, 401)


def test_a_deleted_member_cannot_be_impersonated(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.client.organizations.members.delete(
        organization_id=org.organization_id, member_id=member.member_id
    )

    resp = mint(stytch_mock, **fields(org, member))

    assert_stytch_error(resp, 403, "member_impersonation_not_allowed")
    assert state_of(stytch_mock)["impersonation_tokens"] == []


def test_an_invited_member_is_impersonated_and_stays_invited(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.client.magic_links.email.invite(
        organization_id=org.organization_id, email_address="ivy@acme.com"
    )
    ivy = stytch_mock.client.organizations.members.get(
        organization_id=org.organization_id, email_address="ivy@acme.com"
    ).member
    token = stytch_mock.impersonation_token(org.organization_id, ivy.member_id)

    resp = stytch_mock.client.impersonation.authenticate(impersonation_token=token)

    assert resp.member.status == "invited"
    assert resp.member_session.member_id == ivy.member_id


# --- the tokens' life in the state ----------------------------------------------------------


def test_deleting_the_member_or_its_organization_forgets_its_tokens(
    stytch_mock: StytchMock,
) -> None:
    org, ada = org_with_member(stytch_mock, "ada@acme.com")
    bob = stytch_mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address="bob@acme.com"
    ).member
    ada_token = stytch_mock.impersonation_token(org.organization_id, ada.member_id)
    stytch_mock.impersonation_token(org.organization_id, bob.member_id)
    assert len(state_of(stytch_mock)["impersonation_tokens"]) == 2

    stytch_mock.client.organizations.members.delete(
        organization_id=org.organization_id, member_id=ada.member_id
    )
    assert [t["member_id"] for t in state_of(stytch_mock)["impersonation_tokens"]] == [
        bob.member_id
    ]
    with pytest.raises(StytchError) as refused:
        stytch_mock.client.impersonation.authenticate(impersonation_token=ada_token)
    assert_sdk_error(refused, 401, UNABLE)

    stytch_mock.client.organizations.delete(organization_id=org.organization_id)
    assert state_of(stytch_mock)["impersonation_tokens"] == []


def test_a_reactivated_member_does_not_get_its_old_tokens_back(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    log_in(stytch_mock, org.organization_id, "ada@acme.com")  # verifies the email
    token = stytch_mock.impersonation_token(org.organization_id, member.member_id)
    ids = {"organization_id": org.organization_id, "member_id": member.member_id}
    stytch_mock.client.organizations.members.delete(**ids)
    stytch_mock.client.organizations.members.reactivate(**ids)

    with pytest.raises(StytchError) as refused:
        stytch_mock.client.impersonation.authenticate(impersonation_token=token)
    assert_sdk_error(refused, 401, UNABLE)
    fresh_token = stytch_mock.impersonation_token(org.organization_id, member.member_id)
    resp = stytch_mock.client.impersonation.authenticate(impersonation_token=fresh_token)
    assert resp.member.status == "active"


def test_used_tokens_go_at_once_and_expired_ones_after_the_grace_period(
    stytch_mock: StytchMock,
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    used = stytch_mock.impersonation_token(org.organization_id, member.member_id)
    stytch_mock.impersonation_token(org.organization_id, member.member_id)
    stytch_mock.client.impersonation.authenticate(impersonation_token=used)
    assert len(state_of(stytch_mock)["impersonation_tokens"]) == 1

    stytch_mock.advance_clock(minutes=5)  # expired, kept for --keep-expired (a day here)
    assert len(state_of(stytch_mock)["impersonation_tokens"]) == 1
    stytch_mock.advance_clock(days=1)
    assert state_of(stytch_mock)["impersonation_tokens"] == []


def test_tokens_and_impersonated_sessions_round_trip(
    stytch_mock: StytchMock, fresh: StytchMock
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    outstanding = stytch_mock.impersonation_token(
        org.organization_id, member.member_id, impersonator_email_address="sam@example.com"
    )
    used = stytch_mock.impersonation_token(org.organization_id, member.member_id)
    session = stytch_mock.client.impersonation.authenticate(impersonation_token=used)
    saved = state_of(stytch_mock)
    assert len(saved["impersonation_tokens"]) == 1

    fresh.control("PUT", "_mock/state", {"state": saved})

    assert state_of(fresh) == saved
    client = fresh.client
    # The session keeps its factor, and still cannot be extended.
    again = client.sessions.authenticate(
        session_token=session.session_token, session_duration_minutes=600
    )
    [factor] = again.member_session.authentication_factors
    assert factor.impersonated_factor.impersonator_email_address == "support@example.com"
    assert again.member_session.expires_at == session.member_session.expires_at
    # The outstanding token works there, once; the used one does not.
    moved = client.impersonation.authenticate(impersonation_token=outstanding)
    [factor] = moved.member_session.authentication_factors
    assert factor.impersonated_factor.impersonator_email_address == "sam@example.com"
    for token in (outstanding, used):
        with pytest.raises(StytchError) as refused:
            client.impersonation.authenticate(impersonation_token=token)
        assert_sdk_error(refused, 401, UNABLE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member_id": "member-test-nobody"}, "unknown member"),
        ({"organization_id": "organization-test-elsewhere"}, "unknown member"),
    ],
)
def test_a_state_document_with_a_stray_token_is_refused(
    stytch_mock: StytchMock, change: dict[str, str], message: str
) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.impersonation_token(org.organization_id, member.member_id)
    saved = state_of(stytch_mock)
    broken = json.loads(json.dumps(saved))
    broken["impersonation_tokens"][0].update(change)

    resp = stytch_mock.request("PUT", "_mock/state", {"state": broken})

    assert_stytch_error(resp, 400, "bad_request")
    assert message in resp.json["error_message"]
    assert state_of(stytch_mock) == saved


def test_a_state_document_with_a_token_twice_is_refused(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.impersonation_token(org.organization_id, member.member_id)
    saved = state_of(stytch_mock)
    broken = dict(saved, impersonation_tokens=saved["impersonation_tokens"] * 2)

    resp = stytch_mock.request("PUT", "_mock/state", {"state": broken})

    assert_stytch_error(resp, 400, "bad_request")
    assert state_of(stytch_mock) == saved


# --- the frontend SDK ---------------------------------------------------------------------


def test_the_browser_sdk_authenticates_a_token_once(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    token = stytch_mock.impersonation_token(org.organization_id, member.member_id)
    before = state_of(stytch_mock)
    unknown = sdk(
        stytch_mock, "POST", "b2b/impersonation/authenticate", {"impersonation_token": "x"}
    )
    assert_stytch_error(unknown, 401, UNABLE)
    assert state_of(stytch_mock) == before

    signed_in = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/impersonation/authenticate",
            # what HeadlessB2BImpersonationClient adds is ignored
            {"impersonation_token": token, "dfp_telemetry_id": None, "captcha_token": None},
        )
    )

    assert signed_in["member_id"] == member.member_id
    assert signed_in["member_authenticated"] is True
    assert signed_in["intermediate_session_token"] == ""
    [factor] = signed_in["member_session"]["authentication_factors"]
    assert (factor["type"], factor["delivery_method"]) == ("impersonated", "impersonation")
    backend = stytch_mock.client.sessions.authenticate(session_token=signed_in["session_token"])
    assert backend.member.member_id == member.member_id
    again = sdk(
        stytch_mock, "POST", "b2b/impersonation/authenticate", {"impersonation_token": token}
    )
    assert_stytch_error(again, 401, UNABLE)
