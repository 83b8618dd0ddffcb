"""GET /_mock/state -> PUT /_mock/state into a fresh server -> GET again: the same document,
and a project that behaves the same (the state document is the list of the project's stores)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

import jwt as pyjwt
import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import (
    FIXTURE_PROJECT_ID,
    StytchMock,
)
from tests.support import (
    assert_sdk_error,
    discovery_token,
    http,
    intermediate_session,
    log_in,
    login_token,
    org_with_member,
    state_of,
)

PASSWORD = "correct horse battery staple 42"
PASSWORD_MD5 = hashlib.md5(PASSWORD.encode()).hexdigest()


def doomed_organization(mock: StytchMock) -> str:
    """An organization whose links are used, expired, outstanding and revoked; then deleted."""
    client = mock.client
    org, _ = org_with_member(
        mock,
        "dan@doomed.com",
        name="Doomed",
        email_allowed_domains=["doomed.com"],
        email_invites="ALL_ALLOWED",
    )
    org_id = org.organization_id
    client.passwords.migrate(  # a password, forgotten with the organization
        email_address="dan@doomed.com", hash=PASSWORD_MD5, hash_type="md_5", organization_id=org_id
    )
    log_in(mock, org_id, "dan@doomed.com")  # a used link
    login_token(mock, org_id, "dan@doomed.com")  # expires below
    mock.advance_clock(hours=2)
    login_token(mock, org_id, "dan@doomed.com")  # outstanding
    client.magic_links.email.invite(organization_id=org_id, email_address="eve@doomed.com")
    eve = client.organizations.members.get(organization_id=org_id, email_address="eve@doomed.com")
    client.organizations.members.delete(organization_id=org_id, member_id=eve.member_id)
    mock.oauth_token("google", "dan@doomed.com", organization=org_id)  # outstanding
    before = state_of(mock)
    assert sum(link["organization_id"] == org_id for link in before["magic_links"]) >= 4
    assert any(token["organization_id"] == org_id for token in before["oauth_tokens"])
    client.organizations.delete(organization_id=org_id)  # with its revoked invite
    return org_id


RBAC_POLICY = {
    "resources": [{"resource_id": "documents", "description": "Docs", "actions": ["read"]}],
    "roles": [
        {
            "role_id": "editor",
            "description": "Edits",
            "permissions": [{"resource_id": "documents", "actions": ["*"]}],
        }
    ],
}
READER = {
    "role_id": "reader",
    "description": "Reads",
    "permissions": [{"resource_id": "documents", "actions": ["read"]}],
}


def every_kind(mock: StytchMock) -> dict[str, Any]:
    """One object of every kind, made through the SDK."""
    client = mock.client
    mock.seed({"rbac_policy": RBAC_POLICY})
    doomed_id = doomed_organization(mock)
    acme, ada = org_with_member(
        mock,
        "ada@acme.com",
        email_allowed_domains=["acme.com"],
        email_invites="ALL_ALLOWED",
        email_jit_provisioning="RESTRICTED",
        organization_external_id="acme-ext",
        claimed_email_domains=["acme.com"],
    )
    acme_id = acme.organization_id
    client.rbac.organizations.set_org_policy(
        organization_id=acme_id, org_policy={"roles": [READER]}
    )
    client.organizations.members.create(
        organization_id=acme_id,
        email_address="pat@acme.com",
        create_member_as_pending=True,
        external_id="pat-ext",
        roles=["stytch_admin"],
    )
    gone = client.organizations.members.create(
        organization_id=acme_id, email_address="gus@acme.com"
    ).member
    client.organizations.members.delete(organization_id=acme_id, member_id=gone.member_id)
    client.magic_links.email.invite(organization_id=acme_id, email_address="ivy@acme.com")
    invite = mock.outbox.latest_token("ivy@acme.com")
    live = log_in(mock, acme_id, "ada@acme.com", session_custom_claims={"team": "red"})
    revoked = log_in(mock, acme_id, "ada@acme.com", session_duration_minutes=600)
    client.sessions.revoke(session_token=revoked.session_token)
    used = login_token(mock, acme_id, "ada@acme.com")
    client.magic_links.authenticate(magic_links_token=used)
    ist = intermediate_session(mock, "zoe@acme.com")
    discovery = discovery_token(mock, "max@example.com")
    # OAuth: a used token (with its provider tokens), a pending one, a request at the provider.
    used_oauth = mock.oauth_token("microsoft", "ada@acme.com", organization=acme_id)
    oauth_login = client.oauth.authenticate(oauth_token=used_oauth)
    oauth = mock.discovery_oauth_token("github", "kim@example.com", tenant_ids=["42"])
    start = "v1/b2b/public/oauth/slack/start?" + urlencode(
        {"public_token": mock.public_token, "organization_id": acme_id}
    )
    assert http(mock.url + start, follow=False).status == 302  # waits at the provider page
    client.passwords.migrate(
        email_address="ada@acme.com", hash=PASSWORD_MD5, hash_type="md_5", organization_id=acme_id
    )
    client.passwords.email.reset_start(organization_id=acme_id, email_address="pat@acme.com")
    # MFA: a live SMS code, and a TOTP registration with its recovery codes.
    client.otps.sms.send(
        organization_id=acme_id,
        member_id=ada.member_id,
        mfa_phone_number="+15555550100",
        session_token=live.session_token,
    )
    sms_code = mock.outbox.latest_code("+15555550100")
    totp = client.totps.migrate(
        organization_id=acme_id,
        member_id=ada.member_id,
        secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        recovery_codes=["abcd-efgh-ijkl", "mnop-qrst-uvwx"],
    )
    return {
        "doomed_id": doomed_id,
        "acme_id": acme_id,
        "ada": ada,
        "invite": invite,
        "live": live,
        "revoked": revoked,
        "used": used,
        "ist": ist,
        "discovery": discovery,
        "used_oauth": used_oauth,
        "oauth_login": oauth_login,
        "oauth": oauth,
        "sms_code": sms_code,
        "totp": totp,
    }


def test_every_kind_of_object_round_trips_into_a_fresh_server(
    stytch_mock: StytchMock, fresh: StytchMock
) -> None:
    every_kind(stytch_mock)
    saved = state_of(stytch_mock)
    for name in (
        "organizations",
        "members",
        "sessions",
        "magic_links",
        "intermediate_sessions",
        "oauth_requests",
        "oauth_tokens",
        "oauth_provider_tokens",
        "outbox",
        "signing_keys",
        "rbac_policy",
        "member_passwords",
        "one_time_codes",
        "totp_registrations",
    ):
        assert saved[name], name
    assert {m["status"] for m in saved["members"]} == {"active", "pending", "invited", "deleted"}

    fresh.control("PUT", "_mock/state", {"state": saved})

    assert state_of(fresh) == saved
    assert fresh.outbox.messages() == stytch_mock.outbox.messages()


def test_an_imported_project_behaves_the_same(stytch_mock: StytchMock, fresh: StytchMock) -> None:
    made = every_kind(stytch_mock)
    old_jwt = made["live"].session_jwt
    fresh.control("PUT", "_mock/state", {"state": state_of(stytch_mock)})
    client = fresh.client

    # A JWT from the first server verifies with the fresh server's JWKS (times not checked:
    # the project's clock was moved), and on the server.
    jwks = client.sessions.get_jwks(project_id=FIXTURE_PROJECT_ID).keys
    assert [k.kid for k in jwks] == [pyjwt.get_unverified_header(old_jwt)["kid"]]
    public_key = pyjwt.PyJWK(jwks[0].model_dump()).key
    claims = pyjwt.decode(
        old_jwt,
        public_key,
        algorithms=["RS256"],
        audience=FIXTURE_PROJECT_ID,
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
    )
    assert claims["sub"] == made["ada"].member_id
    by_jwt = client.sessions.authenticate(session_jwt=old_jwt)
    assert by_jwt.member_session.custom_claims == {"team": "red"}
    # Outstanding tokens still authenticate.
    by_token = client.sessions.authenticate(session_token=made["live"].session_token)
    assert by_token.member.member_id == made["ada"].member_id
    accepted = client.magic_links.authenticate(magic_links_token=made["invite"])
    assert (accepted.member.email_address, accepted.member.status) == ("ivy@acme.com", "active")
    found = client.magic_links.discovery.authenticate(discovery_magic_links_token=made["discovery"])
    assert found.email_address == "max@example.com"
    joined = client.discovery.intermediate_sessions.exchange(
        intermediate_session_token=made["ist"], organization_id=made["acme_id"]
    )
    assert joined.member.email_address == "zoe@acme.com"
    # The project policy and the organization's roles.
    assert "editor" in [r.role_id for r in client.rbac.policy().policy.roles]
    org_policy = client.rbac.organizations.get_org_policy(organization_id=made["acme_id"])
    assert [r.role_id for r in org_policy.org_policy.roles] == ["reader"]
    github = client.oauth.discovery.authenticate(discovery_oauth_token=made["oauth"])
    assert (github.email_address, github.provider_tenant_ids) == ("kim@example.com", ["42"])
    stored = client.organizations.members.oauth_providers.microsoft(
        organization_id=made["acme_id"], member_id=made["ada"].member_id
    )
    assert stored.access_token == made["oauth_login"].provider_values.access_token
    # A password (its hash) came along.
    signed_in = client.passwords.authenticate(
        organization_id=made["acme_id"], email_address="ada@acme.com", password=PASSWORD
    )
    assert signed_in.member_id == made["ada"].member_id
    # So do the MFA codes: the SMS code sent before the export, the TOTP and its recovery codes.
    sms = client.otps.sms.authenticate(
        organization_id=made["acme_id"],
        member_id=made["ada"].member_id,
        code=made["sms_code"],
        session_token=made["live"].session_token,
    )
    assert sms.member.mfa_phone_number_verified is True
    recovered = client.recovery_codes.recover(
        organization_id=made["acme_id"],
        member_id=made["ada"].member_id,
        recovery_code="abcd-efgh-ijkl",
        session_token=made["live"].session_token,
    )
    assert recovered.recovery_codes_remaining == 1
    code = fresh.totp_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    totp = client.totps.authenticate(
        organization_id=made["acme_id"],
        member_id=made["ada"].member_id,
        code=code,
        session_token=made["live"].session_token,
    )
    assert totp.member.totp_registration_id == made["totp"].totp_registration_id
    # Revoked and used ones still fail.
    with pytest.raises(StytchError) as revoked:
        client.sessions.authenticate(session_token=made["revoked"].session_token)
    assert_sdk_error(revoked, 404, "session_not_found")
    with pytest.raises(StytchError) as used:
        client.magic_links.authenticate(magic_links_token=made["used"])
    assert_sdk_error(used, 401, "unable_to_auth_magic_link")
    with pytest.raises(StytchError) as used_oauth:
        client.oauth.authenticate(oauth_token=made["used_oauth"])
    assert_sdk_error(used_oauth, 400, "oauth_token_not_found")
    # Indexes came back too: slug, external ids, claimed domain, a deleted org's absence.
    assert (
        client.organizations.get(organization_id="acme-ext").organization.organization_id
        == (made["acme_id"])
    )
    pat = client.organizations.members.get(organization_id=made["acme_id"], member_id="pat-ext")
    assert pat.member.email_address == "pat@acme.com"
    with pytest.raises(StytchError) as gone:
        client.organizations.get(organization_id=made["doomed_id"])
    assert_sdk_error(gone, 404, "organization_not_found")


def test_state_after_deleting_an_organization_with_links_reads_back(
    stytch_mock: StytchMock,
) -> None:
    """Links go with their organization, so the export never names an organization it lacks
    (used, expired, outstanding and revoked links alike)."""
    doomed_organization(stytch_mock)
    saved = state_of(stytch_mock)
    # The doomed organization was the only one: nothing of its links is left.
    assert saved["organizations"] == []
    assert saved["magic_links"] == [] and saved["oauth_tokens"] == []
    assert saved["member_passwords"] == []
    stytch_mock.reset()

    resp = stytch_mock.request("PUT", "_mock/state", {"state": saved})

    assert resp.status == 200, resp.json
    assert state_of(stytch_mock) == saved


def test_a_document_without_signing_keys_keeps_the_projects_key(
    stytch_mock: StytchMock,
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    session = log_in(stytch_mock, org.organization_id, "ada@acme.com")
    saved = state_of(stytch_mock)
    del saved["signing_keys"]

    stytch_mock.control("PUT", "_mock/state", {"state": saved})

    again = stytch_mock.client.sessions.authenticate(session_jwt=session.session_jwt)
    assert again.member_session.member_session_id == session.member_session.member_session_id


def test_a_signing_key_that_is_not_a_key_is_refused(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    log_in(stytch_mock, org.organization_id, "ada@acme.com")
    saved = state_of(stytch_mock)
    bad = dict(saved, signing_keys=[{"kid": "jwk-test-x", "private_key_pem": "not a key"}])

    resp = stytch_mock.request("PUT", "_mock/state", {"state": bad})

    assert resp.status == 400
    assert "signing_keys.0" in resp.json["error_message"]
    assert "not a key" not in resp.json["error_message"]
    assert state_of(stytch_mock) == saved
