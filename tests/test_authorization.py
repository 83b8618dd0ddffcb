"""Member-session authorization and the project RBAC policy: what the SDK scenarios in
contracts/test_rbac.py cannot express (Ruby's query-parameter form, sessions of another project,
the config file, seeds and saved states, session roles from SSO sources)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.domain.entities import Member, MemberSession
from mockserver.domain.rbac import session_role_ids
from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from mockserver.settings import ConfigError, load_config_file
from tests.conftest import TwoProjects
from tests.support import assert_stytch_error, handle, log_in, org_with_member, state_of

POLICY = {
    "resources": [{"resource_id": "documents", "description": "Docs", "actions": ["read", "edit"]}],
    "roles": [
        {
            "role_id": "editor",
            "description": "Edits documents",
            "permissions": [{"resource_id": "documents", "actions": ["*"]}],
        }
    ],
}
PROJECT_ID = "project-test-44444444-dddd-4ddd-8ddd-000000000004"


def admin_and_member(mock: StytchMock) -> tuple[str, Any, Any]:
    """An organization with an admin and a plain member, both logged in."""
    org, _ = org_with_member(mock, "admin@acme.com")
    mock.client.organizations.members.update(
        organization_id=org.organization_id,
        member_id=mock.client.organizations.members.get(
            organization_id=org.organization_id, email_address="admin@acme.com"
        ).member.member_id,
        roles=["stytch_admin"],
    )
    mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address="plain@acme.com"
    )
    admin = log_in(mock, org.organization_id, "admin@acme.com")
    plain = log_in(mock, org.organization_id, "plain@acme.com")
    return org.organization_id, admin, plain


# --- Ruby's query-parameter form -------------------------------------------------------------


def test_delete_takes_the_session_as_a_query_parameter(stytch_mock: StytchMock) -> None:
    """Stytch's Ruby SDK sends every header of a GET or DELETE as a query parameter."""
    org_id, admin, plain = admin_and_member(stytch_mock)
    before = state_of(stytch_mock)
    refused = stytch_mock.request(
        "DELETE", f"v1/b2b/organizations/{org_id}?X-Stytch-Member-Session={plain.session_token}"
    )
    assert_stytch_error(refused, 403, "session_authorization_error")
    refused = stytch_mock.request(
        "DELETE", f"v1/b2b/organizations/{org_id}?X-Stytch-Member-SessionJWT={plain.session_jwt}"
    )
    assert_stytch_error(refused, 403, "session_authorization_error")
    assert state_of(stytch_mock) == before
    deleted = stytch_mock.request(
        "DELETE", f"v1/b2b/organizations/{org_id}?X-Stytch-Member-Session={admin.session_token}"
    )
    assert deleted.status == 200, deleted.json
    assert deleted.json["organization_id"] == org_id


def test_the_query_form_is_read_on_get_and_delete_only(stytch_mock: StytchMock) -> None:
    org_id, _, plain = admin_and_member(stytch_mock)
    renamed = stytch_mock.request(
        "PUT",
        f"v1/b2b/organizations/{org_id}?X-Stytch-Member-Session={plain.session_token}",
        {"organization_name": "Renamed by secret"},
    )
    assert renamed.status == 200, renamed.json
    assert renamed.json["organization"]["organization_name"] == "Renamed by secret"
    by_header = stytch_mock.request(
        "PUT",
        f"v1/b2b/organizations/{org_id}",
        {"organization_name": "Nope"},
        headers={"X-Stytch-Member-Session": plain.session_token},
    )
    assert_stytch_error(by_header, 403, "session_authorization_error")


# --- sessions of another project -------------------------------------------------------------


def test_a_session_of_another_project_is_not_a_member_session_here(
    two_projects: TwoProjects,
) -> None:
    a, b = two_projects.a, two_projects.b
    _, a_admin, _ = admin_and_member(a)
    b_org, _ = org_with_member(b, "bob@b.com")
    before = state_of(b)
    path = f"v1/b2b/organizations/{b_org.organization_id}"
    body = {"organization_name": "Taken over"}
    by_token = b.request(
        "PUT", path, body, headers={"X-Stytch-Member-Session": a_admin.session_token}
    )
    assert_stytch_error(by_token, 404, "session_not_found")
    by_jwt = b.request(
        "PUT", path, body, headers={"X-Stytch-Member-SessionJWT": a_admin.session_jwt}
    )
    assert_stytch_error(by_jwt, 400, "unable_to_parse_session_jwt")
    assert state_of(b) == before


# --- the policy: config file, seed, saved state ----------------------------------------------


