"""Members: create, get, update (metadata, roles), delete, reactivate, search and validation.

Sources: the Python SDK's members docstrings (organizations_members.py in
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/). Scenarios
that need a logged-in member (a verified email, a session) log in through an organization
magic link read from the mock's outbox, so they ask for the ``mock`` fixture (mock-only).
"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.helpers import log_in, refused, search_query

MISSING_MEMBER = "member-test-00000000-0000-4000-8000-000000000000"


# --- helpers ----------------------------------------------------------------------------


def role_sources(member: Any) -> dict[str, list[tuple[str, Any]]]:
    """``{role_id: [(source type, details), ...]}`` of a Member's ``roles``."""
    return {
        role.role_id: [(source.type, source.details or None) for source in role.sources]
        for role in member.roles
    }


def dangerously_get_deleted(sdk: Any, member_id: str) -> Any:
    """``dangerously_get(include_deleted=True)``. The async Python client cannot send a bool
    query parameter (aiohttp/yarl raise TypeError before sending), so
    in async mode this checks that limitation and asks through the sync method instead."""
    if sdk.mode == "async":
        with pytest.raises(TypeError):
            sdk.organizations.members.dangerously_get(member_id=member_id, include_deleted=True)
        return sdk.raw.organizations.members.dangerously_get(
            member_id=member_id, include_deleted=True
        )
    return sdk.organizations.members.dangerously_get(member_id=member_id, include_deleted=True)


def statuses_query(*statuses: str) -> dict[str, Any]:
    return search_query(("statuses", list(statuses)))


# --- create and get ---------------------------------------------------------------------


def test_created_member_is_active_with_an_unverified_email(sdk, new_org, email):
    org = new_org()
    address = email("ada")

    resp = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=address, name="Ada Lovelace"
    )

    member = resp.member
    assert resp.member_id == member.member_id
    assert member.member_id.startswith("member-test-")
    assert resp.organization.organization_id == org.organization_id
    assert member.organization_id == org.organization_id
    assert (member.email_address, member.name, member.status) == (address, "Ada Lovelace", "active")
    assert member.email_address_verified is False
    assert member.is_admin is False
    assert member.is_breakglass is False
    assert "stytch_member" in role_sources(member)


def test_member_created_as_pending_is_pending(sdk, new_org, email):
    org = new_org()

    member = sdk.organizations.members.create(
        organization_id=org.organization_id,
        email_address=email("pending"),
        create_member_as_pending=True,
    ).member

    assert member.status == "pending"
    fetched = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=member.member_id
    ).member
    assert fetched.status == "pending"


def test_get_member_by_id_and_by_email(sdk, new_org, email):
    org = new_org()
    address = email("grace")
    created = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=address
    ).member

    by_id = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=created.member_id
    )
    by_email = sdk.organizations.members.get(
        organization_id=org.organization_id, email_address=address
    )
    by_slug = sdk.organizations.members.get(
        organization_id=org.organization_slug, member_id=created.member_id
    )

    assert by_id.member_id == by_email.member_id == by_slug.member_id == created.member_id
    assert by_email.member.email_address == address
    assert by_id.organization.organization_id == org.organization_id


def test_get_member_by_an_email_with_a_plus(sdk, new_org, email):
    org = new_org()
    plain = email("tag")
    tagged = plain.replace("@", "+billing@")
    other = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=plain
    ).member
    created = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=tagged
    ).member

    found = sdk.organizations.members.get(
        organization_id=org.organization_id, email_address=tagged
    ).member

    assert found.member_id == created.member_id != other.member_id
    assert found.email_address == tagged


def test_dangerously_get_finds_a_member_by_id_alone(sdk, new_org, email):
    org = new_org()
    created = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("anywhere")
    ).member

    resp = sdk.organizations.members.dangerously_get(member_id=created.member_id)

    assert resp.member.member_id == created.member_id
    assert resp.organization.organization_id == org.organization_id


# --- update -----------------------------------------------------------------------------


