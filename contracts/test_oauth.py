"""B2B OAuth: "Continue with Google / Microsoft / GitHub / Slack / HubSpot".

Stytch's behaviour (Python SDK docstrings of ``oauth.authenticate``,
``oauth.discovery.authenticate`` and ``organizations.members.oauth_providers``; the flow of
https://stytch.com/docs/b2b/guides/oauth/auth-flows): a start URL sends the browser to the
provider, the provider returns to Stytch, Stytch redirects to the app with a single-use token,
and the backend authenticates it. A token only comes out of a browser sign-in, so the scenarios
that need one use the mock's built-in provider (``mock.oauth_token``, the non-interactive
``provider_login_hint`` path) and are skipped on real Stytch; the refusals of unknown tokens run
on both targets.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt as pyjwt
import pytest

from contracts.helpers import company_email, log_in, pkce_pair, random_token, refused
from contracts.support import SDK

REDIRECT = "http://localhost:3000/authenticate"
# Tokens come from a browser sign-in at the provider: on the mock, from its own provider.
PROVIDER = pytest.mark.mock_only(reason="needs the mock's OAuth provider (no browser sign-in)")


def verified_member(sdk: SDK, mock: Any, new_org: Any, **settings: Any) -> tuple[str, Any, str]:
    """A new organization on a company domain with an active member whose email a magic link
    verified: (email, organization, member_id)."""
    email, label = company_email()
    org = new_org(email_allowed_domains=[f"{label}.com"], **settings)
    return email, org, log_in(sdk, mock, org.organization_id, email).member_id


def _factor(session: Any) -> Any:
    (factor,) = [f for f in session.authentication_factors if f.type == "oauth"]
    return factor


# --- organization flow --------------------------------------------------------------------


@PROVIDER
def test_google_login_of_an_existing_member_gives_a_session_with_the_oauth_factor(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, org, _ = verified_member(sdk, mock, new_org)

    location = mock.oauth_redirect("google", email, organization=org.organization_id)
    query = parse_qs(urlsplit(location).query)
    assert query["stytch_token_type"] == ["oauth"]
    resp = sdk.oauth.authenticate(oauth_token=query["token"][0], session_duration_minutes=30)

    assert resp.status_code == 200
    assert resp.member_authenticated is True
    assert resp.intermediate_session_token == ""
    assert resp.organization_id == org.organization_id
    assert resp.member.email_address == email
    assert resp.provider_type == "Google"
    assert resp.provider_subject
    (registration,) = resp.member.oauth_registrations
    assert (registration.provider_type, registration.provider_subject) == (
        "Google",
        resp.provider_subject,
    )
    factor = _factor(resp.member_session)
    assert factor.delivery_method == "oauth_google"
    assert factor.google_oauth_factor.id == registration.member_oauth_registration_id
    assert factor.google_oauth_factor.provider_subject == resp.provider_subject
    assert resp.provider_values.scopes == ["openid", "email", "profile"]
    assert resp.provider_values.access_token and resp.provider_values.refresh_token
    assert resp.provider_values.id_token is None  # the SDK: only Microsoft returns one

    claims = pyjwt.decode(resp.session_jwt, options={"verify_signature": False})
    jwt_factors = claims["https://stytch.com/session"]["authentication_factors"]
    assert jwt_factors[0]["google_oauth_factor"]["provider_subject"] == resp.provider_subject
    session = sdk.sessions.authenticate(session_token=resp.session_token)
    assert _factor(session.member_session).delivery_method == "oauth_google"


@PROVIDER
def test_an_oauth_token_is_single_use(sdk: SDK, mock: Any, new_org: Any) -> None:
    email, org, _ = verified_member(sdk, mock, new_org)
    token = mock.oauth_token("microsoft", email, organization=org.organization_id)
    first = sdk.oauth.authenticate(oauth_token=token)
    assert first.member_authenticated is True
    assert first.provider_type == "Microsoft"
    assert first.provider_values.id_token  # Microsoft gives an ID token
    refused(sdk.oauth.authenticate, 400, "oauth_token_not_found", oauth_token=token)


def test_unknown_oauth_tokens_are_refused(sdk: SDK) -> None:
    refused(sdk.oauth.authenticate, 400, "oauth_token_not_found", oauth_token=random_token())
    refused(
        sdk.oauth.discovery.authenticate,
        400,
        "oauth_token_not_found",
        discovery_oauth_token=random_token(),
    )


@PROVIDER
def test_a_new_email_joins_by_verified_domain_and_is_refused_without_jit(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, label = company_email()
    closed = new_org(email_allowed_domains=[f"{label}.com"])
    token = mock.oauth_token("google", email, organization=closed.organization_id)
    refused(sdk.oauth.authenticate, 403, "email_jit_provisioning_not_allowed", oauth_token=token)

    open_org = new_org(email_allowed_domains=[f"{label}.com"], email_jit_provisioning="RESTRICTED")
    location = mock.oauth_redirect("google", email, organization=open_org.organization_id)
    joined = sdk.oauth.authenticate(oauth_token=parse_qs(urlsplit(location).query)["token"][0])
    assert joined.member_authenticated is True
    assert joined.member.status == "active"
    assert joined.member.email_address_verified is True


@PROVIDER
def test_github_does_not_verify_the_email_so_a_new_member_steps_up(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, label = company_email()
    org = new_org(email_allowed_domains=[f"{label}.com"], email_jit_provisioning="RESTRICTED")
    token = mock.oauth_token("github", email, organization=org.organization_id)
    resp = sdk.oauth.authenticate(oauth_token=token, session_duration_minutes=30)
    assert resp.member_authenticated is False
    assert resp.session_token == "" and resp.session_jwt == ""
    assert resp.member_session is None
    assert resp.intermediate_session_token
    assert "magic_link" in resp.primary_required.allowed_auth_methods
    assert resp.provider_type == "GitHub"

    # The step-up: an email magic link with the intermediate session completes the login.
    sdk.magic_links.email.login_or_signup(organization_id=org.organization_id, email_address=email)
    done = sdk.magic_links.authenticate(
        magic_links_token=mock.outbox.latest_token(email),
        intermediate_session_token=resp.intermediate_session_token,
    )
    assert done.member_authenticated is True
    kinds = {f.delivery_method for f in done.member_session.authentication_factors}
    assert kinds == {"email", "oauth_github"}


@PROVIDER
def test_mfa_required_by_the_organization_returns_an_intermediate_session(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, org, _ = verified_member(sdk, mock, new_org, mfa_policy="REQUIRED_FOR_ALL")
    resp = sdk.oauth.authenticate(
        oauth_token=mock.oauth_token("google", email, organization=org.organization_id)
    )
    assert resp.member_authenticated is False
    assert resp.mfa_required is not None
    assert resp.primary_required is None
    assert resp.intermediate_session_token


@PROVIDER
def test_pkce_verifier_must_match_the_start_urls_challenge(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, org, _ = verified_member(sdk, mock, new_org)
    verifier, challenge = pkce_pair()
    token = mock.oauth_token(
        "google", email, organization=org.organization_id, pkce_code_challenge=challenge
    )
    refused(sdk.oauth.authenticate, 400, "pkce_expected_code_verifier", oauth_token=token)
    refused(
        sdk.oauth.authenticate,
        400,
        "pkce_mismatch",
        oauth_token=token,
        pkce_code_verifier=verifier + "x",
    )
    ok = sdk.oauth.authenticate(oauth_token=token, pkce_code_verifier=verifier)
    assert ok.member_authenticated is True


@PROVIDER
def test_stored_provider_tokens_follow_the_latest_login(sdk: SDK, mock: Any, new_org: Any) -> None:
    email, org, member_id = verified_member(sdk, mock, new_org)
    refused(
        sdk.organizations.members.oauth_providers.google,
        404,
        "member_oauth_token_not_found",
        organization_id=org.organization_id,
        member_id=member_id,
    )
    login = sdk.oauth.authenticate(
        oauth_token=mock.oauth_token("google", email, organization=org.organization_id)
    )
    # The async client cannot send a boolean query parameter (aiohttp's yarl refuses True):
    # the SDK's own limitation, so the async run asks without it.
    refresh = {"include_refresh_token": True} if sdk.mode == "sync" else {}
    stored = sdk.organizations.members.oauth_providers.google(
        organization_id=org.organization_id, member_id=member_id, **refresh
    )
    assert stored.provider_type == "Google"
    assert stored.provider_subject == login.provider_subject
    assert stored.access_token == login.provider_values.access_token
    if refresh:
        assert stored.refresh_token == login.provider_values.refresh_token
    assert stored.scopes == login.provider_values.scopes
    assert 0 < stored.access_token_expires_in <= 3600
    assert pyjwt.decode(stored.id_token, options={"verify_signature": False})["email"] == email
    without = sdk.organizations.members.oauth_providers.google(
        organization_id=org.organization_id, member_id=member_id
    )
    assert without.refresh_token is None


# --- discovery flow -----------------------------------------------------------------------


@PROVIDER
def test_discovery_oauth_lists_the_organizations_of_the_email(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, org, _ = verified_member(sdk, mock, new_org)

    location = mock.oauth_redirect(
        "google", email, discovery=True, redirect_url=REDIRECT, name="Ada"
    )
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(REDIRECT)
    assert query["stytch_token_type"] == ["discovery_oauth"]
    resp = sdk.oauth.discovery.authenticate(discovery_oauth_token=query["token"][0])
    assert resp.email_address == email
    assert resp.full_name == "Ada"
    assert resp.provider_type == "Google"
    assert (resp.provider_tenant_id, resp.provider_tenant_ids) == ("", [])
    (found,) = resp.discovered_organizations
    assert found.organization.organization_id == org.organization_id
    assert found.membership.type == "active_member"
    assert found.member_authenticated is True

    exchanged = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=resp.intermediate_session_token,
        organization_id=org.organization_id,
    )
    assert exchanged.member_authenticated is True
    assert _factor(exchanged.member_session).delivery_method == "oauth_google"
    refused(
        sdk.oauth.discovery.authenticate,
        400,
        "oauth_token_not_found",
        discovery_oauth_token=query["token"][0],
    )


@PROVIDER
def test_slack_workspace_makes_an_organization_joinable_by_oauth_tenant(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    email, _ = company_email()
    org = new_org(
        oauth_tenant_jit_provisioning="RESTRICTED",
        allowed_oauth_tenants={"slack": ["T0MOCKTEAM"]},
    )
    token = mock.discovery_oauth_token("slack", email, tenant_ids=["T0MOCKTEAM"])
    resp = sdk.oauth.discovery.authenticate(discovery_oauth_token=token)
    assert resp.provider_type == "Slack"
    assert (resp.provider_tenant_id, resp.provider_tenant_ids) == ("T0MOCKTEAM", ["T0MOCKTEAM"])
    (found,) = resp.discovered_organizations
    assert found.membership.type == "eligible_to_join_by_oauth_tenant"
    assert found.membership.details == {"provider": "slack", "tenant": "T0MOCKTEAM"}
    assert found.member_authenticated is True

    joined = sdk.discovery.intermediate_sessions.exchange(
        intermediate_session_token=resp.intermediate_session_token,
        organization_id=org.organization_id,
    )
    assert joined.member_authenticated is True
    assert joined.member.email_address == email
    stored = sdk.organizations.members.oauth_providers.slack(
        organization_id=org.organization_id, member_id=joined.member_id
    )
    (registration,) = stored.registrations
    assert registration.provider_tenant_id == "T0MOCKTEAM"


@PROVIDER
@pytest.mark.parametrize(
    ("provider", "identity"),
    [
        ("microsoft", {}),
        ("github", {"tenant_ids": ["1001", "1002"]}),
        ("hubspot", {"tenant_ids": ["77"]}),
    ],
)
def test_stored_tokens_of_each_provider_have_its_shape(
    sdk: SDK, mock: Any, new_org: Any, provider: str, identity: dict[str, Any]
) -> None:
    email, org, member_id = verified_member(sdk, mock, new_org)
    token = mock.oauth_token(provider, email, organization=org.organization_id, **identity)
    login = sdk.oauth.authenticate(oauth_token=token)
    assert login.member_authenticated is True
    get = getattr(sdk.organizations.members.oauth_providers, provider)
    stored = get(organization_id=org.organization_id, member_id=member_id)
    assert stored.provider_type == login.provider_type
    if provider == "microsoft":
        assert stored.provider_subject == login.provider_subject
        assert stored.access_token == login.provider_values.access_token
        assert stored.id_token == login.provider_values.id_token
        assert 0 < stored.access_token_expires_in <= 3600
        return
    (registration,) = stored.registrations
    assert registration.provider_subject == login.provider_subject
    assert registration.access_token == login.provider_values.access_token
    if provider == "github":
        assert registration.provider_tenant_ids == ["1001", "1002"]
    else:
        assert registration.provider_tenant_id == "77"
        assert 0 < registration.access_token_expires_in <= 3600


@PROVIDER
def test_session_exchange_carries_a_github_factor_as_an_exchange_factor(
    sdk: SDK, mock: Any, new_org: Any
) -> None:
    """The SDK's delivery_method text: a non-email-verifying OAuth factor exchanged into
    another organization shows as oauth_exchange_<provider>, naming the member's email."""
    email, first, _ = verified_member(sdk, mock, new_org)
    github = sdk.oauth.authenticate(
        oauth_token=mock.oauth_token("github", email, organization=first.organization_id)
    )
    assert github.member_authenticated is True  # the member's email is verified already
    second = new_org(email_allowed_domains=[email.partition("@")[2]])
    other = log_in(sdk, mock, second.organization_id, email)  # also verified there
    sdk.sessions.revoke(session_token=other.session_token)

    moved = sdk.sessions.exchange(
        organization_id=second.organization_id, session_token=github.session_token
    )
    assert moved.member_authenticated is True
    assert moved.member.member_id == other.member_id
    (factor,) = moved.member_session.authentication_factors
    assert factor.delivery_method == "oauth_exchange_github"
    assert (
        factor.github_oauth_exchange_factor.email_id
        == other.member_session.authentication_factors[0].email_factor.email_id
    )
    assert factor.github_oauth_factor is None
    claims = pyjwt.decode(moved.session_jwt, options={"verify_signature": False})
    (claim,) = claims["https://stytch.com/session"]["authentication_factors"]
    assert claim["delivery_method"] == "oauth_exchange_github"
    assert claim["github_oauth_exchange_factor"] == {
        "email_id": factor.github_oauth_exchange_factor.email_id
    }
