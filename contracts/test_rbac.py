"""Member-session authorization (RBAC) through the SDK's ``method_options``.

A backend passes the logged-in Member's session (``Authorization(session_token=...)`` or
``session_jwt=...``, sent as ``X-Stytch-Member-Session`` / ``X-Stytch-Member-SessionJWT``) and
Stytch runs the call as that Member: an admin may, a plain member may not (403
``session_authorization_error``), a member of another organization gets 403
``session_authorization_tenancy_error``, a revoked session 404 ``session_not_found``; a refused
call changes nothing. Without the headers the project secret keeps full access.

Also: the project policy a seed configures (custom resources and roles, a default role
changed) as ``rbac.policy`` serves it and as ``sessions.authenticate``'s ``authorization_check``
and the SDK's local check (``authenticate_jwt_local``) both apply it; organization custom roles
and roles granted by email domain.

Mock-only: the sessions come from magic links read in the mock's outbox, and the policy from a
seed (Stytch's is set in its dashboard).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from stytch.b2b.models import magic_links_email as ml_models
from stytch.b2b.models import organizations as org_models
from stytch.b2b.models import organizations_members as member_models
from stytch.b2b.models import scim_connection as scim_models
from stytch.b2b.models import sessions as session_models
from stytch.b2b.models import sso as sso_models
from stytch.b2b.models import sso_oidc as oidc_models
from stytch.b2b.models.sessions import AuthorizationCheck
from stytch.shared.method_options import Authorization
from stytch.shared.rbac_local import RBACPermissionError, TenancyError

from contracts.helpers import company_email, log_in, refused, sign_up
from contracts.support import SDK, unique

pytestmark = pytest.mark.mock_only(reason="sessions from the outbox, the policy from a seed")


@dataclass
class Actor:
    """A logged-in Member: its session and the ``method_options`` of each kind of call."""

    member_id: str
    organization_id: str
    session_token: str
    session_jwt: str
    use_jwt: bool = False

    @property
    def authorization(self) -> Authorization:
        if self.use_jwt:
            return Authorization(session_jwt=self.session_jwt)
        return Authorization(session_token=self.session_token)

    def options(self, model: type) -> Any:
        return model(authorization=self.authorization)


@dataclass
class Team:
    sdk: SDK
    mock: Any
    made_orgs: list[str]
    admin: Actor
    member: Actor
    outsider: Actor  # the admin of another organization
    revoked: Actor  # the plain member's session, revoked
    member_email: str

    @property
    def org_id(self) -> str:
        return self.admin.organization_id


def _actor(resp: Any) -> Actor:
    return Actor(
        resp.member.member_id,
        resp.organization.organization_id,
        resp.session_token,
        resp.session_jwt,
    )


def join(sdk: SDK, mock: Any, org_id: str, email: str, **member: Any) -> Actor:
    """A new member of ``org_id``, logged in through a magic link."""
    sdk.organizations.members.create(organization_id=org_id, email_address=email, **member)
    return _actor(log_in(sdk, mock, org_id, email))


@pytest.fixture
def team(sdk: SDK, mock: Any, made_orgs: list[str]) -> Team:
    admin_email, label = company_email("admin")
    admin = _actor(sign_up(sdk, mock, made_orgs, admin_email))
    member_email = f"{unique('member')}@{label}.com"
    member = join(sdk, mock, admin.organization_id, member_email)
    revoked = _actor(log_in(sdk, mock, admin.organization_id, member_email))
    sdk.sessions.revoke(session_token=revoked.session_token)
    outsider = _actor(sign_up(sdk, mock, made_orgs, company_email("outsider")[0]))
    return Team(sdk, mock, made_orgs, admin, member, outsider, revoked, member_email)


# --- every operation, as each actor ----------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One call of an operation that takes the headers, against the team's organization;
    ``target``: the call acts on a member made for it first ("live" or "deleted")."""

    call: Callable[[Team, Actor, str], Any]
    target: str | None = None

    def prepare(self, team: Team) -> str:
        if self.target is None:
            return ""
        email = f"{unique('target')}@example.com"
        member_id = team.sdk.organizations.members.create(
            organization_id=team.org_id, email_address=email
        ).member.member_id
        if self.target == "deleted":  # reactivation needs a verified email: log in first
            log_in(team.sdk, team.mock, team.org_id, email)
            team.sdk.organizations.members.delete(organization_id=team.org_id, member_id=member_id)
        return member_id


