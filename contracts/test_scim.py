"""SCIM: an organization's SCIM connection through the SDK, and provisioning through it as an
identity provider does it (SCIM 2.0 with scim2-client, a SCIM client library, against the
connection's ``base_url`` and bearer token).

Stytch's behaviour: the Python SDK's ``stytch/b2b/api/scim_connection.py`` and
``stytch/b2b/models/scim.py`` (the token shown once at creation, last four digits after, one
active connection per organization, rotation with both tokens valid until it completes), and
https://stytch.com/docs/b2b/guides/scim/actions (a provisioned user becomes a Member, a
deprovisioned one is deactivated with its sessions revoked, group membership grants the
connection's ``scim_group_implicit_role_assignments`` with the source
``scim_connection_group``).

Everything here runs on both targets (the IdP side needs only the connection's URL and token)
but the scenario that logs a provisioned Member in (mock-only: its link is read in the outbox).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
import requests
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Name,
    PatchOp,
    PatchOperation,
    ResourceType,
    ScimProvider,
    SearchRequest,
    User,
)
from stytch.b2b.models.scim import SCIMGroupImplicitRoleAssignments
from stytch.b2b.models.sessions import AuthorizationCheck

from contracts.helpers import log_in, refused, search_query
from contracts.support import SDK, Target, unique

UserResource = User[EnterpriseUser]
PROVIDER = ScimProvider(
    models=[User, EnterpriseUser, Group],
    resource_types=[ResourceType.from_resource(UserResource), ResourceType.from_resource(Group)],
)


def _connection(sdk: SDK, org_id: str, **fields: Any) -> Any:
    return sdk.scim.connection.create(organization_id=org_id, **fields).connection


@contextmanager
def identity_provider(base_url: str, token: str) -> Iterator[SyncSCIMClient]:
    """A SCIM client configured as an IdP would be: the connection's base URL and token."""
    with httpx2.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        yield SyncSCIMClient(http, provider=PROVIDER)


def _user(email: str, given: str = "Ada", family: str = "Lovelace", **extra: Any) -> Any:
    return UserResource(
        user_name=email,
        external_id=extra.pop("external_id", f"okta-{email}"),
        name=Name(given_name=given, family_name=family),
        emails=[Email(value=email, primary=True, type="work")],
        active=True,
        **extra,
    )


def _member(sdk: SDK, org_id: str, member_id: str) -> Any:
    return sdk.organizations.members.get(organization_id=org_id, member_id=member_id).member


def _any_member(sdk: SDK, org_id: str, member_id: str) -> Any:
    """The Member, deleted or not (members.search; ``dangerously_get``'s boolean query
    parameter is one the async Python SDK cannot send)."""
    found = sdk.organizations.members.search(
        organization_ids=[org_id],
        query=search_query(("member_ids", [member_id]), ("statuses", ["active", "deleted"])),
    ).members
    assert [m.member_id for m in found] == [member_id]
    return found[0]


# --- the connection ------------------------------------------------------------------------


def test_create_shows_the_token_once_then_its_last_four(
    sdk: SDK, target: Target, new_org: Callable[..., Any]
) -> None:
    org = new_org()

    made = _connection(sdk, org.organization_id, display_name="Okta", identity_provider="okta")

    assert made.connection_id.startswith("scim-connection-test-")
    assert (made.organization_id, made.status) == (org.organization_id, "active")
    assert (made.display_name, made.identity_provider) == ("Okta", "okta")
    assert len(made.bearer_token) == 48 and made.bearer_token.isalnum()
    assert made.base_url.endswith(f"/v1/b2b/scim/{made.connection_id}")
    assert made.bearer_token_expires_at is not None
    got = sdk.scim.connection.get(organization_id=org.organization_id).connection
    assert got.connection_id == made.connection_id
    assert got.bearer_token_last_four == made.bearer_token[-4:]
    assert got.next_bearer_token_last_four == ""
    # On the wire, not through the SDK's model (which has no bearer_token field to fill).
    raw = requests.get(
        f"{target.url.rstrip('/')}/v1/b2b/scim/{org.organization_id}/connection",
        auth=(target.project_id, target.secret),
        timeout=30,
    ).json()["connection"]
    assert "bearer_token" not in raw and raw["bearer_token_last_four"] == made.bearer_token[-4:]
    active = sdk.organizations.get(organization_id=org.organization_id).organization
    assert active.scim_active_connection is not None
    assert (
        active.scim_active_connection.connection_id,
        active.scim_active_connection.display_name,
    ) == (
        made.connection_id,
        "Okta",
    )
    assert active.scim_active_connection.bearer_token_last_four == made.bearer_token[-4:]


