"""Organization email magic links: login or signup, invite, authenticate, PKCE and the sandbox.

Sources: the Python SDK's docstrings (magic_links_email.py and magic_links.py in
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/) and
https://stytch.com/docs/b2b/guides/testing/sandbox-values. The flow follows Stytch's own B2B
quickstart (create "Acme Co" with allowed domain acme.co, then login_or_signup
admin@acme.co). Steps that read the emailed link ask for the ``mock`` fixture (mock-only);
the sandbox scenarios also run on real Stytch.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest

from contracts.helpers import (
    MISSING_ORGANIZATION_ID,
    SANDBOX_EMAIL,
    SANDBOX_ORGANIZATION_ID,
    SANDBOX_TOKEN_OK,
    SANDBOX_TOKEN_UNKNOWN,
    SANDBOX_TOKEN_USED,
    assert_not_a_member,
    link_params,
    pkce_pair,
    refused,
)
from contracts.support import unique

REDIRECT_URL = "http://localhost:3000/authenticate"


@pytest.fixture
def acme(new_org):
    """Stytch's quickstart organization: "Acme Co", allowed domain acme.co (a unique slug
    instead of ``acme-co``, so runs never collide)."""
    return new_org(
        organization_name="Acme Co",
        organization_slug=unique("acme-co"),
        email_allowed_domains=["acme.co"],
    )


# --- the quickstart flow ----------------------------------------------------------------


def test_quickstart_login_or_signup_then_authenticate(sdk, mock, acme):
    email_address = "admin@acme.co"

    sent = sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id,
        email_address=email_address,
        login_redirect_url=REDIRECT_URL,
        signup_redirect_url=REDIRECT_URL,
    )

    assert sent.member_created is True
    assert sent.member.status == "pending"
    assert sent.member.email_address == email_address
    assert sent.member_id == sent.member.member_id
    assert sent.organization.organization_id == acme.organization_id
    message = mock.outbox.latest(email_address)
    assert message["kind"] == "signup"
    base, params = link_params(message["link"])
    assert base == REDIRECT_URL
    assert params == {
        "stytch_token_type": "multi_tenant_magic_links",
        "token": message["token"],
        "slug": acme.organization_slug,
    }

    auth = sdk.magic_links.authenticate(magic_links_token=params["token"])

    assert auth.member_id == sent.member_id
    assert auth.member.status == "active"
    assert auth.member.email_address_verified is True
    assert auth.organization_id == acme.organization_id
    assert auth.organization.organization_id == acme.organization_id
    assert auth.method_id
    assert auth.reset_sessions is False
    assert auth.member_authenticated is True
    assert auth.intermediate_session_token == ""
    assert auth.session_token and auth.session_jwt
    session = auth.member_session
    assert session is not None
    assert (session.member_id, session.organization_id) == (sent.member_id, acme.organization_id)
    factor = session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("magic_link", "email")
    assert factor.email_factor.email_address == email_address

    checked = sdk.sessions.authenticate(session_token=auth.session_token)
    assert checked.member.member_id == sent.member_id
    assert checked.organization.organization_id == acme.organization_id
    assert checked.member_session.member_session_id == session.member_session_id

    again = sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address=email_address
    )

    assert again.member_created is False
    assert (again.member_id, again.member.status) == (sent.member_id, "active")
    login = mock.outbox.latest(email_address)
    assert login["kind"] == "login"
    assert link_params(login["link"])[1]["slug"] == acme.organization_slug
    assert len(mock.outbox.messages(email_address)) == 2


def test_pending_member_gets_a_signup_link_again(sdk, mock, acme):
    email_address = "pending@acme.co"
    first = sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address=email_address
    )

    second = sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address=email_address
    )

    assert second.member_created is False
    assert (second.member_id, second.member.status) == (first.member_id, "pending")
    assert [m["kind"] for m in mock.outbox.messages(email_address)] == ["signup", "signup"]


def test_invited_member_gets_a_signup_link_and_stays_invited(sdk, mock, new_org, email):
    org = new_org()
    address = email("invited")
    invited = sdk.magic_links.email.invite(
        organization_id=org.organization_id, email_address=address
    ).member

    sent = sdk.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address=address
    )

    assert sent.member_created is False
    assert (sent.member_id, sent.member.status) == (invited.member_id, "invited")
    assert [m["kind"] for m in mock.outbox.messages(address)] == ["invite", "signup"]
    auth = sdk.magic_links.authenticate(magic_links_token=mock.outbox.latest_token(address))
    assert (auth.member_id, auth.member.status) == (invited.member_id, "active")


BAD_URL = "https://evil.example/authenticate"


@pytest.mark.parametrize(
    "existing, field",
    [
        (True, "login_redirect_url"),
        (False, "signup_redirect_url"),
        (True, "signup_redirect_url"),
        (False, "login_redirect_url"),
    ],
    ids=[
        "login-link-bad-login-url",
        "signup-link-bad-signup-url",
        "login-link-bad-signup-url",
        "signup-link-bad-login-url",
    ],
)
def test_unregistered_redirect_url_is_refused(sdk, mock, acme, existing, field):
    # [chosen] (README fidelity notes): *every* redirect URL passed in a request must match a
    # registered one, the URL of the link sent and also the other one.
    address = "someone@acme.co"
    if existing:
        sdk.organizations.members.create(
            organization_id=acme.organization_id, email_address=address
        )

    refused(
        sdk.magic_links.email.login_or_signup,
        400,
        "no_match_for_provided_magic_link_url",
        organization_id=acme.organization_id,
        email_address=address,
        **{field: BAD_URL},
    )

    assert mock.outbox.messages() == []
    if not existing:
        assert_not_a_member(sdk, acme.organization_id, address)


def test_unregistered_invite_redirect_url_is_refused(sdk, mock, acme):
    refused(
        sdk.magic_links.email.invite,
        400,
        "no_match_for_provided_magic_link_url",
        organization_id=acme.organization_id,
        email_address="guest@acme.co",
        invite_redirect_url=BAD_URL,
    )

    assert mock.outbox.messages() == []
    assert_not_a_member(sdk, acme.organization_id, "guest@acme.co")


def test_signup_for_an_email_outside_the_allowed_domains_is_refused(sdk, acme, email, outbox):
    # [chosen] The mock answers 403 email_jit_provisioning_not_allowed: Stytch documents that a
    # new member needs the organization to allow the email, not the status or the type.
    address = email("outsider", "not-acme.co")

    refused(
        sdk.magic_links.email.login_or_signup,
        403,
        "email_jit_provisioning_not_allowed",
        organization_id=acme.organization_id,
        email_address=address,
    )

    assert_not_a_member(sdk, acme.organization_id, address)
    if outbox is not None:
        assert outbox.messages(address) == []


def test_login_or_signup_into_an_unknown_organization_is_not_found(sdk, email):
    refused(
        sdk.magic_links.email.login_or_signup,
        404,
        "organization_not_found",
        organization_id=MISSING_ORGANIZATION_ID,
        email_address=email("lost"),
    )


# --- single use, expiry -----------------------------------------------------------------


def test_replayed_magic_link_is_refused(sdk, mock, acme):
    sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address="replay@acme.co"
    )
    token = mock.outbox.latest_token("replay@acme.co")
    first = sdk.magic_links.authenticate(magic_links_token=token)

    refused(sdk.magic_links.authenticate, 401, "unable_to_auth_magic_link", magic_links_token=token)

    # The first session is unaffected.
    assert sdk.sessions.authenticate(session_token=first.session_token).member.member_id == (
        first.member_id
    )


def test_magic_link_works_until_it_expires_after_an_hour(sdk, mock, acme):
    for address in ("early@acme.co", "late@acme.co"):
        sdk.magic_links.email.login_or_signup(
            organization_id=acme.organization_id, email_address=address
        )
    mock.advance_clock(minutes=59)
    early = sdk.magic_links.authenticate(
        magic_links_token=mock.outbox.latest_token("early@acme.co")
    )
    assert early.member.status == "active"
    token = mock.outbox.latest_token("late@acme.co")
    mock.advance_clock(minutes=2)

    refused(sdk.magic_links.authenticate, 401, "unable_to_auth_magic_link", magic_links_token=token)

    member = sdk.organizations.members.get(
        organization_id=acme.organization_id, email_address="late@acme.co"
    ).member
    assert member.status == "pending"


def test_unknown_magic_link_is_not_found(sdk):
    refused(
        sdk.magic_links.authenticate,
        404,
        "magic_link_not_found",
        magic_links_token=base64.urlsafe_b64encode(b"x" * 32).decode(),
    )


# --- invites ----------------------------------------------------------------------------


def test_invite_creates_an_invited_member_with_a_week_long_link(sdk, mock, new_org, email):
    org = new_org()  # no auth settings: email_invites ALL_ALLOWED
    address = email("invitee")

    sent = sdk.magic_links.email.invite(
        organization_id=org.organization_id,
        email_address=address,
        name="Invited Person",
        roles=["stytch_admin"],
    )

    assert sent.member.status == "invited"
    assert (sent.member.email_address, sent.member.name) == (address, "Invited Person")
    assert sent.member.email_address_verified is False
    assert {r.role_id for r in sent.member.roles} == {"stytch_member", "stytch_admin"}
    message = mock.outbox.latest(address)
    assert message["kind"] == "invite"
    lifetime = datetime.fromisoformat(message["expires_at"]) - datetime.fromisoformat(
        message["created_at"]
    )
    assert lifetime == timedelta(days=7)
    base, params = link_params(message["link"])
    assert params["stytch_token_type"] == "multi_tenant_magic_links"
    assert params["slug"] == org.organization_slug
    assert params["token"] == message["token"]

    auth = sdk.magic_links.authenticate(magic_links_token=params["token"])

    assert (auth.member_id, auth.member.status) == (sent.member_id, "active")
    assert auth.member.email_address_verified is True
    assert auth.member_session.organization_id == org.organization_id


def test_invite_link_works_until_it_expires_after_a_week(sdk, mock, new_org, email):
    """An invite link lives a week (login links an hour): still good at 6 days 23 hours,
    refused an hour after the week is out."""
    org = new_org()
    early, late = email("early"), email("late")
    for address in (early, late):
        sdk.magic_links.email.invite(organization_id=org.organization_id, email_address=address)
    mock.advance_clock(days=6, hours=23)
    auth = sdk.magic_links.authenticate(magic_links_token=mock.outbox.latest_token(early))
    assert auth.member.status == "active"
    token = mock.outbox.latest_token(late)
    mock.advance_clock(hours=2)

    refused(sdk.magic_links.authenticate, 401, "unable_to_auth_magic_link", magic_links_token=token)

    member = sdk.organizations.members.get(
        organization_id=org.organization_id, email_address=late
    ).member
    assert member.status == "invited"


def test_inviting_a_pending_member_makes_it_invited(sdk, mock, new_org, email):
    org = new_org()
    pending = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("p"), create_member_as_pending=True
    ).member

    sent = sdk.magic_links.email.invite(
        organization_id=org.organization_id, email_address=pending.email_address
    )

    assert (sent.member_id, sent.member.status) == (pending.member_id, "invited")
    assert mock.outbox.latest(pending.email_address)["kind"] == "invite"


def test_inviting_an_active_member_is_refused(sdk, new_org, email, outbox):
    # [chosen] 400 duplicate_member_email: Stytch documents the refusal, not its type.
    org = new_org()
    active = sdk.organizations.members.create(
        organization_id=org.organization_id, email_address=email("active")
    ).member

    refused(
        sdk.magic_links.email.invite,
        400,
        "duplicate_member_email",
        organization_id=org.organization_id,
        email_address=active.email_address,
    )

    kept = sdk.organizations.members.get(
        organization_id=org.organization_id, member_id=active.member_id
    ).member
    assert kept.status == "active"
    if outbox is not None:
        assert outbox.messages(active.email_address) == []


def test_invite_is_refused_when_the_organization_does_not_allow_invites(
    sdk, new_org, email, outbox
):
    # [chosen] 403 invalid_email_for_invites: the type exists in Stytch's error list; the
    # status is not documented.
    org = new_org(email_allowed_domains=["acme.co"])
    assert org.email_invites == "NOT_ALLOWED"
    address = email("uninvited", "acme.co")

    refused(
        sdk.magic_links.email.invite,
        403,
        "invalid_email_for_invites",
        organization_id=org.organization_id,
        email_address=address,
    )

    assert_not_a_member(sdk, org.organization_id, address)
    if outbox is not None:
        assert outbox.messages(address) == []


def test_restricted_invites_only_reach_allowed_domains(sdk, mock, new_org, email):
    org = new_org(email_allowed_domains=["acme.co"], email_invites="RESTRICTED")

    refused(
        sdk.magic_links.email.invite,
        403,
        "invalid_email_for_invites",
        organization_id=org.organization_id,
        email_address=email("outside", "not-acme.co"),
    )
    sent = sdk.magic_links.email.invite(
        organization_id=org.organization_id, email_address=email("inside", "acme.co")
    )
    assert sent.member.status == "invited"


def test_deleting_an_invited_member_revokes_the_invite(sdk, mock, new_org, email):
    org = new_org()
    address = email("revoked")
    sent = sdk.magic_links.email.invite(organization_id=org.organization_id, email_address=address)
    token = mock.outbox.latest_token(address)

    sdk.organizations.members.delete(organization_id=org.organization_id, member_id=sent.member_id)

    refused(sdk.magic_links.authenticate, 401, "unable_to_auth_magic_link", magic_links_token=token)
    found = sdk.organizations.members.search(organization_ids=[org.organization_id])
    assert found.members == []


def test_a_link_sent_before_a_member_was_deleted_stays_revoked_after_reactivation(sdk, mock, acme):
    address = "returning@acme.co"
    sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address=address
    )
    signup = sdk.magic_links.authenticate(magic_links_token=mock.outbox.latest_token(address))
    member_id = signup.member.member_id  # active, with a verified email: reactivatable
    sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address=address
    )
    old_login = mock.outbox.latest_token(address)

    sdk.organizations.members.delete(organization_id=acme.organization_id, member_id=member_id)
    back = sdk.organizations.members.reactivate(
        organization_id=acme.organization_id, member_id=member_id
    )
    assert back.member.status == "active"

    refused(
        sdk.magic_links.authenticate, 401, "unable_to_auth_magic_link", magic_links_token=old_login
    )


# --- PKCE -------------------------------------------------------------------------------


def test_pkce_link_needs_the_matching_code_verifier(sdk, mock, acme):
    verifier, challenge = pkce_pair()
    sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id,
        email_address="pkce@acme.co",
        pkce_code_challenge=challenge,
    )
    token = mock.outbox.latest_token("pkce@acme.co")

    refused(
        sdk.magic_links.authenticate, 400, "pkce_expected_code_verifier", magic_links_token=token
    )
    refused(
        sdk.magic_links.authenticate,
        400,
        "pkce_mismatch",
        magic_links_token=token,
        pkce_code_verifier=pkce_pair()[0],
    )
    auth = sdk.magic_links.authenticate(magic_links_token=token, pkce_code_verifier=verifier)

    assert auth.member.status == "active"
    assert auth.member.email_address == "pkce@acme.co"
    refused(
        sdk.magic_links.authenticate,
        401,
        "unable_to_auth_magic_link",
        magic_links_token=token,
        pkce_code_verifier=verifier,
    )


def test_code_verifier_without_a_challenge_is_refused(sdk, mock, acme):
    sdk.magic_links.email.login_or_signup(
        organization_id=acme.organization_id, email_address="nopkce@acme.co"
    )
    token = mock.outbox.latest_token("nopkce@acme.co")

    refused(
        sdk.magic_links.authenticate,
        400,
        "pkce_did_not_expect_code_verifier",
        magic_links_token=token,
        pkce_code_verifier=pkce_pair()[0],
    )
    assert sdk.magic_links.authenticate(magic_links_token=token).member.status == "active"


# --- sandbox (documented Test-environment values; also run on real Stytch) --------------


@pytest.mark.parametrize("send", ["login_or_signup", "invite"])
def test_sandbox_email_is_not_sent(sdk, outbox, send):
    resp = getattr(sdk.magic_links.email, send)(
        organization_id=SANDBOX_ORGANIZATION_ID, email_address=SANDBOX_EMAIL
    )

    assert resp.status_code == 200
    assert resp.organization.organization_id == SANDBOX_ORGANIZATION_ID
    assert resp.member.email_address == SANDBOX_EMAIL
    if outbox is not None:
        assert outbox.messages() == []


def test_sandbox_tokens_authenticate_as_documented(sdk):
    """The success token is a fixed documented value, so it is not used up."""
    first = sdk.magic_links.authenticate(magic_links_token=SANDBOX_TOKEN_OK)
    assert first.status_code == 200
    assert first.organization_id == SANDBOX_ORGANIZATION_ID
    assert first.member.email_address == SANDBOX_EMAIL
    second = sdk.magic_links.authenticate(magic_links_token=SANDBOX_TOKEN_OK)
    assert second.status_code == 200
    assert second.member_id == first.member_id

    refused(
        sdk.magic_links.authenticate,
        401,
        "unable_to_auth_magic_link",
        magic_links_token=SANDBOX_TOKEN_USED,
    )
    refused(
        sdk.magic_links.authenticate,
        404,
        "magic_link_not_found",
        magic_links_token=SANDBOX_TOKEN_UNKNOWN,
    )