OPERATIONS: dict[str, Operation] = {
    "organizations.update": Operation(
        lambda t, a, _: t.sdk.organizations.update(
            organization_id=t.org_id,
            organization_name="Renamed",
            method_options=a.options(org_models.UpdateRequestOptions),
        )
    ),
    "organizations.update (settings)": Operation(
        lambda t, a, _: t.sdk.organizations.update(
            organization_id=t.org_id,
            email_invites="NOT_ALLOWED",
            mfa_policy="REQUIRED_FOR_ALL",
            method_options=a.options(org_models.UpdateRequestOptions),
        )
    ),
    "organizations.members.create": Operation(
        lambda t, a, _: t.sdk.organizations.members.create(
            organization_id=t.org_id,
            email_address=f"{unique('new')}@example.com",
            method_options=a.options(member_models.CreateRequestOptions),
        )
    ),
    "organizations.members.update": Operation(
        lambda t, a, member_id: t.sdk.organizations.members.update(
            organization_id=t.org_id,
            member_id=member_id,
            name="Renamed",
            method_options=a.options(member_models.UpdateRequestOptions),
        ),
        target="live",
    ),
    "organizations.members.update (roles)": Operation(
        lambda t, a, member_id: t.sdk.organizations.members.update(
            organization_id=t.org_id,
            member_id=member_id,
            roles=["stytch_admin"],
            method_options=a.options(member_models.UpdateRequestOptions),
        ),
        target="live",
    ),
    "organizations.members.search": Operation(
        lambda t, a, _: t.sdk.organizations.members.search(
            organization_ids=[t.org_id],
            method_options=a.options(member_models.SearchRequestOptions),
        )
    ),
    "magic_links.email.invite": Operation(
        lambda t, a, _: t.sdk.magic_links.email.invite(
            organization_id=t.org_id,
            email_address=f"{unique('invitee')}@example.com",
            method_options=a.options(ml_models.InviteRequestOptions),
        )
    ),
    "organizations.members.delete": Operation(
        lambda t, a, member_id: t.sdk.organizations.members.delete(
            organization_id=t.org_id,
            member_id=member_id,
            method_options=a.options(member_models.DeleteRequestOptions),
        ),
        target="live",
    ),
    "organizations.members.reactivate": Operation(
        lambda t, a, member_id: t.sdk.organizations.members.reactivate(
            organization_id=t.org_id,
            member_id=member_id,
            method_options=a.options(member_models.ReactivateRequestOptions),
        ),
        target="deleted",
    ),
    "sessions.revoke": Operation(
        lambda t, a, member_id: t.sdk.sessions.revoke(
            member_id=member_id,
            method_options=a.options(session_models.RevokeRequestOptions),
        ),
        target="live",
    ),
    "scim.connection.create": Operation(
        lambda t, a, _: t.sdk.scim.connection.create(
            organization_id=t.org_id,
            display_name="Okta",
            method_options=a.options(scim_models.CreateRequestOptions),
        )
    ),
    "sso.get_connections": Operation(
        lambda t, a, _: t.sdk.sso.get_connections(
            organization_id=t.org_id,
            method_options=a.options(sso_models.GetConnectionsRequestOptions),
        )
    ),
    "sso.oidc.create_connection": Operation(
        lambda t, a, _: t.sdk.sso.oidc.create_connection(
            organization_id=t.org_id,
            display_name="Okta",
            method_options=a.options(oidc_models.CreateConnectionRequestOptions),
        )
    ),
    "scim.connection.get": Operation(
        lambda t, a, _: t.sdk.scim.connection.get(
            organization_id=t.org_id,
            method_options=a.options(scim_models.GetRequestOptions),
        )
    ),
    "organizations.delete": Operation(
        lambda t, a, _: t.sdk.organizations.delete(
            organization_id=t.org_id,
            method_options=a.options(org_models.DeleteRequestOptions),
        )
    ),
}