def test_the_config_file_policy_is_served_and_survives_a_reset(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text(
        yaml.safe_dump(
            {"projects": [{"project_id": PROJECT_ID, "secret": "s3cret", "rbac_policy": POLICY}]}
        ),
        encoding="utf-8",
    )
    projects, _ = load_config_file(path)
    assert projects[0].rbac_policy == {**POLICY, "scopes": []}
    with MockServer(projects) as server:
        mock = handle(server, projects[0])
        served = mock.client.rbac.policy().policy
        assert {r.resource_id for r in served.resources} >= {"documents", "stytch.member"}
        assert [r.role_id for r in served.roles] == ["stytch_member", "stytch_admin", "editor"]
        mock.seed({"rbac_policy": {"roles": []}})
        assert [r.role_id for r in mock.client.rbac.policy().policy.roles] == [
            "stytch_member",
            "stytch_admin",
        ]
        mock.reset()
        assert [r.role_id for r in mock.client.rbac.policy().policy.roles] == [
            "stytch_member",
            "stytch_admin",
            "editor",
        ]


BAD_POLICIES = [
    pytest.param(
        {"resources": [{"resource_id": "stytch.things", "actions": ["a"]}]},
        "invalid_stytch_prefixed_resource",
        id="stytch prefix",
    ),
    pytest.param(
        {"roles": [{"role_id": "r", "permissions": [{"resource_id": "nope", "actions": ["a"]}]}]},
        "invalid_permission_resource",
        id="unknown resource",
    ),
    pytest.param(
        {
            **POLICY,
            "roles": [
                {"role_id": "r", "permissions": [{"resource_id": "documents", "actions": ["fly"]}]}
            ],
        },
        "invalid_permission_action",
        id="unknown action",
    ),
    pytest.param(
        {**POLICY, "roles": [POLICY["roles"][0], POLICY["roles"][0]]},
        "rbac_role_duplicate",
        id="duplicate role",
    ),
    pytest.param(
        {
            **POLICY,
            "roles": [
                {
                    "role_id": "r",
                    "permissions": [{"resource_id": "documents", "actions": ["*", "read"]}],
                }
            ],
        },
        "invalid_wildcard_action",
        id="wildcard with others",
    ),
    pytest.param({"rolez": []}, "rolez", id="unknown key"),
]


@pytest.mark.parametrize(("policy", "message"), BAD_POLICIES)
def test_a_bad_config_file_policy_is_a_config_error(
    tmp_path: Path, policy: dict[str, Any], message: str
) -> None:
    path = tmp_path / "mock.json"
    path.write_text(
        json.dumps(
            {"projects": [{"project_id": PROJECT_ID, "secret": "s", "rbac_policy": policy}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=message):
        load_config_file(path)


@pytest.mark.parametrize(("policy", "error_type"), BAD_POLICIES[:-1])
def test_a_bad_seed_policy_is_refused_and_changes_nothing(
    stytch_mock: StytchMock, policy: dict[str, Any], error_type: str
) -> None:
    stytch_mock.seed({"rbac_policy": POLICY})
    before = stytch_mock.control("GET", "v1/b2b/rbac/policy")["policy"]
    resp = stytch_mock.request("POST", "_mock/seed", {"rbac_policy": policy})
    assert_stytch_error(resp, 400, error_type)
    assert stytch_mock.control("GET", "v1/b2b/rbac/policy")["policy"] == before


def test_a_refused_seed_puts_the_policy_back(stytch_mock: StytchMock) -> None:
    resp = stytch_mock.request(
        "POST",
        "_mock/seed",
        {
            "rbac_policy": POLICY,
            "organizations": [{"organization_name": "Bad", "organization_slug": "bad slug!"}],
        },
    )
    assert resp.status == 400
    roles = stytch_mock.control("GET", "v1/b2b/rbac/policy")["policy"]["roles"]
    assert [r["role_id"] for r in roles] == ["stytch_member", "stytch_admin"]


def test_a_saved_state_keeps_the_policy_and_org_roles(stytch_mock: StytchMock) -> None:
    stytch_mock.seed({"rbac_policy": POLICY})
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    reviewer = {
        "role_id": "reviewer",
        "description": "Reads",
        "permissions": [{"resource_id": "documents", "actions": ["read"]}],
    }
    stytch_mock.client.rbac.organizations.set_org_policy(
        organization_id=org.organization_id, org_policy={"roles": [reviewer]}
    )
    saved = state_of(stytch_mock)
    assert [p["roles"][0]["role_id"] for p in saved["rbac_policy"]] == ["editor"]
    stytch_mock.reset()
    assert "editor" not in json.dumps(stytch_mock.control("GET", "v1/b2b/rbac/policy"))
    stytch_mock.control("PUT", "_mock/state", {"state": saved})
    restored = stytch_mock.control("GET", "v1/b2b/rbac/policy")["policy"]["roles"]
    assert [r["role_id"] for r in restored] == ["stytch_member", "stytch_admin", "editor"]
    kept = stytch_mock.client.rbac.organizations.get_org_policy(organization_id=org.organization_id)
    assert [r.role_id for r in kept.org_policy.roles] == ["reviewer"]
    broken = {**saved, "rbac_policy": [{"roles": [{"role_id": "x", "permissions": []}]}]}
    resp = stytch_mock.request("PUT", "_mock/state", {"state": broken})
    assert_stytch_error(resp, 400, "bad_request")
    assert "rbac_policy" in resp.json["error_message"]


# --- session roles ---------------------------------------------------------------------------


def test_sso_roles_count_only_for_connections_among_the_session_factors() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    member = Member("org", "member-1", "a@acme.com", "active", now, now, "email-1")
    member.explicit_roles = ["writer"]
    member.implicit_roles = [
        {"role_id": "from-domain", "source": {"type": "email_assignment", "details": {}}},
        {
            "role_id": "from-sso",
            "source": {"type": "sso_connection", "details": {"connection_id": "saml-1"}},
        },
    ]
    session = MemberSession("s", "member-1", "org", "t", now, now, now, [])
    assert session_role_ids(member, session) == ["stytch_member", "writer", "from-domain"]

    class SSOFactor:
        saml_sso_factor = {"id": "r-1", "provider_id": "saml-1", "external_id": "u-1"}

    session.authentication_factors = [SSOFactor()]  # type: ignore[list-item]
    assert session_role_ids(member, session) == [
        "stytch_member",
        "writer",
        "from-domain",
        "from-sso",
    ]
    # The member's own record lists every role with its sources, held or not.
    assert [r["role_id"] for r in member.roles] == [
        "stytch_member",
        "writer",
        "from-domain",
        "from-sso",
    ]


def test_member_and_organization_rules_for_calls_the_mock_serves_later(
    stytch_mock: StytchMock, stytch_mock_server: MockServer
) -> None:
    """The rule factories other member and SSO/SCIM calls declare with: a plain member may act
    on its own record (stytch.self) but not on another's, nor on SSO connections."""
    from mockserver.domain import authorization
    from mockserver.errors import StytchError

    org_id, admin, plain = admin_and_member(stytch_mock)
    project = stytch_mock_server.project(stytch_mock.project_id)
    me = authorization.authenticate_caller(
        project, session_token=plain.session_token, session_jwt=None
    )
    boss = authorization.authenticate_caller(
        project, session_token=None, session_jwt=admin.session_jwt
    )
    delete_totp = authorization.member_action("update.info.delete.mfa-totp")
    delete_totp(project, me, {"organization_id": org_id, "member_id": plain.member.member_id}, {})
    with pytest.raises(StytchError) as refused:
        delete_totp(
            project, me, {"organization_id": org_id, "member_id": admin.member.member_id}, {}
        )
    assert (refused.value.status_code, refused.value.error_type) == (
        403,
        "session_authorization_error",
    )
    delete_totp(project, boss, {"organization_id": org_id, "member_id": plain.member.member_id}, {})
    create_sso = authorization.organization_action("stytch.sso", "create")
    create_sso(project, boss, {"organization_id": org_id}, {})
    with pytest.raises(StytchError) as refused:
        create_sso(project, me, {"organization_id": org_id}, {})
    assert refused.value.error_type == "session_authorization_error"
    with pytest.raises(StytchError) as refused:
        create_sso(project, boss, {"organization_id": "organization-test-elsewhere"}, {})
    assert refused.value.error_type == "session_authorization_tenancy_error"


def test_the_factor_delete_routes_check_the_member_session(stytch_mock: StytchMock) -> None:
    """A plain member may delete its own MFA phone number and TOTP (stytch.self) but not
    another member's, and not a password of the organization's members (stytch.member)."""
    org, ada = org_with_member(stytch_mock, "ada@acme.com")
    bob = stytch_mock.client.organizations.members.create(
        organization_id=org.organization_id, email_address="bob@acme.com"
    ).member
    session = log_in(stytch_mock, org.organization_id, "ada@acme.com", session_duration_minutes=30)
    headers = {"X-Stytch-Member-Session": session.session_token}
    org_id = org.organization_id
    stytch_mock.client.organizations.members.update(
        organization_id=org_id, member_id=bob.member_id, mfa_phone_number="+15555550101"
    )
    other = stytch_mock.request(
        "DELETE",
        f"v1/b2b/organizations/{org_id}/members/mfa_phone_numbers/{bob.member_id}",
        headers=headers,
    )
    assert_stytch_error(other, 403, "session_authorization_error")
    assert (
        stytch_mock.client.organizations.members.get(
            organization_id=org_id, member_id=bob.member_id
        ).member.mfa_phone_number
        == "+15555550101"
    )
    own = stytch_mock.request(
        "DELETE",
        f"v1/b2b/organizations/{org_id}/members/{ada.member_id}/totp",
        headers=headers,
    )
    assert own.status != 403, own.json  # allowed by stytch.self (it has no TOTP: 404)
    password = stytch_mock.request(
        "DELETE",
        f"v1/b2b/organizations/{org_id}/members/passwords/member-password-test-x",
        headers=headers,
    )
    assert_stytch_error(password, 403, "session_authorization_error")