def test_one_active_connection_per_organization_and_known_idps_only(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    refused(
        sdk.scim.connection.create,
        400,
        "invalid_scim_idp",
        organization_id=org.organization_id,
        identity_provider="okta-ish",
    )
    assert sdk.scim.connection.get(organization_id=org.organization_id).connection is None
    first = _connection(sdk, org.organization_id, identity_provider="microsoft-entra")
    # Stytch appends Entra's SCIM 2.0 compliance flag to an Entra connection's base URL.
    assert first.base_url.endswith(f"/v1/b2b/scim/{first.connection_id}?aadOptscim062020")

    refused(
        sdk.scim.connection.create,
        400,
        "active_scim_connection_exists",
        organization_id=org.organization_id,
    )

    deleted = sdk.scim.connection.delete(
        organization_id=org.organization_id, connection_id=first.connection_id
    )
    assert deleted.connection_id == first.connection_id
    assert sdk.scim.connection.get(organization_id=org.organization_id).connection is None
    org_after = sdk.organizations.get(organization_id=org.organization_id).organization
    assert org_after.scim_active_connection is None
    assert _connection(sdk, org.organization_id).connection_id != first.connection_id


def test_rotation_keeps_both_tokens_valid_until_it_completes(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    made = _connection(sdk, org.organization_id)
    ids = dict(organization_id=org.organization_id, connection_id=made.connection_id)
    refused(sdk.scim.connection.rotate_complete, 400, "scim_connection_not_rotating_token", **ids)
    refused(sdk.scim.connection.rotate_cancel, 400, "scim_connection_not_rotating_token", **ids)

    started = sdk.scim.connection.rotate_start(**ids).connection
    new_token = started.next_bearer_token
    assert len(new_token) == 48 and new_token != made.bearer_token
    assert started.bearer_token_last_four == made.bearer_token[-4:]
    for token in (made.bearer_token, new_token):
        with identity_provider(made.base_url, token) as idp:
            assert idp.query(UserResource).total_results == 0
    pending = sdk.scim.connection.get(organization_id=org.organization_id).connection
    assert pending.next_bearer_token_last_four == new_token[-4:]

    done = sdk.scim.connection.rotate_complete(**ids).connection
    assert (done.bearer_token_last_four, done.next_bearer_token_last_four) == (new_token[-4:], "")
    with identity_provider(made.base_url, made.bearer_token) as idp:
        refused_401 = idp.query(UserResource, raise_scim_errors=False)
    assert refused_401.status == 401
    with identity_provider(made.base_url, new_token) as idp:
        assert idp.query(UserResource).total_results == 0

    cancelled_token = sdk.scim.connection.rotate_start(**ids).connection.next_bearer_token
    cancelled = sdk.scim.connection.rotate_cancel(**ids).connection
    assert (cancelled.bearer_token_last_four, cancelled.next_bearer_token_last_four) == (
        new_token[-4:],
        "",
    )
    with identity_provider(made.base_url, cancelled_token) as idp:
        assert idp.query(UserResource, raise_scim_errors=False).status == 401


# --- provisioning through the connection ---------------------------------------------------


def test_a_provisioned_user_is_a_member_with_its_scim_registration(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    made = _connection(sdk, org.organization_id, identity_provider="okta")
    email = f"{unique('ada')}@example.com"

    with identity_provider(made.base_url, made.bearer_token) as idp:
        user = idp.create(
            _user(email, **{"title": "Engineer"}),
        )
        found = idp.query(
            UserResource, query_parameters=SearchRequest(filter=f'userName eq "{email}"')
        )

    assert user.id and user.active is True and user.meta.resource_type == "User"
    assert [u.id for u in found.resources] == [user.id]
    member = _member(sdk, org.organization_id, user.id)
    assert (member.email_address, member.name, member.status) == (email, "Ada Lovelace", "active")
    registration = member.scim_registration
    assert registration.connection_id == made.connection_id
    assert registration.external_id == f"okta-{email}"
    assert registration.registration_id
    attributes = registration.scim_attributes
    assert (attributes.user_name, attributes.title, attributes.active) == (email, "Engineer", True)
    assert [(e.value, e.primary) for e in attributes.emails] == [(email, True)]
    assert (attributes.name.given_name, attributes.name.family_name) == ("Ada", "Lovelace")


def test_group_membership_grants_the_connections_role_assignments(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    made = _connection(sdk, org.organization_id)
    ids = dict(organization_id=org.organization_id, connection_id=made.connection_id)
    ada, bea = (f"{unique(n)}@example.com" for n in ("ada", "bea"))

    with identity_provider(made.base_url, made.bearer_token) as idp:
        ada_id = idp.create(_user(ada)).id
        bea_id = idp.create(_user(bea, given="Bea")).id
        admins = idp.create(Group(display_name="Admins", members=[GroupMember(value=ada_id)]))
        groups = sdk.scim.connection.get_groups(**ids).scim_groups
        assert [(g.group_id, g.group_name, g.connection_id) for g in groups] == [
            (admins.id, "Admins", made.connection_id)
        ]
        refused(
            sdk.scim.connection.update,
            400,
            "scim_group_role_assignment_group_does_not_exist",
            **ids,
            scim_group_implicit_role_assignments=[
                SCIMGroupImplicitRoleAssignments(
                    role_id="stytch_admin", group_id="scim-group-test-nope", group_name=""
                )
            ],
        )
        updated = sdk.scim.connection.update(
            **ids,
            scim_group_implicit_role_assignments=[
                SCIMGroupImplicitRoleAssignments(
                    role_id="stytch_admin", group_id=admins.id, group_name="Admins"
                )
            ],
        ).connection
        assert [
            (a.role_id, a.group_id, a.group_name)
            for a in updated.scim_group_implicit_role_assignments
        ] == [("stytch_admin", admins.id, "Admins")]

        granted = _member(sdk, org.organization_id, ada_id)
        sources = {r.role_id: r.sources for r in granted.roles}
        assert granted.is_admin is True
        [source] = sources["stytch_admin"]
        assert source.type == "scim_connection_group"
        assert source.details == {"connection_id": made.connection_id, "group_id": admins.id}
        assert [g.value for g in granted.scim_registration.scim_attributes.groups] == [admins.id]
        assert "stytch_admin" not in {
            r.role_id for r in _member(sdk, org.organization_id, bea_id).roles
        }

        # The IdP moves Bea in and Ada out (PATCH, as Okta sends it): the grants follow.
        idp.modify(
            Group,
            admins.id,
            PatchOp[Group](
                operations=[
                    PatchOperation[Group](op="add", path="members", value=[{"value": bea_id}]),
                    PatchOperation[Group](op="remove", path=f'members[value eq "{ada_id}"]'),
                ]
            ),
        )
        assert _member(sdk, org.organization_id, ada_id).is_admin is False
        assert _member(sdk, org.organization_id, bea_id).is_admin is True

        idp.delete(Group, admins.id)
    assert _member(sdk, org.organization_id, bea_id).is_admin is False
    assert sdk.scim.connection.get_groups(**ids).scim_groups == []
    assert (
        sdk.scim.connection.get(
            organization_id=org.organization_id
        ).connection.scim_group_implicit_role_assignments
        == []
    )


def test_deprovisioning_deactivates_and_reprovisioning_reactivates(
    sdk: SDK, new_org: Callable[..., Any]
) -> None:
    org = new_org()
    made = _connection(sdk, org.organization_id)
    email = f"{unique('ada')}@example.com"
    with identity_provider(made.base_url, made.bearer_token) as idp:
        user_id = idp.create(_user(email)).id
        deactivate = PatchOp[UserResource](
            operations=[PatchOperation[UserResource](op="replace", value={"active": False})]
        )
        assert idp.modify(UserResource, user_id, deactivate).active is False
        deactivated = _any_member(sdk, org.organization_id, user_id)
        assert (deactivated.status, deactivated.roles[0].role_id) == ("deleted", "stytch_member")

        renamed = idp.replace(_user(email, given="Ada", family="King", id=user_id))
        assert renamed.active is True and renamed.name.family_name == "King"
        member = _member(sdk, org.organization_id, user_id)
        assert (member.status, member.name) == ("active", "Ada King")

        idp.delete(UserResource, user_id)
        gone = idp.query(UserResource, user_id, raise_scim_errors=False)
        assert gone.status == 404
    member = _any_member(sdk, org.organization_id, user_id)
    assert (member.status, member.scim_registration) == ("deleted", None)


def test_refused_scim_requests_change_nothing(sdk: SDK, new_org: Callable[..., Any]) -> None:
    org = new_org()
    made = _connection(sdk, org.organization_id)
    email = f"{unique('ada')}@example.com"
    with identity_provider(made.base_url, made.bearer_token) as idp:
        idp.create(_user(email))
        again = idp.create(_user(email), raise_scim_errors=False)
        assert (again.status, again.scim_type) == (409, "uniqueness")
        no_email = idp.create(
            UserResource(user_name="not-an-email", active=True), raise_scim_errors=False
        )
        assert (no_email.status, no_email.scim_type) == (400, "invalidValue")
        stranger = idp.create(
            Group(display_name="Ghosts", members=[GroupMember(value="member-test-nobody")]),
            raise_scim_errors=False,
        )
        assert stranger.status == 400
        assert idp.query(UserResource).total_results == 1
        assert idp.query(Group).total_results == 0
    with identity_provider(made.base_url, "x" * 48) as idp:
        assert idp.query(UserResource, raise_scim_errors=False).status == 401
    members = sdk.organizations.members.search(organization_ids=[org.organization_id]).members
    assert [m.email_address for m in members] == [email]


# --- member sessions -----------------------------------------------------------------------


@pytest.mark.mock_only(reason="the provisioned member logs in through a link in the outbox")
def test_a_scim_group_role_is_in_the_members_session(
    sdk: SDK, new_org: Callable[..., Any], mock: Any
) -> None:
    org = new_org()
    made = _connection(sdk, org.organization_id)
    email = f"{unique('ada')}@example.com"
    with identity_provider(made.base_url, made.bearer_token) as idp:
        user_id = idp.create(_user(email)).id
        group = idp.create(Group(display_name="Admins", members=[GroupMember(value=user_id)]))
    sdk.scim.connection.update(
        organization_id=org.organization_id,
        connection_id=made.connection_id,
        scim_group_implicit_role_assignments=[
            SCIMGroupImplicitRoleAssignments(
                role_id="stytch_admin", group_id=group.id, group_name="Admins"
            )
        ],
    )
    session = log_in(sdk, mock, org.organization_id, email)

    checked = sdk.sessions.authenticate(
        session_token=session.session_token,
        authorization_check=AuthorizationCheck(
            organization_id=org.organization_id, resource_id="stytch.scim", action="update"
        ),
    )

    assert "stytch_admin" in checked.member_session.roles
    assert checked.verdict.authorized is True
    assert checked.verdict.granting_roles == ["stytch_admin"]
    # Deprovisioned: the session is revoked.
    with identity_provider(made.base_url, made.bearer_token) as idp:
        idp.delete(UserResource, user_id)
    refused(
        sdk.sessions.authenticate, 404, "session_not_found", session_token=session.session_token
    )


def test_an_idp_discovers_what_the_connection_serves(sdk: SDK, new_org: Callable[..., Any]) -> None:
    """RFC 7644 §4: a client that knows nothing but the base URL and token reads the service's
    configuration, resource types and schemas, then provisions with what it learned."""
    org = new_org()
    made = _connection(sdk, org.organization_id)
    with httpx2.Client(
        base_url=made.base_url, headers={"Authorization": f"Bearer {made.bearer_token}"}
    ) as http:
        idp = SyncSCIMClient(http)
        idp.discover()
        config = idp.provider.config
        assert config.patch.supported is True and config.bulk.supported is False
        assert config.filter.supported is True
        user_model = idp.provider.model_for("User")
        assert user_model is not None
        email = f"{unique('ada')}@example.com"
        user = idp.create(user_model(user_name=email, emails=[{"value": email}]))
        assert _member(sdk, org.organization_id, user.id).email_address == email
        assert [rt.endpoint for rt in idp.provider.resource_types] == ["/Users", "/Groups"]