def _snapshot(team: Team) -> tuple[Any, ...]:
    """The organization's settings and its members (id, status, roles) and the team's live
    sessions, read with the project secret."""
    org = team.sdk.organizations.get(organization_id=team.org_id).organization
    members = team.sdk.organizations.members.search(organization_ids=[team.org_id]).members
    sessions = team.sdk.sessions.get(organization_id=team.org_id, member_id=team.member.member_id)
    scim = org.scim_active_connection
    sso = team.sdk.sso.get_connections(organization_id=team.org_id)
    return (
        (org.organization_name, org.email_invites, org.mfa_policy),
        scim.connection_id if scim is not None else None,
        sorted(c.connection_id for c in sso.oidc_connections),
        sorted((m.member_id, m.status, [r.role_id for r in m.roles]) for m in members),
        sorted(s.member_session_id for s in sessions.member_sessions),
    )


@pytest.mark.parametrize("use_jwt", [False, True], ids=["session_token", "session_jwt"])
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_an_admin_session_may_call_it(team: Team, operation: str, use_jwt: bool) -> None:
    op = OPERATIONS[operation]
    team.admin.use_jwt = use_jwt
    resp = op.call(team, team.admin, op.prepare(team))
    assert resp.status_code == 200
    if operation == "organizations.delete":
        refused(
            team.sdk.organizations.get, 404, "organization_not_found", organization_id=team.org_id
        )
        team.made_orgs.remove(team.org_id)
    elif operation == "organizations.update":
        assert resp.organization.organization_name == "Renamed"
    elif operation == "organizations.update (settings)":
        assert (resp.organization.email_invites, resp.organization.mfa_policy) == (
            "NOT_ALLOWED",
            "REQUIRED_FOR_ALL",
        )
    elif operation == "organizations.members.update (roles)":
        assert "stytch_admin" in [r.role_id for r in resp.member.roles]
    elif operation == "organizations.members.reactivate":
        assert resp.member.status == "active"
    elif operation == "scim.connection.create":
        assert resp.connection.display_name == "Okta" and resp.connection.bearer_token


@pytest.mark.parametrize(
    ("actor", "status", "error_type"),
    [
        ("member", 403, "session_authorization_error"),
        ("outsider", 403, "session_authorization_tenancy_error"),
        ("revoked", 404, "session_not_found"),
    ],
)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_other_sessions_are_refused_and_nothing_changes(
    team: Team, operation: str, actor: str, status: int, error_type: str
) -> None:
    op = OPERATIONS[operation]
    caller: Actor = getattr(team, actor)
    caller.use_jwt = actor == "member"  # the JWT form for the plain member, tokens elsewhere
    target = op.prepare(team)
    before = _snapshot(team)
    refused(lambda: op.call(team, caller, target), status, error_type)
    assert _snapshot(team) == before


# --- one's own record, trusted metadata, and the secret alone ---------------------------------


