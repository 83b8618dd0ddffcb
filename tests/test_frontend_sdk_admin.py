"""The frontend SDK's SSO and SCIM connection management (``/sdk/v1/b2b/sso...``,
``/sdk/v1/b2b/scim...``: what Stytch's admin portal calls) over raw HTTP, as the browser SDK
sends it: the organization is the session's, RBAC on ``stytch.sso`` / ``stytch.scim``, answers
in ``{"data": ...}``, refusals change nothing."""

from __future__ import annotations

import json
from typing import Any

from mockserver.idp import certs
from mockserver.pytest_plugin import StytchMock, send_http
from tests.support import assert_stytch_error, org_with_member, state_of
from tests.test_frontend_sdk_api import browser_login, ok, sdk

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def admin_and_member(mock: StytchMock) -> tuple[dict[str, Any], str]:
    """An organization's creator (``stytch_admin``) and the session token of a plain member
    it invited."""
    admin = browser_login(mock, "ada@acme-labs.com")
    ok(
        sdk(
            mock,
            "POST",
            "b2b/magic_links/email/invite",
            {"email_address": "bob@acme-labs.com"},
            session=admin["session_token"],
        )
    )
    link = mock.outbox.latest_token("bob@acme-labs.com")
    bob = ok(sdk(mock, "POST", "b2b/magic_links/authenticate", {"magic_links_token": link}))
    return admin, bob["session_token"]


def test_admin_manages_saml_oidc_and_external_connections(stytch_mock: StytchMock) -> None:
    admin = browser_login(stytch_mock, "ada@acme-labs.com")
    org_id = admin["organization"]["organization_id"]
    s = admin["session_token"]

    saml = ok(sdk(stytch_mock, "POST", "b2b/sso/saml", {"display_name": "Okta"}, session=s))[
        "connection"
    ]
    assert saml["organization_id"] == org_id and saml["status"] == "active"
    saml_id = saml["connection_id"]
    cert = certs.pem(
        certs.self_signed(certs.shared_key(), "rotated", issuer="Rotated", now=stytch_mock.now())
    )
    key = certs.private_pem(certs.shared_key())
    updated = ok(
        sdk(
            stytch_mock,
            "PUT",
            f"b2b/sso/saml/{saml_id}",
            # The SDK repeats the connection id in the body; the path's is the one used.
            {
                "connection_id": saml_id,
                "display_name": "Okta SAML",
                "x509_certificate": cert,
                "saml_encryption_private_key": key,
            },
            session=s,
        )
    )["connection"]
    assert updated["display_name"] == "Okta SAML"
    old, new = updated["verification_certificates"]
    assert new["issuer"] == "Rotated"
    # The SDK's SAMLConnection: its keys as saml_encryption_private_keys, no backend-only field.
    (enc,) = updated["saml_encryption_private_keys"]
    assert not {"encryption_private_keys", "nameid_format", "allow_gateway_callback"} & set(updated)
    gone = ok(
        sdk(
            stytch_mock,
            "DELETE",
            f"b2b/sso/saml/{saml_id}/verification_certificates/{old['certificate_id']}",
            session=s,
        )
    )
    assert gone["certificate_id"] == old["certificate_id"]
    gone = ok(
        sdk(
            stytch_mock,
            "DELETE",
            f"b2b/sso/saml/{saml_id}/encryption_private_key/{enc['private_key_id']}",
            session=s,
        )
    )
    assert gone["private_key_id"] == enc["private_key_id"]

    oidc = ok(sdk(stytch_mock, "POST", "b2b/sso/oidc", {"identity_provider": "okta"}, session=s))[
        "connection"
    ]
    oidc_id = oidc["connection_id"]
    renamed = ok(
        sdk(
            stytch_mock,
            "PUT",
            f"b2b/sso/oidc/{oidc_id}",
            {"connection_id": oidc_id, "display_name": "Okta OIDC"},
            session=s,
        )
    )
    assert renamed["connection"]["display_name"] == "Okta OIDC"

    # An external connection borrows another organization's active connection.
    other = stytch_mock.client.organizations.create(organization_name="Parent").organization
    source = stytch_mock.client.sso.saml.create_connection(
        organization_id=other.organization_id
    ).connection
    external = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/sso/external",
            {
                "display_name": "Parent's SSO",
                "external_organization_id": other.organization_id,
                "external_connection_id": source.connection_id,
            },
            session=s,
        )
    )["connection"]
    ext_id = external["connection_id"]
    ok(
        sdk(
            stytch_mock,
            "PUT",
            f"b2b/sso/external/{ext_id}",
            {"connection_id": ext_id, "display_name": "Parent"},
            session=s,
        )
    )

    listed = ok(sdk(stytch_mock, "GET", "b2b/sso", session=s))
    assert [c["display_name"] for c in listed["saml_connections"]] == ["Okta SAML"]
    assert [c["display_name"] for c in listed["oidc_connections"]] == ["Okta OIDC"]
    assert [c["display_name"] for c in listed["external_connections"]] == ["Parent"]

    for conn_id in (saml_id, oidc_id, ext_id):
        deleted = ok(sdk(stytch_mock, "DELETE", f"b2b/sso/{conn_id}", session=s))
        assert deleted["connection_id"] == conn_id
    empty = ok(sdk(stytch_mock, "GET", "b2b/sso", session=s))
    assert empty["saml_connections"] == empty["oidc_connections"] == []
    assert empty["external_connections"] == []


