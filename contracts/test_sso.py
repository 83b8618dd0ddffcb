"""SSO: SAML, OIDC and external connections, and ``sso.authenticate``.

Stytch's behaviour (the Python SDK's ``stytch/b2b/api/sso*.py`` docstrings and
https://stytch.com/docs/api-reference/b2b/api/sso/saml-connection-object,
.../oidc-connection-object): a new SAML/OIDC connection is ``pending`` until its IdP settings
are complete; SAML ``attribute_mapping`` needs ``email`` and a name; at most 5 verification
certificates; unknown connections are 404; the SSO token is single use.

On the mock a new connection is wired to its built-in identity provider, so it is ``active`` at
once and a login completes offline (``stytch_mock.sso_token``): those scenarios are mock-only.
Connection management that does not depend on the IdP runs on both targets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from cryptography import x509

from contracts.helpers import (
    MISSING_ORGANIZATION_ID,
    assert_near,
    clock_now,
    log_in,
    pkce_pair,
    refused,
)
from contracts.support import SDK

SESSION_CLAIM = "https://stytch.com/session"
NAME_MAPPING = {"email": "email", "full_name": "name"}


def new_certificate(name: str = "Example IdP") -> str:
    from datetime import UTC, datetime

    from mockserver.idp import certs

    return certs.pem(
        certs.self_signed(certs.shared_key(), name, issuer=name, now=datetime.now(UTC))
    )


def connections(sdk: SDK, org_id: str) -> Any:
    return sdk.sso.get_connections(organization_id=org_id)


# --- SAML connections ------------------------------------------------------------------------


def test_saml_connection_has_stytch_shaped_ids_urls_and_a_signing_certificate(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()

    conn = sdk.sso.saml.create_connection(
        organization_id=org.organization_id, display_name="Okta", identity_provider="okta"
    ).connection

    assert conn.connection_id.startswith("saml-connection-test-")
    assert conn.organization_id == org.organization_id
    assert (conn.display_name, conn.identity_provider) == ("Okta", "okta")
    path = f"/v1/b2b/sso/callback/{conn.connection_id}"
    assert urlsplit(conn.acs_url).path == path
    assert conn.audience_uri == conn.acs_url
    assert conn.nameid_format == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert conn.idp_initiated_auth_disabled is False
    [signing] = conn.signing_certificates
    assert signing.issuer == "Stytch"
    cert = x509.load_pem_x509_certificate(signing.certificate.encode())
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > timedelta(days=9 * 365)
    listed = connections(sdk, org.organization_id)
    assert [c.connection_id for c in listed.saml_connections] == [conn.connection_id]
    assert (listed.oidc_connections, listed.external_connections) == ([], [])


@pytest.mark.mock_only(reason="the mock wires new connections to its built-in IdP")
def test_saml_connection_is_wired_to_the_built_in_idp_and_active(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()

    conn = sdk.sso.saml.create_connection(
        organization_id=org.organization_id, display_name="Mock IdP"
    ).connection

    base = mock.url.rstrip("/")
    assert conn.status == "active"
    assert conn.acs_url == f"{base}/v1/b2b/sso/callback/{conn.connection_id}"
    assert conn.idp_entity_id == f"{base}/_mock/idp/{mock.project_id}/saml"
    assert conn.idp_sso_url == f"{base}/_mock/idp/{mock.project_id}/saml/sso"
    assert len(conn.verification_certificates) == 1
    assert conn.attribute_mapping == {"email": "email", "full_name": "name", "groups": "groups"}
    active = sdk.organizations.get(organization_id=org.organization_id).organization
    assert [
        (c.connection_id, c.display_name, c.identity_provider)
        for c in active.sso_active_connections
    ] == [(conn.connection_id, "Mock IdP", "generic")]


def test_saml_update_adds_verification_certificates_up_to_five(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)
    start = len(conn.verification_certificates)

    for n in range(5 - start):
        updated = sdk.sso.saml.update_connection(
            **ids,
            idp_entity_id="https://idp.example.com/entity",
            idp_sso_url="https://idp.example.com/sso",
            attribute_mapping=NAME_MAPPING,
            x509_certificate=new_certificate(f"IdP {n}"),
        ).connection
        assert len(updated.verification_certificates) == start + n + 1
    assert updated.status == "active"
    assert updated.idp_sso_url == "https://idp.example.com/sso"
    newest = updated.verification_certificates[-1]
    assert newest.issuer == f"IdP {5 - start - 1}"
    before = connections(sdk, org.organization_id).saml_connections

    refused(
        sdk.sso.saml.update_connection,
        400,
        "too_many_sso_verification_certificates",
        **ids,
        x509_certificate=new_certificate("IdP 6"),
    )
    assert connections(sdk, org.organization_id).saml_connections == before


@pytest.mark.parametrize(
    ("fields", "error_type"),
    [
        ({"attribute_mapping": {"full_name": "name"}}, "saml_connection_email_mapping_required"),
        ({"attribute_mapping": {"email": "email"}}, "saml_connection_name_mapping_required"),
        (
            {"attribute_mapping": {"email": "email", "first_name": "first"}},
            "saml_connection_name_mapping_required",
        ),
        (
            {
                "attribute_mapping": NAME_MAPPING,
                "saml_group_implicit_role_assignments": [{"role_id": "stytch_admin", "group": "x"}],
            },
            "saml_connection_attribute_mapping_missing_groups_key",
        ),
        ({"x509_certificate": "-----BEGIN CERTIFICATE-----\nnope\n"}, "invalid_x509_certificate"),
        ({"identity_provider": "myspace"}, "invalid_sso_idp"),
    ],
)
def test_saml_update_validation_changes_nothing(
    sdk: SDK, new_org: Callable[..., Any], fields: dict[str, Any], error_type: str
) -> None:
    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    before = connections(sdk, org.organization_id).saml_connections

    refused(
        sdk.sso.saml.update_connection,
        400,
        error_type,
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        **fields,
    )

    assert connections(sdk, org.organization_id).saml_connections == before


@pytest.mark.mock_only(reason="needs an active connection (the built-in IdP's)")
def test_verification_certificates_delete_but_an_active_connection_keeps_one(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)
    [built_in] = conn.verification_certificates
    added = sdk.sso.saml.update_connection(**ids, x509_certificate=new_certificate()).connection
    assert len(added.verification_certificates) == 2

    deleted = sdk.sso.saml.delete_verification_certificate(
        **ids, certificate_id=built_in.certificate_id
    )

    assert deleted.certificate_id == built_in.certificate_id
    [left] = connections(sdk, org.organization_id).saml_connections[0].verification_certificates
    refused(
        sdk.sso.saml.delete_verification_certificate,
        400,
        "cannot_delete_last_sso_verification_key",
        **ids,
        certificate_id=left.certificate_id,
    )
    refused(
        sdk.sso.saml.delete_verification_certificate,
        404,
        "sso_verification_key_not_found",
        **ids,
        certificate_id=built_in.certificate_id,
    )


def test_encryption_private_keys_are_added_and_deleted(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    from mockserver.idp import certs

    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)
    key_pem = certs.private_pem(certs.new_rsa_key())

    updated = sdk.sso.saml.update_connection(**ids, saml_encryption_private_key=key_pem).connection
    [key] = updated.encryption_private_keys
    deleted = sdk.sso.saml.delete_encryption_private_key(**ids, private_key_id=key.private_key_id)

    assert deleted.private_key_id == key.private_key_id
    assert connections(sdk, org.organization_id).saml_connections[0].encryption_private_keys == []
    refused(
        sdk.sso.saml.delete_encryption_private_key,
        404,
        "sso_encryption_private_key_not_found",
        **ids,
        private_key_id=key.private_key_id,
    )


def test_signing_private_key_makes_a_new_signing_certificate(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    from mockserver.idp import certs

    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)
    key = certs.new_rsa_key()

    updated = sdk.sso.saml.update_connection(
        **ids, signing_private_key=certs.private_pem(key)
    ).connection

    newest = x509.load_pem_x509_certificate(updated.signing_certificates[0].certificate.encode())
    assert newest.public_key().public_numbers() == key.public_key().public_numbers()
    refused(
        sdk.sso.saml.update_connection,
        400,
        "saml_signing_private_key_invalid",
        **ids,
        signing_private_key="not a key",
    )


@pytest.mark.mock_only(reason="the mock reads only its built-in IdP's metadata (no network)")
def test_update_by_url_reads_the_built_in_idp_metadata(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)
    sdk.sso.saml.update_connection(**ids, idp_entity_id="https://other.example.com/entity")
    metadata_url = f"{mock.url.rstrip('/')}/_mock/idp/{mock.project_id}/saml/metadata"

    updated = sdk.sso.saml.update_by_url(**ids, metadata_url=metadata_url).connection

    assert updated.idp_entity_id == f"{mock.url.rstrip('/')}/_mock/idp/{mock.project_id}/saml"
    refused(
        sdk.sso.saml.update_by_url,
        400,
        "invalid_saml_metadata_url",
        **ids,
        metadata_url="https://idp.example.com/metadata",
    )


# --- OIDC connections ------------------------------------------------------------------------


@pytest.mark.mock_only(reason="the mock wires new connections to its built-in IdP")
def test_oidc_connection_is_wired_to_the_built_in_idp_and_active(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()

    conn = sdk.sso.oidc.create_connection(
        organization_id=org.organization_id,
        display_name="Entra",
        identity_provider="microsoft-entra",
    ).connection

    base = mock.url.rstrip("/")
    issuer = f"{base}/_mock/idp/{mock.project_id}"
    assert conn.connection_id.startswith("oidc-connection-test-")
    assert conn.status == "active"
    assert conn.redirect_url == f"{base}/v1/b2b/sso/callback/{conn.connection_id}"
    assert (conn.issuer, conn.authorization_url, conn.token_url) == (
        issuer,
        f"{issuer}/oidc/authorize",
        f"{issuer}/oidc/token",
    )
    assert (conn.userinfo_url, conn.jwks_url) == (f"{issuer}/oidc/userinfo", f"{issuer}/oidc/jwks")
    assert conn.client_id and conn.client_secret


@pytest.mark.mock_only(reason="the mock fetches no discovery document (a warning says so)")
def test_oidc_update_repoints_the_connection_with_a_warning_for_an_unknown_issuer(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    conn = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)

    updated = sdk.sso.oidc.update_connection(
        **ids, issuer="https://idp.example.com", client_id="abc", custom_scopes="groups"
    )

    assert updated.warning
    assert (updated.connection.issuer, updated.connection.client_id) == (
        "https://idp.example.com",
        "abc",
    )
    assert updated.connection.custom_scopes == "groups"
    blanked = sdk.sso.oidc.update_connection(**ids, client_secret="").connection
    assert blanked.status == "pending"
    refused(
        sdk.sso.oidc.update_connection,
        400,
        "oidc_connection_token_url_invalid_format",
        **ids,
        token_url="not a url",
    )


# --- external connections, list, delete ------------------------------------------------------


@pytest.mark.mock_only(reason="needs an active connection (the built-in IdP's)")
def test_external_connection_shares_another_organizations_connection(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    source, org = new_org(), new_org()
    saml = sdk.sso.saml.create_connection(organization_id=source.organization_id).connection
    kwargs = dict(
        organization_id=org.organization_id,
        external_organization_id=source.organization_id,
        external_connection_id=saml.connection_id,
    )

    conn = sdk.sso.external.create_connection(
        **kwargs,
        display_name="Parent's Okta",
        connection_implicit_role_assignments=[{"role_id": "stytch_admin"}],
    ).connection

    assert conn.connection_id.startswith("external-connection-test-")
    assert conn.status == "active"
    assert [r.role_id for r in conn.external_connection_implicit_role_assignments] == [
        "stytch_admin"
    ]
    refused(sdk.sso.external.create_connection, 400, "duplicate_external_sso_connection", **kwargs)
    updated = sdk.sso.external.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        display_name="Renamed",
        external_group_implicit_role_assignments=[{"role_id": "stytch_admin", "group": "ops"}],
    ).connection
    assert updated.display_name == "Renamed"
    assert [(r.role_id, r.group) for r in updated.external_group_implicit_role_assignments] == [
        ("stytch_admin", "ops")
    ]
    listed = connections(sdk, org.organization_id)
    assert [c.connection_id for c in listed.external_connections] == [conn.connection_id]


def test_delete_connection_and_unknown_ids(sdk: SDK, new_org: Callable[..., Any]) -> None:
    org, other = new_org(), new_org()
    saml = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    oidc = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection

    deleted = sdk.sso.delete_connection(
        organization_id=org.organization_id, connection_id=saml.connection_id
    )

    assert deleted.connection_id == saml.connection_id
    listed = connections(sdk, org.organization_id)
    assert (listed.saml_connections, [c.connection_id for c in listed.oidc_connections]) == (
        [],
        [oidc.connection_id],
    )
    refused(
        sdk.sso.delete_connection,
        404,
        "sso_connection_not_found",
        organization_id=org.organization_id,
        connection_id=saml.connection_id,
    )
    # Another organization's connection is not found through this one.
    refused(
        sdk.sso.oidc.update_connection,
        404,
        "oidc_connection_not_found",
        organization_id=other.organization_id,
        connection_id=oidc.connection_id,
        display_name="x",
    )
    refused(
        sdk.sso.saml.update_connection,
        404,
        "saml_connection_not_found",
        organization_id=org.organization_id,
        connection_id=oidc.connection_id,
        display_name="x",
    )
    refused(
        sdk.sso.get_connections,
        404,
        "organization_not_found",
        organization_id=MISSING_ORGANIZATION_ID,
    )


@pytest.mark.mock_only(reason="needs an active connection (the built-in IdP's)")
def test_the_default_connection_cannot_be_deleted(sdk: SDK, new_org: Callable[..., Any]) -> None:
    org = new_org()
    conn = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection
    sdk.organizations.update(
        organization_id=org.organization_id, sso_default_connection_id=conn.connection_id
    )

    refused(
        sdk.sso.delete_connection,
        400,
        "cannot_delete_default_sso_connection",
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
    )
    assert len(connections(sdk, org.organization_id).oidc_connections) == 1


# --- login ---------------------------------------------------------------------------------


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
@pytest.mark.parametrize("kind", ["oidc", "saml"])
def test_sso_login_provisions_a_member_with_an_sso_factor(
    sdk: SDK, new_org: Callable[..., Any], mock: Any, kind: str
) -> None:
    org = new_org()
    conn = getattr(sdk.sso, kind).create_connection(organization_id=org.organization_id).connection
    token = mock.sso_token(conn.connection_id, "ada@acme.example", name="Ada Lovelace")

    resp = sdk.sso.authenticate(sso_token=token, session_duration_minutes=30)

    assert resp.member_authenticated is True
    assert resp.organization_id == org.organization_id
    member = resp.member
    assert (member.email_address, member.name, member.status) == (
        "ada@acme.example",
        "Ada Lovelace",
        "active",
    )
    [registration] = member.sso_registrations
    assert registration.connection_id == conn.connection_id
    assert registration.registration_id and registration.external_id
    [factor] = resp.member_session.authentication_factors
    assert (factor.type, factor.delivery_method) == ("sso", f"sso_{kind}")
    sub = factor.saml_sso_factor if kind == "saml" else factor.oidc_sso_factor
    assert (sub.id, sub.provider_id, sub.external_id) == (
        registration.registration_id,
        conn.connection_id,
        registration.external_id,
    )
    assert_near(resp.member_session.expires_at, clock_now(mock) + timedelta(minutes=30))
    claims = pyjwt.decode(resp.session_jwt, options={"verify_signature": False})
    [claim] = claims[SESSION_CLAIM]["authentication_factors"]
    assert claim[f"{kind}_sso_factor"]["provider_id"] == conn.connection_id
    # The token was single use; a second login finds the same member.
    refused(sdk.sso.authenticate, 404, "sso_token_not_found", sso_token=token)
    again = sdk.sso.authenticate(sso_token=mock.sso_token(conn.connection_id, "ada@acme.example"))
    assert again.member_id == resp.member_id
    assert len(again.member.sso_registrations) == 1


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_saml_roles_and_custom_attributes_come_from_the_connection(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    sdk.sso.saml.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        attribute_mapping={**conn.attribute_mapping, "idp_user": "user_id"},
        saml_connection_implicit_role_assignments=[{"role_id": "stytch_member"}],
        saml_group_implicit_role_assignments=[
            {"role_id": "stytch_admin", "group": "admins"},
            {"role_id": "stytch_admin", "group": "nobody"},
        ],
    )
    token = mock.sso_token(
        conn.connection_id, "grace@acme.example", user_id="u-42", groups=["admins", "eng"]
    )

    resp = sdk.sso.authenticate(sso_token=token)
    member = resp.member

    assert member.trusted_metadata == {"idp_user": "u-42"}
    roles = {r.role_id: [(s.type, s.details) for s in r.sources] for r in member.roles}
    assert roles["stytch_admin"] == [
        (
            "sso_connection_group",
            {"connection_id": conn.connection_id, "group": "admins"},
        )
    ]
    assert ("sso_connection", {"connection_id": conn.connection_id}) in roles["stytch_member"]
    assert member.is_admin is True
    assert "stytch_admin" in resp.member_session.roles
    # A session without this connection's factor does not hold the connection's roles.
    other = log_in(sdk, mock, org.organization_id, "grace@acme.example")
    assert [r.role_id for r in other.member.roles if r.role_id == "stytch_admin"] == [
        "stytch_admin"
    ]
    assert other.member_session.roles == ["stytch_member"]
    claims = pyjwt.decode(other.session_jwt, options={"verify_signature": False})
    assert claims[SESSION_CLAIM]["roles"] == ["stytch_member"]
    refused(
        sdk.sessions.authenticate,
        403,
        "session_authorization_error",
        session_token=other.session_token,
        authorization_check={
            "organization_id": org.organization_id,
            "resource_id": "stytch.sso",
            "action": "create",
        },
    )
    allowed = sdk.sessions.authenticate(
        session_token=resp.session_token,
        authorization_check={
            "organization_id": org.organization_id,
            "resource_id": "stytch.sso",
            "action": "create",
        },
    )
    assert allowed.verdict.granting_roles == ["stytch_admin"]


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_jit_provisioning_follows_the_organization_setting(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org(sso_jit_provisioning="NOT_ALLOWED", email_invites="ALL_ALLOWED")
    conn = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection
    refused(
        sdk.sso.authenticate,
        400,
        "invalid_connection_for_jit_provisioning",
        sso_token=mock.sso_token(conn.connection_id, "new@acme.example"),
    )
    # An existing member logs in whatever the setting; an invited one becomes active.
    sdk.magic_links.email.invite(
        organization_id=org.organization_id, email_address="inv@acme.example"
    )
    invited = sdk.sso.authenticate(sso_token=mock.sso_token(conn.connection_id, "inv@acme.example"))
    assert invited.member.status == "active"
    sdk.organizations.update(
        organization_id=org.organization_id,
        sso_jit_provisioning="RESTRICTED",
        sso_jit_provisioning_allowed_connections=[conn.connection_id],
    )
    created = sdk.sso.authenticate(sso_token=mock.sso_token(conn.connection_id, "new@acme.example"))
    assert created.member.email_address == "new@acme.example"


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_sso_login_to_an_mfa_organization_returns_an_intermediate_session(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org(mfa_policy="REQUIRED_FOR_ALL")
    conn = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection

    resp = sdk.sso.authenticate(sso_token=mock.sso_token(conn.connection_id, "mfa@acme.example"))

    assert resp.member_authenticated is False
    assert (resp.session_token, resp.session_jwt, resp.member_session) == ("", "", None)
    assert resp.intermediate_session_token
    assert resp.mfa_required is not None


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_sso_token_pkce_and_expiry(sdk: SDK, new_org: Callable[..., Any], mock: Any) -> None:
    org = new_org()
    conn = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection
    verifier, challenge = pkce_pair()
    token = mock.sso_token(conn.connection_id, "pk@acme.example", pkce_code_challenge=challenge)

    refused(sdk.sso.authenticate, 400, "pkce_expected_code_verifier", sso_token=token)
    refused(
        sdk.sso.authenticate, 400, "pkce_mismatch", sso_token=token, pkce_code_verifier="x" * 43
    )
    ok = sdk.sso.authenticate(sso_token=token, pkce_code_verifier=verifier)
    assert ok.member.email_address == "pk@acme.example"

    late = mock.sso_token(conn.connection_id, "pk@acme.example")
    mock.advance_clock(minutes=11)
    refused(sdk.sso.authenticate, 404, "sso_token_not_found", sso_token=late)


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_a_new_email_from_the_idp_retires_the_old_one(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()
    conn = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection
    first = sdk.sso.authenticate(
        sso_token=mock.sso_token(conn.connection_id, "old@acme.example", user_id="idp-7")
    )

    again = sdk.sso.authenticate(
        sso_token=mock.sso_token(conn.connection_id, "new@acme.example", user_id="idp-7")
    )

    assert again.member_id == first.member_id
    assert again.member.email_address == "new@acme.example"
    assert [r.email_address for r in again.member.retired_email_addresses] == ["old@acme.example"]
    assert again.member.sso_registrations[0].external_id == "idp-7"


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_login_through_an_external_connection_lands_in_its_organization(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    parent, child = new_org(), new_org()
    saml = sdk.sso.saml.create_connection(organization_id=parent.organization_id).connection
    external = sdk.sso.external.create_connection(
        organization_id=child.organization_id,
        external_organization_id=parent.organization_id,
        external_connection_id=saml.connection_id,
        group_implicit_role_assignments=[{"role_id": "stytch_admin", "group": "ops"}],
    ).connection

    resp = sdk.sso.authenticate(
        sso_token=mock.sso_token(external.connection_id, "kid@acme.example", groups=["ops"])
    )

    assert resp.organization_id == child.organization_id
    assert resp.member.sso_registrations[0].connection_id == external.connection_id
    [factor] = resp.member_session.authentication_factors
    assert (factor.delivery_method, factor.saml_sso_factor.provider_id) == (
        "sso_saml",
        external.connection_id,
    )
    assert resp.member.is_admin is True
    # The parent organization got no member.
    refused(
        sdk.organizations.members.get,
        404,
        "member_not_found",
        organization_id=parent.organization_id,
        email_address="kid@acme.example",
    )


@pytest.mark.mock_only(reason="logs in through the mock's built-in IdP")
def test_sso_with_a_session_of_the_same_member_adds_the_factor_to_it(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()
    saml = sdk.sso.saml.create_connection(organization_id=org.organization_id).connection
    oidc = sdk.sso.oidc.create_connection(organization_id=org.organization_id).connection
    first = sdk.sso.authenticate(sso_token=mock.sso_token(saml.connection_id, "s@acme.example"))

    again = sdk.sso.authenticate(
        sso_token=mock.sso_token(oidc.connection_id, "s@acme.example"),
        session_token=first.session_token,
        session_duration_minutes=120,
    )

    assert again.member_session.member_session_id == first.member_session.member_session_id
    assert again.session_token == first.session_token
    assert [f.delivery_method for f in again.member_session.authentication_factors] == [
        "sso_saml",
        "sso_oidc",
    ]
    assert_near(again.member_session.expires_at, clock_now(mock) + timedelta(minutes=120))
    assert {r.connection_id for r in again.member.sso_registrations} == {
        saml.connection_id,
        oidc.connection_id,
    }


# --- RBAC with member-session headers ------------------------------------------------------


def as_member(session_token: str) -> Any:
    from stytch.b2b.models.sso_saml import CreateConnectionRequestOptions
    from stytch.shared.method_options import Authorization

    return CreateConnectionRequestOptions(authorization=Authorization(session_token=session_token))


@pytest.mark.mock_only(reason="members log in through the mock's outbox")
def test_member_session_headers_need_stytch_sso_permissions(
    sdk: SDK, login: Any, new_org: Callable[..., Any], mock: Any
) -> None:
    from stytch.b2b.models.sso import GetConnectionsRequestOptions
    from stytch.shared.method_options import Authorization

    admin = login.first()  # the creator of an organization made through discovery: stytch_admin
    org_id = admin.organization.organization_id
    conn = sdk.sso.saml.create_connection(
        organization_id=org_id, method_options=as_member(admin.session_token)
    ).connection
    assert conn.organization_id == org_id
    sdk.organizations.members.create(organization_id=org_id, email_address="plain@acme.example")
    plain = log_in(sdk, mock, org_id, "plain@acme.example")

    refused(
        sdk.sso.saml.create_connection,
        403,
        "session_authorization_error",
        organization_id=org_id,
        method_options=as_member(plain.session_token),
    )
    refused(
        sdk.sso.get_connections,
        403,
        "session_authorization_error",
        organization_id=org_id,
        method_options=GetConnectionsRequestOptions(
            authorization=Authorization(session_jwt=plain.session_jwt)
        ),
    )
    other = new_org()
    refused(
        sdk.sso.saml.create_connection,
        403,
        "session_authorization_tenancy_error",
        organization_id=other.organization_id,
        method_options=as_member(admin.session_token),
    )
    refused(
        sdk.sso.saml.create_connection,
        404,
        "session_not_found",
        organization_id=org_id,
        method_options=as_member("not-a-session-token-" + "x" * 24),
    )
    assert len(connections(sdk, org_id).saml_connections) == 1
