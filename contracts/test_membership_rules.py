"""The membership rules behind discovery: which organizations an email sees, as what, and what
joining one does.

Sources: https://stytch.com/docs/b2b/api/discovered-organization-object (membership types and
the conditions of ``eligible_to_join_by_email_domain``), the SDK's exchange docstrings
(discovery_intermediate_sessions.py and sessions.py in
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/) and member statuses.
Every scenario proves an email through a discovery magic link read from the mock's outbox, so
all of them ask for ``mock`` (mock-only).
"""

from __future__ import annotations

from typing import Any

import pytest

from contracts.helpers import assert_not_a_member, discover, log_in, refused

ELIGIBLE = "eligible_to_join_by_email_domain"


# --- helpers ----------------------------------------------------------------------------


def memberships(discovered: list[Any]) -> dict[str, tuple[str, str | None]]:
    """``{organization_id: (membership type, member_id or None)}``."""
    out = {}
    for entry in discovered:
        member = entry.membership.member
        out[entry.organization.organization_id] = (
            entry.membership.type,
            member.member_id if member else None,
        )
    return out


def listed(sdk: Any, ist: str) -> dict[str, tuple[str, str | None]]:
    resp = sdk.discovery.organizations.list(intermediate_session_token=ist)
    return memberships(resp.discovered_organizations)


def add_member(sdk: Any, org: Any, email_address: str, **fields: Any) -> Any:
    return sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email_address, **fields
    ).member


@pytest.fixture
def jit_org(new_org):
    """An organization that JIT-provisions acme.co emails (RESTRICTED + allowed domain)."""
    return new_org(
        organization_name="Acme JIT",
        email_allowed_domains=["acme.co", "acme-labs.co"],
        email_jit_provisioning="RESTRICTED",
    )


# --- memberships ------------------------------------------------------------------------


def test_invited_member_is_discovered_and_exchange_accepts_the_invite(sdk, mock, new_org, email):
    org = new_org()
    address = email("invited")
    invited = sdk.magic_links.email.invite(
        organization_id=org.organization_id, email_address=address
    ).member

    found = discover(sdk, mock, address)

    entry = next(
        e
        for e in found.discovered_organizations
        if e.organization.organization_id == org.organization_id
    )
    assert entry.membership.type == "invited_member"
    assert entry.membership.member.member_id == invited.member_id
    assert entry.membership.member.status == "invited"

    joined = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=org.organization_id,
    )

    assert joined.member_authenticated is True
    assert (joined.member_id, joined.member.status) == (invited.member_id, "active")
    assert joined.member_session.organization_id == org.organization_id
    assert joined.session_token and joined.intermediate_session_token == ""
    fetched = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=invited.member_id
    ).member
    assert fetched.status == "active"


def test_pending_and_active_members_are_discovered_as_such(sdk, mock, new_org, email):
    pending_org, active_org, unrelated = new_org(), new_org(), new_org()
    address = email("both")
    pending = add_member(sdk, pending_org, address, create_member_as_pending=True)
    active = add_member(sdk, active_org, address)
    add_member(sdk, unrelated, email("someone-else"))

    found = discover(sdk, mock, address)

    assert memberships(found.discovered_organizations) == {
        pending_org.organization_id: ("pending_member", pending.member_id),
        active_org.organization_id: ("active_member", active.member_id),
    }
    for entry in found.discovered_organizations:
        assert entry.member_authenticated is True
        assert entry.membership.details is None


def test_exchange_activates_a_pending_member(sdk, mock, new_org, email):
    org = new_org()
    address = email("pending")
    pending = add_member(sdk, org, address, create_member_as_pending=True)
    found = discover(sdk, mock, address)

    joined = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=org.organization_id,
    )

    assert (joined.member_id, joined.member.status) == (pending.member_id, "active")
    assert joined.member.email_address_verified is True


def test_deleted_member_is_no_longer_discovered(sdk, mock, new_org, email):
    kept_org, left_org = new_org(), new_org()
    address = email("leaver")
    kept = add_member(sdk, kept_org, address)
    left = add_member(sdk, left_org, address)
    before = discover(sdk, mock, address)
    assert set(memberships(before.discovered_organizations)) == {
        kept_org.organization_id,
        left_org.organization_id,
    }

    sdk.organizations.members.delete(
        organization_id=left_org.organization_id, member_id=left.member_id
    )

    after = discover(sdk, mock, address)
    assert memberships(after.discovered_organizations) == {
        kept_org.organization_id: ("active_member", kept.member_id)
    }
    # An IST made before the delete lists the current memberships too.
    assert listed(sdk, before.intermediate_session_token) == {
        kept_org.organization_id: ("active_member", kept.member_id)
    }


def test_unused_signup_link_leaves_a_pending_member(sdk, mock, new_org):
    org = new_org(email_allowed_domains=["acme.co"])
    signup = sdk.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address="waiting@acme.co"
    )
    assert signup.member_created is True

    found = discover(sdk, mock, "waiting@acme.co")

    assert memberships(found.discovered_organizations) == {
        org.organization_id: ("pending_member", signup.member_id)
    }