def test_admin_manages_the_scim_connection(stytch_mock: StytchMock) -> None:
    admin = browser_login(stytch_mock, "ada@acme-labs.com")
    s = admin["session_token"]

    created = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/scim",
            {"display_name": "Okta", "identity_provider": "okta"},
            session=s,
        )
    )["connection"]
    token, conn_id = created["bearer_token"], created["connection_id"]
    assert created["organization_id"] == admin["organization"]["organization_id"]
    # The token is shown once: get answers its last four only.
    got = ok(sdk(stytch_mock, "GET", "b2b/scim", session=s))["connection"]
    assert "bearer_token" not in got and got["bearer_token_last_four"] == token[-4:]
    again = sdk(stytch_mock, "POST", "b2b/scim", {}, session=s)
    assert again.status == 400, again.json

    # An IdP pushes a group with the token; the admin portal lists the groups.
    pushed = send_http(
        created["base_url"].split("?", 1)[0] + "/Groups",
        "POST",
        body=json.dumps({"schemas": [GROUP_SCHEMA], "displayName": "Engineering"}).encode(),
        headers={"Content-Type": "application/scim+json", "Authorization": f"Bearer {token}"},
    )
    assert pushed.status == 201, pushed.json
    groups = ok(sdk(stytch_mock, "POST", "b2b/scim/groups", {"limit": 10}, session=s))
    assert [g["group_name"] for g in groups["scim_groups"]] == ["Engineering"]
    group_id = groups["scim_groups"][0]["group_id"]

    updated = ok(
        sdk(
            stytch_mock,
            "PUT",
            f"b2b/scim/{conn_id}",
            {
                "connection_id": conn_id,
                "display_name": "Okta SCIM",
                "scim_group_implicit_role_assignments": [
                    {"group_id": group_id, "role_id": "stytch_admin"}
                ],
            },
            session=s,
        )
    )["connection"]
    assert updated["display_name"] == "Okta SCIM"
    assert updated["scim_group_implicit_role_assignments"] == [
        {"role_id": "stytch_admin", "group_id": group_id}
    ]  # the SDK's type: no group_name

    # Rotation: start shows the next token once; cancel drops it; complete swaps it in.
    rotate = {"connection_id": conn_id}
    started = ok(sdk(stytch_mock, "POST", "b2b/scim/rotate/start", rotate, session=s))
    first_next = started["connection"]["next_bearer_token"]
    cancelled = ok(sdk(stytch_mock, "POST", "b2b/scim/rotate/cancel", rotate, session=s))
    assert cancelled["connection"]["bearer_token_last_four"] == token[-4:]
    assert not cancelled["connection"].get("next_bearer_token_last_four")
    not_rotating = sdk(stytch_mock, "POST", "b2b/scim/rotate/complete", rotate, session=s)
    assert_stytch_error(not_rotating, 400, "scim_connection_not_rotating_token")
    second_next = ok(sdk(stytch_mock, "POST", "b2b/scim/rotate/start", rotate, session=s))[
        "connection"
    ]["next_bearer_token"]
    assert second_next != first_next
    completed = ok(sdk(stytch_mock, "POST", "b2b/scim/rotate/complete", rotate, session=s))
    assert completed["connection"]["bearer_token_last_four"] == second_next[-4:]

    deleted = ok(sdk(stytch_mock, "DELETE", f"b2b/scim/{conn_id}", session=s))
    assert deleted["connection_id"] == conn_id
    assert "connection" not in ok(sdk(stytch_mock, "GET", "b2b/scim", session=s))
    no_groups = sdk(stytch_mock, "POST", "b2b/scim/groups", {}, session=s)
    assert_stytch_error(no_groups, 404, "scim_connection_not_found")


