"""Organizations: create (defaults), get, partial update, delete, search and validation.

Sources: the Python SDK's organizations docstrings and models:
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/organizations.py.
Every scenario runs through the sync and the async SDK methods; organizations get unique slugs
(``new_org``) and are deleted afterwards, so the scenarios also make sense on real Stytch.
"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.helpers import MISSING_ORGANIZATION_ID, log_in, refused, search_query
from contracts.support import unique

# --- helpers ----------------------------------------------------------------------------


def snapshot(org: Any) -> dict[str, Any]:
    return org.model_dump()


def ids(orgs: list[Any]) -> set[str]:
    return {o.organization_id for o in orgs}


# --- create -----------------------------------------------------------------------------


def test_create_without_auth_settings_uses_stytch_defaults(sdk, new_org):
    slug = unique("defaults")
    org = new_org(organization_name="Defaults Inc", organization_slug=slug)

    assert org.organization_id.startswith("organization-test-")
    assert (org.organization_name, org.organization_slug) == ("Defaults Inc", slug)
    assert org.email_invites == "ALL_ALLOWED"
    assert org.email_jit_provisioning == "NOT_ALLOWED"
    assert org.sso_jit_provisioning == "ALL_ALLOWED"
    assert org.auth_methods == "ALL_ALLOWED"
    assert org.allowed_auth_methods == []
    assert org.mfa_policy == "OPTIONAL"
    assert org.mfa_methods == "ALL_ALLOWED"
    assert org.oauth_tenant_jit_provisioning == "NOT_ALLOWED"
    assert org.email_allowed_domains == []
    assert org.claimed_email_domains == []
    assert org.sso_active_connections == []


@pytest.mark.parametrize(
    "settings",
    [
        {"email_allowed_domains": ["acme-defaults.co"]},
        {"mfa_policy": "OPTIONAL"},
        {"sso_jit_provisioning": "ALL_ALLOWED"},
    ],
    ids=["email_allowed_domains", "mfa_policy", "sso_jit_provisioning"],
)
def test_create_with_an_auth_setting_defaults_email_invites_to_not_allowed(sdk, new_org, settings):
    org = new_org(**settings)

    assert org.email_invites == "NOT_ALLOWED"
    # The other defaults do not move.
    assert org.email_jit_provisioning == "NOT_ALLOWED"
    assert org.sso_jit_provisioning == "ALL_ALLOWED"
    assert org.auth_methods == "ALL_ALLOWED"
    assert org.mfa_policy == "OPTIONAL"


def test_create_keeps_the_settings_it_is_given(sdk, new_org):
    org = new_org(
        email_allowed_domains=["acme-given.co"],
        email_jit_provisioning="RESTRICTED",
        email_invites="RESTRICTED",
        auth_methods="RESTRICTED",
        allowed_auth_methods=["magic_link", "password"],
        mfa_policy="REQUIRED_FOR_ALL",
        sso_jit_provisioning="NOT_ALLOWED",
        trusted_metadata={"plan": "pro", "seats": 5},
    )

    assert org.email_allowed_domains == ["acme-given.co"]
    assert (org.email_jit_provisioning, org.email_invites) == ("RESTRICTED", "RESTRICTED")
    assert org.auth_methods == "RESTRICTED"
    assert sorted(org.allowed_auth_methods) == ["magic_link", "password"]
    assert org.mfa_policy == "REQUIRED_FOR_ALL"
    assert org.sso_jit_provisioning == "NOT_ALLOWED"
    assert org.trusted_metadata == {"plan": "pro", "seats": 5}


# --- get --------------------------------------------------------------------------------


def test_get_by_id_and_by_slug_return_the_same_organization(sdk, new_org):
    # A slug with capitals (Stytch allows them) is found as it was returned.
    org = new_org(organization_slug=unique("Contract-Get"), email_allowed_domains=["acme-get.co"])

    by_id = sdk.organizations.get(organization_id=org.organization_id).organization
    by_slug = sdk.organizations.get(organization_id=org.organization_slug).organization

    assert by_id.organization_id == by_slug.organization_id == org.organization_id
    assert by_slug.organization_slug == org.organization_slug
    assert by_id.email_allowed_domains == ["acme-get.co"]


def test_unknown_organization_is_not_found(sdk):
    missing = MISSING_ORGANIZATION_ID
    refused(sdk.organizations.get, 404, "organization_not_found", organization_id=missing)
    refused(
        sdk.organizations.update,
        404,
        "organization_not_found",
        organization_id=missing,
        organization_name="Nobody",
    )
    refused(sdk.organizations.delete, 404, "organization_not_found", organization_id=missing)
    refused(sdk.organizations.get, 404, "organization_not_found", organization_id=unique("no-slug"))


# --- update -----------------------------------------------------------------------------


def test_update_changes_only_the_fields_sent(sdk, new_org):
    org = new_org(
        organization_name="Before",
        email_allowed_domains=["acme-partial.co"],
        email_invites="RESTRICTED",
        trusted_metadata={"tier": "gold"},
    )

    updated = sdk.organizations.update(
        organization_id=org.organization_id, organization_name="After"
    ).organization

    assert updated.organization_name == "After"
    before, after = snapshot(org), snapshot(updated)
    for field in ("organization_name", "updated_at"):
        before.pop(field), after.pop(field)
    assert after == before
    fetched = sdk.organizations.get(organization_id=org.organization_id).organization
    assert fetched.organization_name == "After"
    assert fetched.email_allowed_domains == ["acme-partial.co"]
    assert fetched.email_invites == "RESTRICTED"
    assert fetched.trusted_metadata == {"tier": "gold"}


def test_update_settings_and_trusted_metadata_round_trip(sdk, new_org):
    org = new_org()
    metadata = {"billing": {"plan": "enterprise", "seats": 250}, "flags": ["beta", "sso"]}

    updated = sdk.organizations.update(
        organization_id=org.organization_id,
        trusted_metadata=metadata,
        email_allowed_domains=["acme-update.co"],
        email_jit_provisioning="RESTRICTED",
        mfa_policy="REQUIRED_FOR_ALL",
    ).organization

    assert updated.trusted_metadata == metadata
    assert updated.email_allowed_domains == ["acme-update.co"]
    assert updated.email_jit_provisioning == "RESTRICTED"
    assert updated.mfa_policy == "REQUIRED_FOR_ALL"
    assert updated.organization_name == org.organization_name
    assert updated.email_invites == org.email_invites
    fetched = sdk.organizations.get(organization_id=org.organization_id).organization
    assert fetched.trusted_metadata == metadata
    assert fetched.email_jit_provisioning == "RESTRICTED"


def test_update_by_slug_and_to_a_new_slug(sdk, new_org):
    org = new_org()
    new_slug = unique("renamed")

    updated = sdk.organizations.update(
        organization_id=org.organization_slug, organization_slug=new_slug
    ).organization

    assert (updated.organization_id, updated.organization_slug) == (org.organization_id, new_slug)
    assert sdk.organizations.get(organization_id=new_slug).organization.organization_id == (
        org.organization_id
    )
    refused(
        sdk.organizations.get, 404, "organization_not_found", organization_id=org.organization_slug
    )


# --- delete -----------------------------------------------------------------------------


def test_deleted_organization_and_its_members_are_gone(sdk, new_org, email):
    org = new_org()
    member = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("gone")
    ).member

    resp = sdk.organizations.delete(organization_id=org.organization_id)

    assert resp.organization_id == org.organization_id
    refused(
        sdk.organizations.get, 404, "organization_not_found", organization_id=org.organization_id
    )
    refused(
        sdk.organizations.get, 404, "organization_not_found", organization_id=org.organization_slug
    )
    refused(
        sdk.organizations.members.get,
        404,
        "organization_not_found",
        organization_id=org.organization_id,
        member_id=member.member_id,
    )
    refused(
        sdk.organizations.members.dangerously_get,
        404,
        "member_not_found",
        member_id=member.member_id,
    )
    found = sdk.organizations.search(
        query=search_query(("organization_ids", [org.organization_id]))
    )
    assert found.organizations == []


def test_deleting_an_organization_revokes_its_members_sessions(sdk, mock, new_org, email):
    org = new_org()
    address = email("session")
    sdk.organizations.members.create(organization_id=org.organization_id, email_address=address)
    session_token = log_in(sdk, mock, org.organization_id, address).session_token
    assert sdk.sessions.authenticate(session_token=session_token).member.email_address == address

    sdk.organizations.delete(organization_id=org.organization_id)

    refused(sdk.sessions.authenticate, 404, "session_not_found", session_token=session_token)


# --- search -----------------------------------------------------------------------------


@pytest.fixture
def search_orgs(sdk, new_org, email):
    """Three organizations with distinct names, slugs, domains and members, sharing one token
    (so each search is scoped to this test even in a busy real project)."""
    token = unique("srch").split("-")[1]
    domain_a, domain_b = f"{token}-alpha.com", f"{token}-beta.com"
    a = new_org(
        organization_name=f"Alpha {token}",
        organization_slug=f"alpha-{token}",
        email_allowed_domains=[domain_a],
    )
    b = new_org(
        organization_name=f"Beta {token}",
        organization_slug=f"beta-{token}",
        email_allowed_domains=[domain_b],
    )
    c = new_org(organization_name=f"Gamma {token}", organization_slug=f"gamma-{token}")
    alice = f"alice-{token}@{domain_a}"
    sdk.organizations.members.create(organization_id=a.organization_id, email_address=alice)
    bob = f"bob-{token}@{domain_b}"
    sdk.organizations.members.create(organization_id=b.organization_id, email_address=bob)
    return {
        "token": token,
        "a": a,
        "b": b,
        "c": c,
        "alice": alice,
        "bob": bob,
        "domain_a": domain_a,
        "domain_b": domain_b,
        "all_ids": [a.organization_id, b.organization_id, c.organization_id],
    }


def search(sdk: Any, *operands: tuple[str, Any], operator: str = "AND", **kw: Any) -> Any:
    return sdk.organizations.search(query=search_query(*operands, operator=operator), **kw)


def test_search_by_ids_slugs_and_fuzzy_name_and_slug(sdk, search_orgs):
    s = search_orgs
    a, b, c = s["a"], s["b"], s["c"]

    assert ids(search(sdk, ("organization_ids", [a.organization_id])).organizations) == {
        a.organization_id
    }
    found = search(sdk, ("organization_slugs", [b.organization_slug, c.organization_slug]))
    assert ids(found.organizations) == {b.organization_id, c.organization_id}
    assert found.results_metadata.total == 2
    found = search(sdk, ("organization_name_fuzzy", s["token"]))
    assert ids(found.organizations) == set(s["all_ids"])
    found = search(sdk, ("organization_name_fuzzy", f"gamma {s['token']}"))
    assert ids(found.organizations) == {c.organization_id}
    found = search(sdk, ("organization_slug_fuzzy", f"beta-{s['token']}"))
    assert ids(found.organizations) == {b.organization_id}


def test_search_by_member_emails_exact_and_fuzzy(sdk, search_orgs):
    s = search_orgs

    found = search(sdk, ("member_emails", [s["alice"]]))
    assert ids(found.organizations) == {s["a"].organization_id}
    found = search(sdk, ("member_email_fuzzy", f"bob-{s['token']}"))
    assert ids(found.organizations) == {s["b"].organization_id}
    found = search(sdk, ("member_email_fuzzy", s["token"]))
    assert ids(found.organizations) == {s["a"].organization_id, s["b"].organization_id}


def test_search_by_allowed_domains_exact_and_fuzzy(sdk, search_orgs):
    s = search_orgs

    found = search(sdk, ("allowed_domains", [s["domain_b"]]))
    assert ids(found.organizations) == {s["b"].organization_id}
    found = search(sdk, ("allowed_domain_fuzzy", f"{s['token']}-alp"))
    assert ids(found.organizations) == {s["a"].organization_id}
    found = search(sdk, ("allowed_domain_fuzzy", s["token"]))
    assert ids(found.organizations) == {s["a"].organization_id, s["b"].organization_id}


def test_search_by_claimed_email_domains(sdk, new_org):
    domain = f"{unique('claim')}.com"
    claimed = new_org(claimed_email_domains=[domain])
    new_org()

    found = search(sdk, ("claimed_email_domains", [domain]))

    assert ids(found.organizations) == {claimed.organization_id}
    assert found.organizations[0].claimed_email_domains == [domain]


def test_search_by_sso_connection_filters(sdk, search_orgs):
    s = search_orgs
    scope = ("organization_ids", s["all_ids"])

    assert ids(search(sdk, scope, ("has_active_sso_connection", False)).organizations) == set(
        s["all_ids"]
    )
    assert search(sdk, scope, ("has_active_sso_connection", True)).organizations == []
    missing = "saml-connection-test-00000000-0000-4000-8000-000000000000"
    assert search(sdk, scope, ("sso_connection_id", missing)).organizations == []


def test_search_and_requires_every_operand_or_any(sdk, search_orgs):
    s = search_orgs
    a, b = s["a"], s["b"]
    by_a = ("organization_slugs", [a.organization_slug])
    by_b = ("organization_slugs", [b.organization_slug])

    assert search(sdk, by_a, by_b, operator="AND").organizations == []
    assert ids(search(sdk, by_a, by_b, operator="OR").organizations) == {
        a.organization_id,
        b.organization_id,
    }
    both = search(sdk, ("organization_name_fuzzy", s["token"]), ("member_emails", [s["bob"]]))
    assert ids(both.organizations) == {b.organization_id}


def test_search_pages_with_limit_and_cursor(sdk, search_orgs):
    s = search_orgs
    name = ("organization_name_fuzzy", s["token"])

    first = search(sdk, name, limit=2)
    assert len(first.organizations) == 2
    assert first.results_metadata.total == 3
    assert first.results_metadata.next_cursor
    second = search(sdk, name, limit=2, cursor=first.results_metadata.next_cursor)
    assert len(second.organizations) == 1
    assert second.results_metadata.total == 3
    assert not second.results_metadata.next_cursor
    assert ids(first.organizations) | ids(second.organizations) == set(s["all_ids"])
    assert not ids(first.organizations) & ids(second.organizations)


def test_search_pages_through_many_organizations(sdk, mock):
    count = 250
    made = mock.seed(
        {
            "organizations": [
                {"organization_name": f"Seeded {i}", "organization_slug": f"seeded-{i:03d}"}
                for i in range(count)
            ]
        }
    )["organizations"]
    seeded = {o["organization_id"] for o in made}

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = sdk.organizations.search(limit=100, cursor=cursor)
        pages += 1
        assert page.results_metadata.total == count
        assert len(page.organizations) == (100 if pages < 3 else 50)
        seen += [o.organization_id for o in page.organizations]
        cursor = page.results_metadata.next_cursor
        if not cursor:
            break
        assert pages < 10, "next_cursor never ran out"
    assert pages == 3
    assert len(seen) == len(set(seen)) == count
    assert set(seen) == seeded

    everything = sdk.organizations.search(limit=1000)
    assert len(everything.organizations) == count
    assert everything.results_metadata.next_cursor is None


def test_search_limit_above_1000_is_refused(sdk):
    # [chosen] The mock answers invalid_argument; Stytch documents the maximum (1000), not the
    # error type.
    refused(sdk.organizations.search, 400, "invalid_argument", limit=1001)


def test_search_fuzzy_filter_needs_three_characters(sdk):
    refused(
        sdk.organizations.search,
        400,
        "organization_search_organization_name_fuzzy_too_short",
        query=search_query(("organization_name_fuzzy", "ab")),
    )


def test_search_unknown_filter_is_refused(sdk):
    refused(
        sdk.organizations.search,
        400,
        "organization_search_filter_name_not_recognized",
        query=search_query(("organization_colour", ["red"])),
    )


# --- validation: a refused create or update changes nothing -----------------------------


def assert_not_created(sdk: Any, slug: str) -> None:
    refused(sdk.organizations.get, 404, "organization_not_found", organization_id=slug)


def assert_unchanged(sdk: Any, org: Any) -> None:
    """The organization is as ``org`` shows it (a refused update changed nothing)."""
    current = sdk.organizations.get(organization_id=org.organization_id).organization
    assert snapshot(current) == snapshot(org)


@pytest.mark.parametrize("slug", ["a", "no spaces", "!!", "--", "slash/slug"])
def test_create_with_invalid_slug_is_refused(sdk, slug):
    refused(
        sdk.organizations.create,
        400,
        "invalid_organization_slug",
        organization_name="Bad Slug",
        organization_slug=slug,
    )


def test_create_with_a_used_slug_is_refused(sdk, new_org):
    org = new_org(trusted_metadata={"first": True})

    refused(
        sdk.organizations.create,
        400,
        "organization_slug_already_used",
        organization_name="Second",
        organization_slug=org.organization_slug,
    )

    kept = sdk.organizations.get(organization_id=org.organization_slug).organization
    assert snapshot(kept) == snapshot(org)


def test_common_email_domain_is_refused_in_allowed_domains(sdk, new_org):
    slug = unique("common")
    refused(
        sdk.organizations.create,
        400,
        "organization_settings_domain_too_common",
        organization_name="Common",
        organization_slug=slug,
        email_allowed_domains=["gmail.com"],
    )
    assert_not_created(sdk, slug)

    org = new_org(email_allowed_domains=["acme-common.co"])
    refused(
        sdk.organizations.update,
        400,
        "organization_settings_domain_too_common",
        organization_id=org.organization_id,
        email_allowed_domains=["acme-common.co", "gmail.com"],
    )
    assert_unchanged(sdk, org)


ENUM_SETTINGS = ["email_jit_provisioning", "email_invites", "auth_methods", "mfa_policy"]
# [chosen] Stytch documents the allowed values, not the error type: the mock uses the type of
# Stytch's error list that names the setting, else invalid_argument.
ENUM_ERROR = {
    "email_jit_provisioning": "invalid_argument",
    "email_invites": "invalid_argument",
    "auth_methods": "invalid_organization_auth_method_settings",
    "mfa_policy": "invalid_organization_mfa_policy",
}


@pytest.mark.parametrize("setting", ENUM_SETTINGS)
def test_unknown_setting_value_is_refused_on_create(sdk, setting):
    slug = unique("enum")
    refused(
        sdk.organizations.create,
        400,
        ENUM_ERROR[setting],
        organization_name="Enum",
        organization_slug=slug,
        **{setting: "SOMETIMES"},
    )
    assert_not_created(sdk, slug)


@pytest.mark.parametrize("setting", ENUM_SETTINGS)
def test_unknown_setting_value_is_refused_on_update(sdk, new_org, setting):
    org = new_org()
    refused(
        sdk.organizations.update,
        400,
        ENUM_ERROR[setting],
        organization_id=org.organization_id,
        organization_name="Changed",
        **{setting: "SOMETIMES"},
    )
    assert_unchanged(sdk, org)


def test_email_jit_provisioning_cannot_be_all_allowed(sdk, new_org):
    org = new_org(email_allowed_domains=["acme-jit.co"])
    refused(
        sdk.organizations.update,
        400,
        "invalid_argument",
        organization_id=org.organization_id,
        email_jit_provisioning="ALL_ALLOWED",
    )


def test_restricted_auth_methods_need_allowed_auth_methods(sdk, new_org):
    slug = unique("restricted")
    refused(
        sdk.organizations.create,
        400,
        "allowed_auth_methods_required_for_restricted",
        organization_name="Restricted",
        organization_slug=slug,
        auth_methods="RESTRICTED",
    )
    assert_not_created(sdk, slug)

    org = new_org()
    refused(
        sdk.organizations.update,
        400,
        "allowed_auth_methods_required_for_restricted",
        organization_id=org.organization_id,
        organization_name="Changed",
        auth_methods="RESTRICTED",
    )
    assert_unchanged(sdk, org)
    ok = sdk.organizations.update(
        organization_id=org.organization_id,
        auth_methods="RESTRICTED",
        allowed_auth_methods=["magic_link"],
    ).organization
    assert (ok.auth_methods, ok.allowed_auth_methods) == ("RESTRICTED", ["magic_link"])


@pytest.mark.parametrize("setting", ["email_invites", "email_jit_provisioning"])
def test_restricted_email_settings_need_allowed_domains(sdk, new_org, setting):
    slug = unique("noemail")
    refused(
        sdk.organizations.create,
        400,
        "invalid_restricted_email_setting",
        organization_name="No domains",
        organization_slug=slug,
        **{setting: "RESTRICTED"},
    )
    assert_not_created(sdk, slug)

    org = new_org()
    refused(
        sdk.organizations.update,
        400,
        "invalid_restricted_email_setting",
        organization_id=org.organization_id,
        organization_name="Changed",
        **{setting: "RESTRICTED"},
    )
    assert_unchanged(sdk, org)


def test_update_to_a_used_slug_is_refused(sdk, new_org):
    first, second = new_org(), new_org()

    refused(
        sdk.organizations.update,
        400,
        "organization_slug_already_used",
        organization_id=second.organization_id,
        organization_slug=first.organization_slug,
        organization_name="Changed",
    )

    assert_unchanged(sdk, second)