def test_deleted_organization_is_no_longer_discovered(sdk, mock, new_org, email):
    kept_org, gone_org = new_org(), new_org()
    address = email("orphan")
    kept = add_member(sdk, kept_org, address)
    add_member(sdk, gone_org, address)
    found = discover(sdk, mock, address)

    sdk.organizations.delete(organization_id=gone_org.organization_id)

    assert listed(sdk, found.intermediate_session_token) == {
        kept_org.organization_id: ("active_member", kept.member_id)
    }
    refused(
        sdk.discovery.intermediate_sessions.exchange,
        404,
        "organization_not_found",
        intermediate_session_token=found.intermediate_session_token,
        organization_id=gone_org.organization_id,
    )


# --- eligible_to_join_by_email_domain ---------------------------------------------------


def test_eligible_by_domain_needs_a_verified_member_on_that_domain(sdk, mock, jit_org):
    # An API-created member on acme.co has an unverified email: not enough (anti-phishing).
    unverified = add_member(sdk, jit_org, "colleague@acme.co")
    assert unverified.email_address_verified is False
    found = discover(sdk, mock, "newcomer@acme.co")
    assert jit_org.organization_id not in memberships(found.discovered_organizations)

    verified = log_in(sdk, mock, jit_org.organization_id, "colleague@acme.co").member
    assert verified.email_address_verified is True

    entries = sdk.discovery.organizations.list(
        intermediate_session_token=found.intermediate_session_token
    ).discovered_organizations
    assert memberships(entries) == {jit_org.organization_id: (ELIGIBLE, None)}
    assert entries[0].membership.details == {"domain": "acme.co"}
    assert entries[0].membership.member is None


def test_eligible_by_domain_is_per_domain(sdk, mock, jit_org, email):
    log_in(sdk, mock, jit_org.organization_id, "verified@acme.co")

    # acme-labs.co is allowed too, but no member with a verified acme-labs.co email exists.
    labs = discover(sdk, mock, "scientist@acme-labs.co")
    assert jit_org.organization_id not in memberships(labs.discovered_organizations)
    # A domain the organization does not allow.
    outsider = discover(sdk, mock, email("outsider", "not-acme.co"))
    assert outsider.discovered_organizations == []
    # The verified domain itself.
    insider = discover(sdk, mock, "insider@acme.co")
    assert memberships(insider.discovered_organizations) == {
        jit_org.organization_id: (ELIGIBLE, None)
    }


def test_eligible_by_domain_needs_restricted_jit_provisioning(sdk, mock, new_org):
    org = new_org(email_allowed_domains=["acme.co"])  # email_jit_provisioning NOT_ALLOWED
    assert org.email_jit_provisioning == "NOT_ALLOWED"
    log_in(sdk, mock, org.organization_id, "verified@acme.co")

    found = discover(sdk, mock, "newcomer@acme.co")
    assert org.organization_id not in memberships(found.discovered_organizations)

    sdk.organizations.update(
        organization_id=org.organization_id, email_jit_provisioning="RESTRICTED"
    )
    assert listed(sdk, found.intermediate_session_token) == {org.organization_id: (ELIGIBLE, None)}


def test_eligible_by_domain_disappears_when_the_verified_member_is_deleted(sdk, mock, jit_org):
    colleague = log_in(sdk, mock, jit_org.organization_id, "only@acme.co")
    found = discover(sdk, mock, "newcomer@acme.co")
    assert listed(sdk, found.intermediate_session_token) == {
        jit_org.organization_id: (ELIGIBLE, None)
    }

    sdk.organizations.members.delete(
        organization_id=jit_org.organization_id, member_id=colleague.member_id
    )

    assert listed(sdk, found.intermediate_session_token) == {}


def test_exchange_jit_provisions_an_active_verified_member(sdk, mock, jit_org):
    log_in(sdk, mock, jit_org.organization_id, "founder@acme.co")
    found = discover(sdk, mock, "joiner@acme.co")

    joined = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=jit_org.organization_id,
    )

    assert joined.member_authenticated is True
    assert joined.member.email_address == "joiner@acme.co"
    assert joined.member.status == "active"
    assert joined.member.email_address_verified is True
    assert joined.organization.organization_id == jit_org.organization_id
    assert joined.member_session.member_id == joined.member_id
    fetched = sdk.organizations.members.get(
        organization_id=jit_org.organization_id, email_address="joiner@acme.co"
    ).member
    assert (fetched.member_id, fetched.status) == (joined.member_id, "active")
    # The intermediate session was used up by the exchange.
    refused(
        sdk.discovery.organizations.list,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=found.intermediate_session_token,
    )


def test_exchange_into_an_organization_without_jit_is_refused(sdk, mock, new_org, email):
    # [chosen] 403 email_jit_provisioning_not_allowed: Stytch's error list has the type; the
    # status of a refused exchange is not documented.
    org = new_org(email_allowed_domains=["acme.co"])  # email_jit_provisioning NOT_ALLOWED
    log_in(sdk, mock, org.organization_id, "verified@acme.co")
    found = discover(sdk, mock, "newcomer@acme.co")

    refused(
        sdk.discovery.intermediate_sessions.exchange,
        403,
        "email_jit_provisioning_not_allowed",
        intermediate_session_token=found.intermediate_session_token,
        organization_id=org.organization_id,
    )

    assert_not_a_member(sdk, org.organization_id, "newcomer@acme.co")
    # A refused exchange does not use up the intermediate session.
    assert listed(sdk, found.intermediate_session_token) == {}