def _admin_calls(saml_id: str, scim_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", "b2b/sso", None),
        ("POST", "b2b/sso/saml", {}),
        ("PUT", f"b2b/sso/saml/{saml_id}", {"display_name": "x"}),
        ("PUT", f"b2b/sso/saml/{saml_id}/url", {"metadata_url": "http://127.0.0.1:1/m"}),
        ("DELETE", f"b2b/sso/saml/{saml_id}/verification_certificates/c", None),
        ("DELETE", f"b2b/sso/saml/{saml_id}/encryption_private_key/k", None),
        ("POST", "b2b/sso/oidc", {}),
        ("PUT", f"b2b/sso/oidc/{saml_id}", {"display_name": "x"}),
        (
            "POST",
            "b2b/sso/external",
            {"external_organization_id": "o", "external_connection_id": "c"},
        ),
        ("PUT", f"b2b/sso/external/{saml_id}", {"display_name": "x"}),
        ("DELETE", f"b2b/sso/{saml_id}", None),
        ("POST", "b2b/scim", {}),
        ("GET", "b2b/scim", None),
        ("PUT", f"b2b/scim/{scim_id}", {"display_name": "x"}),
        ("DELETE", f"b2b/scim/{scim_id}", None),
        ("POST", "b2b/scim/groups", {}),
        ("POST", "b2b/scim/rotate/start", {"connection_id": scim_id}),
        ("POST", "b2b/scim/rotate/complete", {"connection_id": scim_id}),
        ("POST", "b2b/scim/rotate/cancel", {"connection_id": scim_id}),
    ]


def test_a_plain_member_or_no_session_is_refused_and_nothing_changes(
    stytch_mock: StytchMock,
) -> None:
    admin, bob = admin_and_member(stytch_mock)
    s = admin["session_token"]
    saml_id = ok(sdk(stytch_mock, "POST", "b2b/sso/saml", {}, session=s))["connection"][
        "connection_id"
    ]
    scim_id = ok(sdk(stytch_mock, "POST", "b2b/scim", {}, session=s))["connection"]["connection_id"]
    before = state_of(stytch_mock)
    for method, path, body in _admin_calls(saml_id, scim_id):
        resp = sdk(stytch_mock, method, path, body, session=bob)
        assert_stytch_error(resp, 403, "session_authorization_error")
        # Logged out: the SDK's error for a call that needs a session.
        resp = sdk(stytch_mock, method, path, body)
        assert_stytch_error(resp, 404, "session_not_found")
    assert state_of(stytch_mock) == before


def test_another_organizations_connections_are_not_found(stytch_mock: StytchMock) -> None:
    admin = browser_login(stytch_mock, "ada@acme-labs.com")
    s = admin["session_token"]
    other, _ = org_with_member(stytch_mock, "bea@beta.com", name="Beta")
    org_id = other.organization_id
    saml = stytch_mock.client.sso.saml.create_connection(organization_id=org_id).connection
    oidc = stytch_mock.client.sso.oidc.create_connection(organization_id=org_id).connection
    scim = stytch_mock.client.scim.connection.create(organization_id=org_id).connection
    cert_id = saml.verification_certificates[0].certificate_id
    before = state_of(stytch_mock)
    for method, path, body, error_type in (
        ("PUT", f"b2b/sso/saml/{saml.connection_id}", {"display_name": "x"}, "saml"),
        (
            "DELETE",
            f"b2b/sso/saml/{saml.connection_id}/verification_certificates/{cert_id}",
            None,
            "saml",
        ),
        ("PUT", f"b2b/sso/oidc/{oidc.connection_id}", {"display_name": "x"}, "oidc"),
        ("DELETE", f"b2b/sso/{saml.connection_id}", None, "sso"),
        ("PUT", f"b2b/scim/{scim.connection_id}", {"display_name": "x"}, "scim"),
        ("DELETE", f"b2b/scim/{scim.connection_id}", None, "scim"),
        ("POST", "b2b/scim/rotate/start", {"connection_id": scim.connection_id}, "scim"),
    ):
        resp = sdk(stytch_mock, method, path, body, session=s)
        assert_stytch_error(resp, 404, f"{error_type}_connection_not_found")
    assert ok(sdk(stytch_mock, "GET", "b2b/sso", session=s))["saml_connections"] == []
    assert "connection" not in ok(sdk(stytch_mock, "GET", "b2b/scim", session=s))
    assert state_of(stytch_mock) == before