def test_a_member_may_change_its_own_record_through_stytch_self(team: Team) -> None:
    me = team.member
    opts = me.options(member_models.UpdateRequestOptions)
    updated = team.sdk.organizations.members.update(
        organization_id=team.org_id,
        member_id=me.member_id,
        name="Ada Self",
        untrusted_metadata={"theme": "dark"},
        method_options=opts,
    )
    assert (updated.member.name, updated.member.untrusted_metadata) == (
        "Ada Self",
        {"theme": "dark"},
    )
    # Not its own roles (no stytch.self action for them), nor its own email (Stytch's docstring:
    # "Members cannot update their own email address").
    refused(
        team.sdk.organizations.members.update,
        403,
        "session_authorization_error",
        organization_id=team.org_id,
        member_id=me.member_id,
        roles=["stytch_admin"],
        method_options=opts,
    )
    refused(
        team.sdk.organizations.members.update,
        400,
        "member_cannot_update_their_email_address",
        organization_id=team.org_id,
        member_id=me.member_id,
        email_address=f"{unique('other')}@example.com",
        method_options=opts,
    )
    # Another member's name is stytch.member's business.
    other = join(team.sdk, team.mock, team.org_id, f"{unique('other')}@example.com")
    refused(
        team.sdk.organizations.members.update,
        403,
        "session_authorization_error",
        organization_id=team.org_id,
        member_id=other.member_id,
        name="Not mine",
        method_options=opts,
    )
    # Its own sessions, then itself.
    revoked = team.sdk.sessions.revoke(
        member_id=me.member_id,
        method_options=me.options(session_models.RevokeRequestOptions),
    )
    assert revoked.status_code == 200
    refused(
        team.sdk.sessions.authenticate, 404, "session_not_found", session_token=me.session_token
    )
    again = _actor(log_in(team.sdk, team.mock, team.org_id, team.member_email))
    deleted = team.sdk.organizations.members.delete(
        organization_id=team.org_id,
        member_id=me.member_id,
        method_options=again.options(member_models.DeleteRequestOptions),
    )
    assert deleted.member_id == me.member_id


def test_trusted_metadata_is_refused_with_a_member_session(team: Team) -> None:
    admin = team.admin.options
    before = _snapshot(team)
    refused(
        team.sdk.organizations.update,
        400,
        "cannot_update_trusted_metadata",
        organization_id=team.org_id,
        trusted_metadata={"tier": "gold"},
        method_options=admin(org_models.UpdateRequestOptions),
    )
    refused(
        team.sdk.organizations.members.update,
        400,
        "cannot_update_trusted_metadata",
        organization_id=team.org_id,
        member_id=team.member.member_id,
        trusted_metadata={"tier": "gold"},
        method_options=admin(member_models.UpdateRequestOptions),
    )
    assert _snapshot(team) == before
    # The project secret may.
    org = team.sdk.organizations.update(
        organization_id=team.org_id, trusted_metadata={"tier": "gold"}
    )
    assert org.organization.trusted_metadata == {"tier": "gold"}


def test_without_the_headers_the_secret_keeps_full_access(team: Team) -> None:
    refused(
        lambda: OPERATIONS["organizations.update"].call(team, team.member, ""),
        403,
        "session_authorization_error",
    )
    resp = team.sdk.organizations.update(organization_id=team.org_id, organization_name="By secret")
    assert resp.organization.organization_name == "By secret"


def test_bad_member_session_headers_are_refused(team: Team) -> None:
    before = _snapshot(team)
    update = team.sdk.organizations.update
    for authorization, status, error_type in [
        (Authorization(session_jwt="not.a.jwt"), 400, "unable_to_parse_session_jwt"),
        (
            Authorization(
                session_token=team.admin.session_token, session_jwt=team.admin.session_jwt
            ),
            400,
            "too_many_session_arguments",
        ),
        (Authorization(session_token="no-such-session-token"), 404, "session_not_found"),
    ]:
        refused(
            update,
            status,
            error_type,
            organization_id=team.org_id,
            organization_name="Nope",
            method_options=org_models.UpdateRequestOptions(authorization=authorization),
        )
    assert _snapshot(team) == before


# --- the project policy, organization roles, roles by email domain ----------------------------