def test_exchange_without_a_verified_colleague_is_refused(sdk, mock, jit_org):
    # [chosen] 403 invalid_email_for_jit_provisioning (type from Stytch's error list).
    add_member(sdk, jit_org, "unverified@acme.co")
    found = discover(sdk, mock, "newcomer@acme.co")

    refused(
        sdk.discovery.intermediate_sessions.exchange,
        403,
        "invalid_email_for_jit_provisioning",
        intermediate_session_token=found.intermediate_session_token,
        organization_id=jit_org.organization_id,
    )

    assert_not_a_member(sdk, jit_org.organization_id, "newcomer@acme.co")


# --- listing with a member session ------------------------------------------------------


@pytest.fixture
def four_orgs(sdk, mock, new_org, jit_org):
    """ada@acme.co: active (logged in) in ``home``, invited to ``invited``, pending in
    ``pending``, and eligible by domain for ``jit_org`` (a verified colleague is there)."""
    home, invited, pending = new_org(), new_org(), new_org()
    add_member(sdk, home, "ada@acme.co")
    login = log_in(sdk, mock, home.organization_id, "ada@acme.co")
    sdk.magic_links.email.invite(
        organization_id=invited.organization_id, email_address="ada@acme.co"
    )
    add_member(sdk, pending, "ada@acme.co", create_member_as_pending=True)
    log_in(sdk, mock, jit_org.organization_id, "colleague@acme.co")
    return {"home": home, "invited": invited, "pending": pending, "jit": jit_org, "login": login}


def test_member_session_lists_only_memberships(sdk, mock, four_orgs):
    o = four_orgs
    expected_types = {
        o["home"].organization_id: "active_member",
        o["invited"].organization_id: "invited_member",
        o["pending"].organization_id: "pending_member",
    }
    by_ist = discover(sdk, mock, "ada@acme.co")
    assert {k: t for k, (t, _) in memberships(by_ist.discovered_organizations).items()} == {
        **expected_types,
        o["jit"].organization_id: ELIGIBLE,
    }

    by_token = sdk.discovery.organizations.list(session_token=o["login"].session_token)
    by_jwt = sdk.discovery.organizations.list(session_jwt=o["login"].session_jwt)

    for resp in (by_token, by_jwt):
        assert resp.email_address == "ada@acme.co"
        assert {k: t for k, (t, _) in memberships(resp.discovered_organizations).items()} == (
            expected_types
        )
        assert all(
            not e.membership.type.startswith("eligible_") for e in resp.discovered_organizations
        )
    # Listing does not use up the session.
    assert sdk.sessions.authenticate(
        session_token=o["login"].session_token
    ).member.email_address == ("ada@acme.co")


def test_list_needs_exactly_one_credential(sdk, mock, four_orgs):
    login = four_orgs["login"]
    refused(
        sdk.discovery.organizations.list,
        400,
        "too_many_session_arguments",
        session_token=login.session_token,
        session_jwt=login.session_jwt,
    )
    refused(sdk.discovery.organizations.list, 400, "no_session_arguments")


# --- sessions.exchange ------------------------------------------------------------------


def test_session_exchange_moves_to_another_membership(sdk, mock, new_org):
    home, other = new_org(), new_org()
    add_member(sdk, home, "ada@acme.co")
    there = add_member(sdk, other, "ada@acme.co")
    login = log_in(sdk, mock, home.organization_id, "ada@acme.co")

    moved = sdk.sessions.exchange(
        organization_id=other.organization_id, session_token=login.session_token
    )

    assert moved.member_authenticated is True
    assert moved.member_id == there.member_id
    assert moved.organization.organization_id == other.organization_id
    assert moved.member_session.organization_id == other.organization_id
    assert moved.member_session.member_id == there.member_id
    checked = sdk.sessions.authenticate(session_token=moved.session_token)
    assert checked.organization.organization_id == other.organization_id


def test_session_exchange_accepts_an_invite(sdk, mock, four_orgs):
    o = four_orgs
    moved = sdk.sessions.exchange(
        organization_id=o["invited"].organization_id, session_token=o["login"].session_token
    )

    assert moved.member.status == "active"
    assert moved.member_session.organization_id == o["invited"].organization_id


def test_session_exchange_does_not_jit_provision(sdk, mock, four_orgs):
    # [chosen] 404 member_not_found: Stytch documents that sessions.exchange cannot
    # JIT-provision by domain, not the error.
    o = four_orgs

    refused(
        sdk.sessions.exchange,
        404,
        "member_not_found",
        organization_id=o["jit"].organization_id,
        session_token=o["login"].session_token,
    )

    assert_not_a_member(sdk, o["jit"].organization_id, "ada@acme.co")