def test_update_name_and_metadata_round_trip(sdk, new_org, email):
    org = new_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id,
        email_address=email("meta"),
        name="Before",
        untrusted_metadata={"theme": "dark"},
    ).member
    trusted = {"employee": {"id": 42, "team": "platform"}, "tags": ["a", "b"]}

    updated = sdk.organizations.members.update(
        organization_id=org.organization_id,
        member_id=member.member_id,
        name="After",
        trusted_metadata=trusted,
    ).member

    assert updated.name == "After"
    assert updated.trusted_metadata == trusted
    assert updated.untrusted_metadata == {"theme": "dark"}  # not sent, not changed
    assert (updated.email_address, updated.status) == (member.email_address, "active")
    fetched = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=member.member_id
    ).member
    assert (fetched.name, fetched.trusted_metadata) == ("After", trusted)
    assert fetched.untrusted_metadata == {"theme": "dark"}


def test_roles_replace_explicit_roles(sdk, new_org, email):
    org = new_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("roles")
    ).member
    assert set(role_sources(member)) == {"stytch_member"}

    admin = sdk.organizations.members.update(
        organization_id=org.organization_id, member_id=member.member_id, roles=["stytch_admin"]
    ).member

    assert set(role_sources(admin)) == {"stytch_member", "stytch_admin"}
    assert role_sources(admin)["stytch_admin"] == [("direct_assignment", None)]
    assert admin.is_admin is True

    plain = sdk.organizations.members.update(
        organization_id=org.organization_id, member_id=member.member_id, roles=[]
    ).member

    assert set(role_sources(plain)) == {"stytch_member"}
    assert plain.is_admin is False


def test_roles_list_shows_email_domain_grants_with_their_source(sdk, new_org, email):
    domain = "acme-rbac.co"
    org = new_org(
        rbac_email_implicit_role_assignments=[{"domain": domain, "role_id": "stytch_admin"}]
    )
    on_domain = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("implicit", domain)
    ).member
    elsewhere = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("implicit")
    ).member

    assert role_sources(on_domain)["stytch_admin"] == [
        ("email_assignment", {"email_domain": domain})
    ]
    assert set(role_sources(elsewhere)) == {"stytch_member"}

    both = sdk.organizations.members.update(
        organization_id=org.organization_id, member_id=on_domain.member_id, roles=["stytch_admin"]
    ).member
    assert sorted(t for t, _ in role_sources(both)["stytch_admin"]) == [
        "direct_assignment",
        "email_assignment",
    ]
    cleared = sdk.organizations.members.update(
        organization_id=org.organization_id, member_id=on_domain.member_id, roles=[]
    ).member
    # Clearing explicit roles leaves the implicit grant.
    assert role_sources(cleared)["stytch_admin"] == [("email_assignment", {"email_domain": domain})]


# --- delete and reactivate --------------------------------------------------------------


def test_deleted_member_is_only_found_when_deleted_ones_are_asked_for(sdk, new_org, email):
    org = new_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("deleted")
    ).member

    resp = sdk.organizations.members.delete(
        organization_id=org.organization_id, member_id=member.member_id
    )

    assert resp.member_id == member.member_id
    refused(
        sdk.organizations.members.dangerously_get,
        404,
        "member_not_found",
        member_id=member.member_id,
    )
    assert dangerously_get_deleted(sdk, member.member_id).member.status == "deleted"
    assert sdk.organizations.members.search(organization_ids=[org.organization_id]).members == []
    found = sdk.organizations.members.search(
        organization_ids=[org.organization_id], query=statuses_query("deleted")
    )
    assert [(m.member_id, m.status) for m in found.members] == [(member.member_id, "deleted")]


def test_deleting_a_member_revokes_its_sessions(sdk, mock, new_org, email):
    org = new_org()
    address = email("revoked")
    sdk.organizations.members.create(organization_id=org.organization_id, email_address=address)
    login = log_in(sdk, mock, org.organization_id, address)
    assert sdk.sessions.authenticate(session_token=login.session_token).member.member_id == (
        login.member_id
    )

    sdk.organizations.members.delete(organization_id=org.organization_id, member_id=login.member_id)

    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=login.session_token)
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_jwt=login.session_jwt)


