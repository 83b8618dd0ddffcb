"""Discovery login: prove an email, then create an organization or join one you belong to.

Stytch's behaviour (the Python SDK's magic_links_email_discovery.py and discovery_*.py in
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/):
a discovery magic link is single use;
authenticating it gives an intermediate session token (IST, 10 minutes) and the organizations
the email may enter; creating an organization or exchanging the IST consumes it; listing does
not. The email only ever reaches the caller through an inbox, so every scenario that needs the
token reads the mock's outbox (``mock`` fixture: skipped on real Stytch). The discovery helpers
(``discover``, ``sign_up``, ...) are in ``contracts/helpers.py``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contracts.helpers import assert_near, company_email, discover, refused, sign_up
from contracts.support import SDK, unique

IST_LIFETIME = timedelta(minutes=10)


# --- new email: sign up ------------------------------------------------------------------


def test_new_email_signs_up_through_discovery_and_gets_a_verifiable_session(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()

    auth = discover(sdk, mock, email)
    assert auth.status_code == 200
    assert auth.email_address == email
    assert auth.discovered_organizations == []
    assert auth.intermediate_session_token
    # Older SDK response models (before 15.x) do not have this field; the mock sends it.
    if hasattr(auth, "intermediate_session_token_expires_at"):
        assert_near(auth.intermediate_session_token_expires_at, mock.now() + IST_LIFETIME)

    slug = unique("contract")
    created = sdk.discovery.organizations.create(
        intermediate_session_token=auth.intermediate_session_token,
        organization_name=f"Contract {slug}",
        organization_slug=slug,
    )
    made_orgs.append(created.organization.organization_id)
    assert created.member_authenticated is True
    assert created.intermediate_session_token == ""
    assert created.session_token and created.session_jwt
    org, member = created.organization, created.member
    assert (org.organization_slug, org.organization_name) == (slug, f"Contract {slug}")
    assert member.email_address == email
    assert member.organization_id == org.organization_id
    assert member.status == "active"
    assert member.email_address_verified is True
    assert member.is_admin is True
    roles = {role.role_id: role for role in member.roles}
    assert {"stytch_admin", "stytch_member"} <= set(roles)
    assert all(roles[r].sources for r in ("stytch_admin", "stytch_member"))
    assert "direct_assignment" in [s.type for s in roles["stytch_admin"].sources]
    session = created.member_session
    assert session is not None
    assert (session.member_id, session.organization_id) == (member.member_id, org.organization_id)
    assert session.organization_slug == slug
    assert {"stytch_admin", "stytch_member"} <= set(session.roles)
    assert [(f.type, f.delivery_method) for f in session.authentication_factors] == [
        ("magic_link", "email")
    ]
    assert session.authentication_factors[0].email_factor.email_address == email

    remote = sdk.sessions.authenticate(session_token=created.session_token)
    assert remote.member.member_id == member.member_id
    assert remote.organization.organization_id == org.organization_id
    assert remote.member_session.member_session_id == session.member_session_id

    local = sdk.sessions.authenticate_jwt_local(session_jwt=remote.session_jwt)
    assert local is not None, "the session JWT does not verify locally"
    expected = remote.member_session
    for field in (
        "member_session_id",
        "member_id",
        "organization_id",
        "organization_slug",
        "started_at",
        "last_accessed_at",
        "expires_at",
        "roles",
        "authentication_factors",
    ):
        assert getattr(local, field) == getattr(expected, field), field
    assert local.organization_slug == slug
    assert (local.custom_claims or {}) == (expected.custom_claims or {})

    revoked = sdk.sessions.revoke(session_token=created.session_token)
    assert revoked.status_code == 200
    refused(
        sdk.sessions.authenticate, 404, "session_not_found", session_token=created.session_token
    )
    refused(sdk.sessions.authenticate, 404, "session_not_found", session_jwt=remote.session_jwt)


@pytest.mark.parametrize("kind", ["company", "gmail"])
def test_discovery_create_without_name_derives_the_organization_from_the_email(
    sdk: SDK, mock: Any, made_orgs: list[str], kind: str
) -> None:
    """Company email -> from the domain; common provider (gmail.com) -> from the local part.
    Stytch documents the source, not the spelling (README fidelity notes), so only the source is
    checked: the distinctive part appears in the name and slug, the other part does not."""
    if kind == "company":
        email, source = company_email("ada")
        other = email.split("@")[0]
    else:
        source = unique("ada")
        email, other = f"{source}@gmail.com", "gmail"
    ist = discover(sdk, mock, email).intermediate_session_token

    created = sdk.discovery.organizations.create(intermediate_session_token=ist)
    made_orgs.append(created.organization.organization_id)

    org = created.organization
    assert created.member_authenticated is True
    assert source in org.organization_slug.lower()
    assert source in org.organization_name.lower()
    assert other not in org.organization_slug.lower()
    assert other not in org.organization_name.lower()
    assert created.member.email_address == email


@pytest.mark.parametrize(("given", "derived"), [("name", "slug"), ("slug", "name")])
def test_discovery_create_derives_the_missing_name_or_slug_from_the_email(
    sdk: SDK, mock: Any, made_orgs: list[str], given: str, derived: str
) -> None:
    """The SDK documents each default separately: "If the slug is not specified, a default slug
    will be created based on the email used to initiate the discovery flow" (not the name), and
    likewise for the name (not the slug)."""
    email, label = company_email("ada")
    ist = discover(sdk, mock, email).intermediate_session_token
    value = f"Named {unique('by-hand')}" if given == "name" else unique("by-hand")

    created = sdk.discovery.organizations.create(
        intermediate_session_token=ist, **{f"organization_{given}": value}
    )
    made_orgs.append(created.organization.organization_id)

    org = created.organization
    assert getattr(org, f"organization_{given}") == value
    assert label in getattr(org, f"organization_{derived}").lower()


# --- returning email: log in -------------------------------------------------------------


def test_returning_email_discovers_its_organization_as_an_active_member(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)

    auth = discover(sdk, mock, email)

    assert auth.email_address == email
    assert len(auth.discovered_organizations) == 1
    found = auth.discovered_organizations[0]
    assert found.organization.organization_id == created.organization.organization_id
    assert found.membership.type == "active_member"
    assert found.membership.member is not None
    assert found.membership.member.member_id == created.member.member_id
    assert found.membership.member.email_address == email
    assert found.member_authenticated is True
    assert found.primary_required is None and found.mfa_required is None


def test_exchanging_the_intermediate_session_logs_in_and_consumes_it(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    org_id = created.organization.organization_id
    ist = discover(sdk, mock, email).intermediate_session_token

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=ist, organization_id=org_id
    )

    assert exchanged.member_authenticated is True
    assert exchanged.member_id == created.member.member_id
    assert exchanged.organization.organization_id == org_id
    assert exchanged.intermediate_session_token == ""
    assert exchanged.member_session.member_id == created.member.member_id
    assert exchanged.member_session.member_session_id != created.member_session.member_session_id
    who = sdk.sessions.authenticate(session_token=exchanged.session_token)
    assert who.member.member_id == created.member.member_id
    refused(
        sdk.discovery.intermediate_sessions.exchange,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=ist,
        organization_id=org_id,
    )


def test_discovery_create_consumes_the_intermediate_session(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    ist = discover(sdk, mock, email).intermediate_session_token
    slug = unique("contract")
    created = sdk.discovery.organizations.create(
        intermediate_session_token=ist, organization_slug=slug, organization_name=slug
    )
    made_orgs.append(created.organization.organization_id)

    refused(
        sdk.discovery.organizations.create,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=ist,
        organization_slug=unique("contract"),
        organization_name="Second",
    )
    refused(
        sdk.discovery.organizations.list,
        404,
        "intermediate_session_not_found",
        intermediate_session_token=ist,
    )


def test_listing_discovered_organizations_does_not_consume_the_intermediate_session(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    org_id = created.organization.organization_id
    ist = discover(sdk, mock, email).intermediate_session_token

    for _ in range(2):
        listed = sdk.discovery.organizations.list(intermediate_session_token=ist)
        assert listed.email_address == email
        assert [d.organization.organization_id for d in listed.discovered_organizations] == [org_id]
        assert listed.discovered_organizations[0].membership.type == "active_member"
        assert listed.organization_id_hint is None

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=ist, organization_id=org_id
    )
    assert exchanged.member_authenticated is True
    assert exchanged.member_id == created.member.member_id


def test_listing_with_a_session_shows_memberships_but_not_organizations_to_join(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    """With an IST, an organization the email may join by domain is listed too
    (eligible_to_join_by_email_domain); with a member session, only memberships are."""
    email, label = company_email("ada")
    domain = email.split("@")[1]
    own = sign_up(sdk, mock, made_orgs, email)
    # A colleague's organization that JIT-provisions the domain; the colleague's verified email
    # on that domain makes it eligible (Stytch's anti-phishing rule,
    # https://stytch.com/docs/b2b/api/discovered-organization-object).
    colleague = sign_up(
        sdk,
        mock,
        made_orgs,
        f"{unique('bob')}@{domain}",
        email_jit_provisioning="RESTRICTED",
        email_allowed_domains=[domain],
    )
    joinable_id = colleague.organization.organization_id
    own_id = own.organization.organization_id

    by_ist = sdk.discovery.organizations.list(
        intermediate_session_token=discover(sdk, mock, email).intermediate_session_token
    )
    kinds = {d.organization.organization_id: d for d in by_ist.discovered_organizations}
    assert set(kinds) == {own_id, joinable_id}
    assert kinds[own_id].membership.type == "active_member"
    assert kinds[joinable_id].membership.type == "eligible_to_join_by_email_domain"
    assert kinds[joinable_id].membership.member is None
    assert kinds[joinable_id].membership.details == {"domain": domain}

    for session in ({"session_token": own.session_token}, {"session_jwt": own.session_jwt}):
        by_session = sdk.discovery.organizations.list(**session)
        assert by_session.email_address == email
        listed = [
            (d.organization.organization_id, d.membership.type)
            for d in by_session.discovered_organizations
        ]
        assert listed == [(own_id, "active_member")], session
    # Listing did not consume the session either.
    assert sdk.sessions.authenticate(session_token=own.session_token).member.member_id == (
        own.member.member_id
    )


# --- organizations that require MFA -------------------------------------------------------


def test_discovery_create_with_mfa_required_returns_the_same_intermediate_session(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    """The email link alone does not satisfy REQUIRED_FOR_ALL: no session, and the IST is not
    consumed but handed back for the MFA step (``mfa_required`` in the SDK's models)."""
    email, _ = company_email()
    ist = discover(sdk, mock, email).intermediate_session_token
    slug = unique("contract")

    created = sdk.discovery.organizations.create(
        intermediate_session_token=ist,
        organization_slug=slug,
        organization_name=slug,
        mfa_policy="REQUIRED_FOR_ALL",
    )
    made_orgs.append(created.organization.organization_id)

    assert created.member_authenticated is False
    assert created.intermediate_session_token == ist
    assert created.session_token == "" and created.session_jwt == ""
    assert created.member_session is None
    assert created.mfa_required is not None
    assert created.mfa_required.secondary_auth_initiated is None
    assert created.primary_required is None
    assert created.organization.mfa_policy == "REQUIRED_FOR_ALL"
    assert created.member.email_address == email
    # Not consumed: still usable.
    listed = sdk.discovery.organizations.list(intermediate_session_token=ist)
    assert listed.email_address == email


def test_exchange_into_an_organization_requiring_mfa_keeps_the_intermediate_session(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    org_id = created.organization.organization_id
    sdk.organizations.update(organization_id=org_id, mfa_policy="REQUIRED_FOR_ALL")

    auth = discover(sdk, mock, email)
    [found] = auth.discovered_organizations
    assert found.organization.organization_id == org_id
    assert found.member_authenticated is False
    assert found.mfa_required is not None
    assert found.mfa_required.secondary_auth_initiated is None

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=auth.intermediate_session_token, organization_id=org_id
    )

    assert exchanged.member_authenticated is False
    assert exchanged.intermediate_session_token == auth.intermediate_session_token
    assert exchanged.session_token == "" and exchanged.session_jwt == ""
    assert exchanged.member_id == created.member.member_id
    assert exchanged.mfa_required is not None
    listed = sdk.discovery.organizations.list(
        intermediate_session_token=auth.intermediate_session_token
    )
    assert [d.organization.organization_id for d in listed.discovered_organizations] == [org_id]


@pytest.mark.parametrize(
    ("allowed", "satisfied"), [(["sso"], False), (["magic_link", "sso"], True)]
)
def test_restricted_auth_methods_decide_whether_the_email_link_is_enough(
    sdk: SDK, mock: Any, made_orgs: list[str], allowed: list[str], satisfied: bool
) -> None:
    """With auth_methods RESTRICTED, the email magic link counts only when magic_link is
    allowed; otherwise primary_required names the allowed methods (``primary_required`` in the
    SDK's models)."""
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    org_id = created.organization.organization_id
    sdk.organizations.update(
        organization_id=org_id, auth_methods="RESTRICTED", allowed_auth_methods=allowed
    )

    auth = discover(sdk, mock, email)
    [found] = auth.discovered_organizations
    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=auth.intermediate_session_token, organization_id=org_id
    )

    assert found.member_authenticated is satisfied
    assert exchanged.member_authenticated is satisfied
    if satisfied:
        assert found.primary_required is None
        assert exchanged.session_token and exchanged.intermediate_session_token == ""
    else:
        assert found.primary_required.allowed_auth_methods == allowed
        assert exchanged.primary_required.allowed_auth_methods == allowed
        assert exchanged.session_token == ""
        assert exchanged.intermediate_session_token == auth.intermediate_session_token


def test_every_session_of_a_member_names_the_same_email_id(
    sdk: SDK, mock: Any, made_orgs: list[str]
) -> None:
    """``email_factor.email_id`` is "the globally unique UUID of the Member's email" (SDK
    ``EmailFactor``): the creator's first session and a later login must name the same one."""
    email, _ = company_email()
    created = sign_up(sdk, mock, made_orgs, email)
    ist = discover(sdk, mock, email).intermediate_session_token
    later = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=ist, organization_id=created.organization.organization_id
    )

    first_factor = created.member_session.authentication_factors[0].email_factor
    later_factor = later.member_session.authentication_factors[0].email_factor
    assert first_factor.email_address == later_factor.email_address == email
    assert first_factor.email_id == later_factor.email_id