POLICY = {
    "resources": [
        {
            "resource_id": "documents",
            "description": "Shared documents",
            "actions": ["read", "write", "delete"],
        },
        {"resource_id": "billing", "description": "Invoices", "actions": ["view", "manage"]},
    ],
    "roles": [
        {
            "role_id": "editor",
            "description": "Edits documents",
            "permissions": [{"resource_id": "documents", "actions": ["read", "write"]}],
        },
        {
            # A default role changed: every member may also read documents.
            "role_id": "stytch_member",
            "permissions": [
                {"resource_id": "stytch.self", "actions": ["*"]},
                {"resource_id": "documents", "actions": ["read"]},
            ],
        },
    ],
}
AUDITOR = {
    "role_id": "auditor",
    "description": "Reads the books",
    "permissions": [{"resource_id": "billing", "actions": ["view"]}],
}


def test_the_configured_policy_is_what_rbac_policy_serves(sdk: SDK, mock: Any) -> None:
    mock.seed({"rbac_policy": POLICY})
    policy = sdk.rbac.policy().policy
    resources = {r.resource_id: r.actions for r in policy.resources}
    assert resources["documents"] == ["read", "write", "delete"]
    assert resources["billing"] == ["view", "manage"]
    assert "update.info.name" in resources["stytch.organization"]
    roles = {r.role_id: r for r in policy.roles}
    assert [(p.resource_id, p.actions) for p in roles["editor"].permissions] == [
        ("documents", ["read", "write"])
    ]
    assert [(p.resource_id, p.actions) for p in roles["stytch_member"].permissions] == [
        ("stytch.self", ["*"]),
        ("documents", ["read"]),
    ]
    assert roles["stytch_member"].description == "Granted to all Members upon creation."
    assert {p.resource_id for p in roles["stytch_admin"].permissions} >= {
        "stytch.organization",
        "stytch.member",
    }


# (actor, resource_id, action) -> the granting roles, or None when refused.
TABLE = [
    ("member", "documents", "read", ["stytch_member"]),
    ("member", "documents", "write", None),
    ("member", "billing", "view", None),
    ("member", "stytch.self", "update.info.name", ["stytch_member"]),
    ("member", "stytch.member", "create", None),
    ("editor", "documents", "read", ["stytch_member", "editor"]),
    ("editor", "documents", "write", ["editor"]),
    ("editor", "documents", "delete", None),
    ("auditor", "billing", "view", ["auditor"]),
    ("auditor", "billing", "manage", None),
    ("admin", "stytch.member", "create", ["stytch_admin"]),
    ("admin", "documents", "read", ["stytch_member"]),
    ("admin", "billing", "view", None),
    ("domain_admin", "stytch.organization", "update.info.name", ["stytch_admin"]),
]