def test_reactivating_a_member_with_an_unverified_email_is_refused(sdk, new_org, email):
    org = new_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("unverified")
    ).member
    assert member.email_address_verified is False
    sdk.organizations.members.delete(
        organization_id=org.organization_id, member_id=member.member_id
    )

    refused(
        sdk.organizations.members.reactivate,
        400,
        "email_unverified_for_reactivation",
        organization_id=org.organization_id,
        member_id=member.member_id,
    )

    assert dangerously_get_deleted(sdk, member.member_id).member.status == "deleted"


def test_member_who_logged_in_can_be_reactivated(sdk, mock, new_org, email):
    org = new_org()
    address = email("returning")
    sdk.organizations.members.create(organization_id=org.organization_id, email_address=address)
    login = log_in(sdk, mock, org.organization_id, address)
    assert login.member.email_address_verified is True
    sdk.organizations.members.delete(organization_id=org.organization_id, member_id=login.member_id)

    resp = sdk.organizations.members.reactivate(
        organization_id=org.organization_id, member_id=login.member_id
    )

    assert resp.member.member_id == login.member_id
    assert resp.member.status == "active"
    fetched = sdk.organizations.members.get(
        organization_id=org.organization_id, email_address=address
    ).member
    assert (fetched.member_id, fetched.status) == (login.member_id, "active")
    # The sessions revoked by the delete stay revoked.
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=login.session_token)


def test_reactivating_an_active_member_is_refused(sdk, new_org, email):
    org = new_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("active")
    ).member

    refused(
        sdk.organizations.members.reactivate,
        400,
        "no_deleted_member_found_for_reactivation",
        organization_id=org.organization_id,
        member_id=member.member_id,
    )


# --- search -----------------------------------------------------------------------------


def test_member_search_returns_members_with_their_organizations(sdk, new_org, email):
    first, second = new_org(), new_org()
    a = sdk.organizations.members.create(
        organization_id=first.organization_id, email_address=email("first")
    ).member
    b = sdk.organizations.members.create(
        organization_id=second.organization_id, email_address=email("second")
    ).member
    new_org()  # an organization outside the search

    found = sdk.organizations.members.search(
        organization_ids=[first.organization_id, second.organization_id]
    )

    assert {m.member_id for m in found.members} == {a.member_id, b.member_id}
    assert found.results_metadata.total == 2
    assert set(found.organizations) == {first.organization_id, second.organization_id}
    assert found.organizations[first.organization_id].organization_slug == (first.organization_slug)


def test_member_search_by_statuses_including_deleted(sdk, new_org, email):
    org = new_org()
    members = sdk.organizations.members
    active = members.create(organization_id=org.organization_id, email_address=email("a")).member
    pending = members.create(
        organization_id=org.organization_id,
        email_address=email("p"),
        create_member_as_pending=True,
    ).member
    deleted = members.create(organization_id=org.organization_id, email_address=email("d")).member
    members.delete(organization_id=org.organization_id, member_id=deleted.member_id)

    def by_status(*statuses: str) -> set[tuple[str, str]]:
        query = statuses_query(*statuses) if statuses else None
        found = members.search(organization_ids=[org.organization_id], query=query)
        return {(m.member_id, m.status) for m in found.members}

    assert by_status() == {(active.member_id, "active"), (pending.member_id, "pending")}
    assert by_status("pending") == {(pending.member_id, "pending")}
    assert by_status("deleted") == {(deleted.member_id, "deleted")}
    assert by_status("active", "deleted") == {
        (active.member_id, "active"),
        (deleted.member_id, "deleted"),
    }