def test_bad_input_is_a_400_and_changes_nothing(stytch_mock: StytchMock) -> None:
    admin = browser_login(stytch_mock, "ada@acme-labs.com")
    s = admin["session_token"]
    saml_id = ok(sdk(stytch_mock, "POST", "b2b/sso/saml", {}, session=s))["connection"][
        "connection_id"
    ]
    before = state_of(stytch_mock)
    for method, path, body in (
        ("POST", "b2b/sso/saml", {"identity_provider": "nope"}),
        ("POST", "b2b/sso/saml", {"display_name": 7}),
        ("PUT", f"b2b/sso/saml/{saml_id}", {"x509_certificate": "not a pem"}),
        ("PUT", f"b2b/sso/saml/{saml_id}/url", {}),
        ("POST", "b2b/sso/external", {"display_name": "x"}),
        ("POST", "b2b/scim", {"identity_provider": "nope"}),
        ("POST", "b2b/scim/groups", {"limit": "ten"}),
        ("POST", "b2b/scim/rotate/start", {}),
    ):
        resp = sdk(stytch_mock, method, path, body, session=s)
        assert_stytch_error(resp, 400)
    for query in ("", "?email_address=not-an-email"):
        resp = sdk(stytch_mock, "GET", "b2b/sso/discovery/connections" + query)
        assert_stytch_error(resp, 400)
    assert state_of(stytch_mock) == before


def test_discover_connections_before_login(stytch_mock: StytchMock) -> None:
    """A login page's call, without a session: the connections of the organizations the email
    belongs to, else those it could be JIT provisioned through by its domain."""
    member_of, _ = org_with_member(stytch_mock, "ada@acme.com", name="Acme")
    mine = stytch_mock.client.sso.saml.create_connection(
        organization_id=member_of.organization_id, display_name="Acme Okta"
    ).connection
    by_domain = stytch_mock.client.organizations.create(
        organization_name="Domain", email_allowed_domains=["beta.com"]
    ).organization
    jit = stytch_mock.client.sso.oidc.create_connection(
        organization_id=by_domain.organization_id, display_name="Beta OIDC"
    ).connection

    def discover(email: str) -> list[dict[str, Any]]:
        path = f"b2b/sso/discovery/connections?email_address={email}"
        return ok(sdk(stytch_mock, "GET", path))["connections"]

    assert discover("ada@acme.com") == [
        {
            "connection_id": mine.connection_id,
            "display_name": "Acme Okta",
            "identity_provider": "generic",
        }
    ]
    assert [c["connection_id"] for c in discover("new@beta.com")] == [jit.connection_id]
    assert discover("nobody@gamma.com") == []
    stytch_mock.client.organizations.update(
        organization_id=by_domain.organization_id, sso_jit_provisioning="NOT_ALLOWED"
    )
    assert discover("new@beta.com") == []


def test_scim_group_roles_also_need_the_organizations_implicit_roles_action(
    stytch_mock: StytchMock,
) -> None:
    """A role with every stytch.scim action manages the connection, but changing its group role
    assignments also needs ``update.settings.implicit-roles`` on ``stytch.organization`` (the
    SDK's docstring of ``scim.updateConnection``)."""
    admin, bob = admin_and_member(stytch_mock)
    org_id = admin["organization"]["organization_id"]
    manager = {
        "role_id": "scim_manager",
        "description": "Runs SCIM",
        "permissions": [
            {"resource_id": "stytch.scim", "actions": ["create", "get", "update", "delete"]}
        ],
    }
    stytch_mock.client.rbac.organizations.set_org_policy(
        organization_id=org_id, org_policy={"roles": [manager]}
    )
    bob_id = (
        stytch_mock.client.organizations.members.search(
            organization_ids=[org_id],
            query={
                "operator": "AND",
                "operands": [
                    {"filter_name": "member_emails", "filter_value": ["bob@acme-labs.com"]}
                ],
            },
        )
        .members[0]
        .member_id
    )
    stytch_mock.client.organizations.members.update(
        organization_id=org_id, member_id=bob_id, roles=["scim_manager"]
    )
    conn_id = ok(sdk(stytch_mock, "POST", "b2b/scim", {}, session=bob))["connection"][
        "connection_id"
    ]
    ok(sdk(stytch_mock, "PUT", f"b2b/scim/{conn_id}", {"display_name": "Bob's"}, session=bob))
    before = state_of(stytch_mock)
    assignments = {"scim_group_implicit_role_assignments": []}
    resp = sdk(stytch_mock, "PUT", f"b2b/scim/{conn_id}", assignments, session=bob)
    assert_stytch_error(resp, 403, "session_authorization_error")
    assert_stytch_error(
        sdk(stytch_mock, "GET", "b2b/sso", session=bob), 403, "session_authorization_error"
    )
    assert state_of(stytch_mock) == before
    ok(sdk(stytch_mock, "PUT", f"b2b/scim/{conn_id}", assignments, session=admin["session_token"]))