def test_remote_and_local_checks_agree_on_the_configured_policy(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    mock.seed({"rbac_policy": POLICY})
    admin_email, label = company_email("admin")
    admin = _actor(sign_up(sdk, mock, made_orgs, admin_email))
    org_id = admin.organization_id
    set_policy = sdk.rbac.organizations.set_org_policy(
        organization_id=org_id, org_policy={"roles": [AUDITOR]}
    )
    assert [r.role_id for r in set_policy.org_policy.roles] == ["auditor"]
    assert sdk.rbac.organizations.get_org_policy(organization_id=org_id).org_policy.roles[
        0
    ].permissions[0].actions == ["view"]
    # Roles by email domain: everyone at admins.<label>.com is an admin (source email_assignment).
    admins_domain = f"admins.{label}.com"
    sdk.organizations.update(
        organization_id=org_id,
        rbac_email_implicit_role_assignments=[{"domain": admins_domain, "role_id": "stytch_admin"}],
    )
    actors = {
        "admin": admin,
        "member": join(sdk, mock, org_id, f"{unique('m')}@example.com"),
        "editor": join(sdk, mock, org_id, f"{unique('e')}@example.com", roles=["editor"]),
        "auditor": join(sdk, mock, org_id, f"{unique('a')}@example.com", roles=["auditor"]),
        "domain_admin": join(sdk, mock, org_id, f"{unique('d')}@{admins_domain}"),
    }
    domain_admin = sdk.organizations.members.get(
        organization_id=org_id, member_id=actors["domain_admin"].member_id
    ).member
    assert [(r.role_id, [s.type for s in r.sources]) for r in domain_admin.roles] == [
        ("stytch_member", ["direct_assignment"]),
        ("stytch_admin", ["email_assignment"]),
    ]
    session = sdk.sessions.authenticate(session_token=actors["domain_admin"].session_token)
    assert session.member_session.roles == ["stytch_member", "stytch_admin"]

    for actor, resource_id, action, granting in TABLE:
        who = actors[actor]
        check = {"organization_id": org_id, "resource_id": resource_id, "action": action}
        case = f"{actor} {resource_id}:{action}"
        if granting is None:
            refused(
                sdk.sessions.authenticate,
                403,
                "session_authorization_error",
                session_token=who.session_token,
                authorization_check=check,
            )
            with pytest.raises(RBACPermissionError):
                sdk.sessions.authenticate_jwt_local(
                    session_jwt=who.session_jwt, authorization_check=AuthorizationCheck(**check)
                )
        else:
            remote = sdk.sessions.authenticate(
                session_token=who.session_token, authorization_check=check
            )
            assert remote.verdict is not None, case
            assert (remote.verdict.authorized, remote.verdict.granting_roles) == (True, granting), (
                case
            )
            local = sdk.sessions.authenticate_jwt_local(
                session_jwt=who.session_jwt, authorization_check=AuthorizationCheck(**check)
            )
            assert local is not None and local.member_id == who.member_id, case
    # Another organization's check: a tenancy error on both sides.
    other_org = _actor(sign_up(sdk, mock, made_orgs, company_email()[0])).organization_id
    other = {"organization_id": other_org, "resource_id": "documents", "action": "read"}
    refused(
        sdk.sessions.authenticate,
        403,
        "session_authorization_tenancy_error",
        session_token=actors["member"].session_token,
        authorization_check=other,
    )
    with pytest.raises(TenancyError):
        sdk.sessions.authenticate_jwt_local(
            session_jwt=actors["member"].session_jwt,
            authorization_check=AuthorizationCheck(**other),
        )


def test_the_policy_governs_member_session_calls(sdk: SDK, mock: Any, made_orgs: list[str]) -> None:
    """A default role's permissions changed in the policy change what its sessions may do."""
    mock.seed(
        {
            "rbac_policy": {
                "roles": [
                    {
                        "role_id": "stytch_admin",
                        "permissions": [
                            {"resource_id": "stytch.organization", "actions": ["update.info.name"]},
                            {"resource_id": "stytch.member", "actions": ["*"]},
                        ],
                    },
                    {
                        "role_id": "namer",
                        "description": "Renames the organization",
                        "permissions": [
                            {"resource_id": "stytch.organization", "actions": ["update.info.name"]}
                        ],
                    },
                ]
            }
        }
    )
    admin = _actor(sign_up(sdk, mock, made_orgs, company_email("admin")[0]))
    org_id = admin.organization_id
    opts = admin.options(org_models.UpdateRequestOptions)
    renamed = sdk.organizations.update(
        organization_id=org_id, organization_name="Renamed", method_options=opts
    )
    assert renamed.organization.organization_name == "Renamed"
    refused(
        sdk.organizations.update,
        403,
        "session_authorization_error",
        organization_id=org_id,
        mfa_policy="REQUIRED_FOR_ALL",
        method_options=opts,
    )
    refused(
        sdk.organizations.delete,
        403,
        "session_authorization_error",
        organization_id=org_id,
        method_options=admin.options(org_models.DeleteRequestOptions),
    )
    namer = join(sdk, mock, org_id, f"{unique('namer')}@example.com", roles=["namer"])
    by_namer = sdk.organizations.update(
        organization_id=org_id,
        organization_name="Named by namer",
        method_options=namer.options(org_models.UpdateRequestOptions),
    )
    assert by_namer.organization.organization_name == "Named by namer"


def test_an_org_policy_is_checked_before_it_replaces_the_roles(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    mock.seed({"rbac_policy": POLICY})
    org = new_org()
    set_org = sdk.rbac.organizations.set_org_policy
    set_org(organization_id=org.organization_id, org_policy={"roles": [AUDITOR]})
    for roles, error_type in [
        ([AUDITOR, AUDITOR], "rbac_role_duplicate"),
        ([{**AUDITOR, "role_id": "editor"}], "rbac_org_custom_roles_only"),
        (
            [{**AUDITOR, "permissions": [{"resource_id": "ships", "actions": ["sail"]}]}],
            "invalid_permission_resource",
        ),
        (
            [{**AUDITOR, "permissions": [{"resource_id": "billing", "actions": ["steal"]}]}],
            "invalid_permission_action",
        ),
        ([{**AUDITOR, "permissions": []}], "rbac_role_missing_permissions"),
    ]:
        refused(
            set_org,
            400,
            error_type,
            organization_id=org.organization_id,
            org_policy={"roles": roles},
        )
    kept = sdk.rbac.organizations.get_org_policy(organization_id=org.organization_id)
    assert [r.role_id for r in kept.org_policy.roles] == ["auditor"]
    assert [
        r.role_id
        for r in sdk.organizations.get(
            organization_id=org.organization_id
        ).organization.custom_roles
    ] == ["auditor"]
    cleared = set_org(organization_id=org.organization_id, org_policy={"roles": []})
    assert cleared.org_policy.roles == []


def test_discovery_create_keeps_email_invites_open_with_auth_settings(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    """Stytch's own Node B2B demo creates its organization through discovery with
    email_allowed_domains [] and an mfa_policy, then invites members (README, fidelity notes);
    organizations.create with the same settings closes invites (its docstring)."""
    admin = _actor(
        sign_up(
            sdk,
            mock,
            made_orgs,
            company_email("admin")[0],
            email_allowed_domains=[],
            mfa_policy="OPTIONAL",
        )
    )
    org = sdk.organizations.get(organization_id=admin.organization_id).organization
    assert org.email_invites == "ALL_ALLOWED"
    invited = sdk.magic_links.email.invite(
        organization_id=admin.organization_id,
        email_address=f"{unique('invitee')}@example.com",
        method_options=admin.options(ml_models.InviteRequestOptions),
    )
    assert invited.member.status == "invited"
    closed = sdk.organizations.create(
        organization_name="Closed", organization_slug=unique("closed"), mfa_policy="OPTIONAL"
    )
    made_orgs.append(closed.organization.organization_id)
    assert closed.organization.email_invites == "NOT_ALLOWED"


def test_revoking_sessions_by_id_or_token_checks_whose_they_are(team: Team) -> None:
    sdk, me = team.sdk, team.member
    mine = _actor(log_in(sdk, team.mock, team.org_id, team.member_email))
    admin_session = sdk.sessions.authenticate(session_token=team.admin.session_token)
    revoke = sdk.sessions.revoke
    opts = me.options(session_models.RevokeRequestOptions)
    # Another member's session: stytch.member's revoke-sessions, which a plain member lacks.
    refused(
        revoke,
        403,
        "session_authorization_error",
        member_session_id=admin_session.member_session.member_session_id,
        method_options=opts,
    )
    # The admin of another organization, on this organization's session.
    refused(
        revoke,
        403,
        "session_authorization_tenancy_error",
        session_token=mine.session_token,
        method_options=team.outsider.options(session_models.RevokeRequestOptions),
    )
    assert sdk.sessions.authenticate(session_token=team.admin.session_token).status_code == 200
    # One's own other session, by its token: stytch.self.
    assert revoke(session_token=mine.session_token, method_options=opts).status_code == 200
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=mine.session_token)
    assert sdk.sessions.authenticate(session_token=me.session_token).status_code == 200