def test_member_search_by_emails_and_ids(sdk, new_org, email):
    org = new_org()
    members = sdk.organizations.members
    ada = members.create(organization_id=org.organization_id, email_address=email("ada")).member
    bob = members.create(organization_id=org.organization_id, email_address=email("bob")).member

    def search(name: str, value: Any) -> set[str]:
        query = search_query((name, value))
        found = members.search(organization_ids=[org.organization_id], query=query)
        return {m.member_id for m in found.members}

    assert search("member_emails", [ada.email_address]) == {ada.member_id}
    assert search("member_ids", [bob.member_id]) == {bob.member_id}
    assert search("member_email_fuzzy", bob.email_address.split("@")[0]) == {bob.member_id}
    assert search("member_email_fuzzy", "example.com") == {ada.member_id, bob.member_id}


def test_member_search_pages_with_cursor(sdk, new_org, email):
    org = new_org()
    made = {
        sdk.organizations.members.create(
            organization_id=org.organization_id, email_address=email(f"page{i}")
        ).member.member_id
        for i in range(3)
    }

    first = sdk.organizations.members.search(organization_ids=[org.organization_id], limit=2)
    second = sdk.organizations.members.search(
        organization_ids=[org.organization_id], limit=2, cursor=first.results_metadata.next_cursor
    )

    assert (len(first.members), first.results_metadata.total) == (2, 3)
    assert first.results_metadata.next_cursor
    assert (len(second.members), second.results_metadata.total) == (1, 3)
    assert not second.results_metadata.next_cursor
    assert {m.member_id for m in first.members + second.members} == made


def test_member_search_without_organizations_is_refused(sdk):
    refused(
        sdk.organizations.members.search,
        400,
        "member_search_organization_ids_empty",
        organization_ids=[],
    )


# --- validation -------------------------------------------------------------------------


def test_duplicate_member_email_is_refused(sdk, new_org, email):
    org = new_org()
    address = email("twice")
    first = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=address, name="First"
    ).member

    refused(
        sdk.organizations.members.create,
        400,
        "duplicate_member_email",
        organization_id=org.organization_id,
        email_address=address,
        name="Second",
    )

    found = sdk.organizations.members.search(organization_ids=[org.organization_id])
    assert [(m.member_id, m.name) for m in found.members] == [(first.member_id, "First")]


def test_same_email_may_be_a_member_of_two_organizations(sdk, new_org, email):
    first, second = new_org(), new_org()
    address = email("both")

    a = sdk.organizations.members.create(
        organization_id=first.organization_id, email_address=address
    ).member
    b = sdk.organizations.members.create(
        organization_id=second.organization_id, email_address=address
    ).member

    assert a.member_id != b.member_id
    assert (a.organization_id, b.organization_id) == (first.organization_id, second.organization_id)


@pytest.mark.parametrize("bad", ["not-an-email", "two@@example.com", "@example.com", "ada@"])
def test_invalid_email_is_refused(sdk, new_org, bad):
    org = new_org()

    refused(
        sdk.organizations.members.create,
        400,
        "invalid_email",
        organization_id=org.organization_id,
        email_address=bad,
    )

    assert sdk.organizations.members.search(organization_ids=[org.organization_id]).members == []


def test_unknown_member_is_not_found(sdk, new_org, email):
    org = new_org()
    members = sdk.organizations.members
    oid = org.organization_id

    refused(members.get, 404, "member_not_found", organization_id=oid, member_id=MISSING_MEMBER)
    refused(
        members.get, 404, "member_not_found", organization_id=oid, email_address=email("nobody")
    )
    refused(
        members.update,
        404,
        "member_not_found",
        organization_id=oid,
        member_id=MISSING_MEMBER,
        name="x",
    )
    refused(members.delete, 404, "member_not_found", organization_id=oid, member_id=MISSING_MEMBER)
    refused(members.dangerously_get, 404, "member_not_found", member_id=MISSING_MEMBER)


def test_member_of_another_organization_is_not_found(sdk, new_org, email):
    home, other = new_org(), new_org()
    member = sdk.organizations.members.create(
        organization_id=home.organization_id, email_address=email("elsewhere")
    ).member

    refused(
        sdk.organizations.members.get,
        404,
        "member_not_found",
        organization_id=other.organization_id,
        member_id=member.member_id,
    )
