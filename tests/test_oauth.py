"""The mock's OAuth provider and the browser-facing start URLs (raw HTTP where a browser would
go), plus the OAuth rules the contract scenarios do not reach: refusals leave state unchanged,
tokens stay single use under 50 concurrent attempts, the provider page is a real form.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt as pyjwt
import pytest
from stytch import B2BClient
from stytch.core.response_base import StytchError

from mockserver.domain.oauth import provider_key
from mockserver.pytest_plugin import StytchMock
from tests.support import assert_sdk_error, http, log_in, org_with_member, state_of
from tests.test_concurrency import N, aclient, race  # noqa: F401

APP = "http://localhost:3000/authenticate"


def start(mock: StytchMock, provider: str, *, discovery: bool = False, **params: str) -> Any:
    """GET a start URL (public token added unless given), redirects not followed."""
    params.setdefault("public_token", mock.public_token)
    path = f"v1/b2b/public/oauth/{provider}/{'discovery/' if discovery else ''}start"
    return http(f"{mock.url}{path}?{urlencode(params)}", follow=False)


def assert_error_page(resp: Any, status: int, error_type: str) -> None:
    """A browser route's error: an HTML page with the status and the Stytch error type."""
    assert resp.status == status, resp.json
    content_type = {k.lower(): v for k, v in resp.headers.items()}["content-type"]
    assert content_type.startswith("text/html"), content_type
    assert error_type in resp.json
    assert "request-id-test-" in resp.json


def token_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["token"][0]


# --- start URLs -----------------------------------------------------------------------------


def test_start_redirects_to_the_provider_page_which_offers_the_organizations_members(
    stytch_mock: StytchMock,
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com", name="Acme <Co>")
    resp = start(stytch_mock, "google", organization_id=org.organization_id, login_redirect_url=APP)
    assert resp.status == 302
    page_url = resp.headers["Location"]
    assert page_url.startswith("/_mock/oauth/google/authorize?state=")

    page = http(stytch_mock.url + page_url.lstrip("/"))
    assert page.status == 200
    assert "Sign in with Google" in page.json
    assert "Acme &lt;Co&gt;" in page.json and "Acme <Co>" not in page.json  # escaped
    assert "Continue as ada@acme.com" in page.json
    assert 'name="hd"' in page.json  # Google's hosted-domain field


@pytest.mark.parametrize(
    ("provider", "params", "status", "error_type"),
    [
        ("twitter", {}, 400, "invalid_oauth_provider"),
        ("google", {"public_token": ""}, 400, "public_token_required"),
        (
            "google",
            {"public_token": "public-token-test-00000000-0000-4000-8000-000000000000"},
            401,
            "public_token_not_found",
        ),
        ("google", {}, 400, "missing_oauth_organization_locator"),
        (
            "google",
            {"slug": "acme", "organization_id": "organization-test-x"},
            400,
            "too_many_oauth_organization_locators",
        ),
        ("google", {"slug": "no-such-org"}, 404, "organization_not_found"),
        (
            "google",
            {"slug": "acme", "login_redirect_url": "https://evil.example/cb"},
            400,
            "no_match_for_provided_oauth_url",
        ),
        (
            "google",
            {"slug": "acme", "signup_redirect_url": "https://evil.example/cb"},
            400,
            "no_match_for_provided_oauth_url",
        ),
    ],
)
def test_bad_start_urls_render_an_error_page_and_change_nothing(
    stytch_mock: StytchMock, provider: str, params: dict[str, str], status: int, error_type: str
) -> None:
    stytch_mock.client.organizations.create(organization_name="Acme", organization_slug="acme")
    before = state_of(stytch_mock)
    resp = start(stytch_mock, provider, provider_login_hint="ada@acme.com", **params)
    assert_error_page(resp, status, error_type)
    assert state_of(stytch_mock) == before


def test_discovery_start_checks_the_discovery_redirect_url(stytch_mock: StytchMock) -> None:
    bad = start(stytch_mock, "microsoft", discovery=True, discovery_redirect_url="https://x.io/")
    assert_error_page(bad, 400, "no_match_for_provided_oauth_url")
    ok = start(stytch_mock, "microsoft", discovery=True, provider_login_hint="ada@acme.com")
    assert ok.status == 302
    # No URL given: the project's default redirect URL.
    assert ok.headers["Location"].startswith(APP + "?stytch_token_type=discovery_oauth&token=")


def test_login_url_for_members_signup_url_for_new_emails(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    urls = {
        "organization_id": org.organization_id,
        "login_redirect_url": "http://localhost:3000/login",
        "signup_redirect_url": "http://localhost:3000/signup",
    }
    member = start(stytch_mock, "google", provider_login_hint="ada@acme.com", **urls)
    stranger = start(stytch_mock, "google", provider_login_hint="bob@acme.com", **urls)
    assert member.headers["Location"].startswith(
        "http://localhost:3000/login?stytch_token_type=oauth"
    )
    assert stranger.headers["Location"].startswith("http://localhost:3000/signup?")


# --- the provider page -----------------------------------------------------------------------


def test_the_provider_page_form_signs_in_the_typed_identity(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(
        stytch_mock,
        "ada@acme.com",
        oauth_tenant_jit_provisioning="RESTRICTED",
        allowed_oauth_tenants={"github": ["4242"]},
    )
    page_url = start(stytch_mock, "github", slug=org.organization_slug).headers["Location"]
    page = http(stytch_mock.url + page_url.lstrip("/"))
    action = html.unescape(
        re.search(r'<form method="post" action="([^"]+)" id="identity">', page.json)[1]
    )
    state = html.unescape(re.search(r'name="state" value="([^"]+)"', page.json)[1])
    form = urlencode(
        {
            "state": state,
            "email": "grace@elsewhere.dev",
            "name": "Grace Hopper",
            "email_verified": "true",
            "tenant_ids": "4242, 99",
            "decision": "approve",
        }
    ).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    done = http(
        stytch_mock.url + action.lstrip("/"), "POST", body=form, headers=headers, follow=False
    )
    assert done.status == 302
    resp = stytch_mock.client.oauth.authenticate(oauth_token=token_of(done.headers["Location"]))
    # A GitHub tenant the organization allows: joined without a step-up.
    assert resp.member_authenticated is True
    assert resp.member.email_address == "grace@elsewhere.dev"
    assert resp.member.name == "Grace Hopper"
    assert resp.member.email_address_verified is False  # GitHub does not verify emails
    stored = stytch_mock.client.organizations.members.oauth_providers.github(
        organization_id=org.organization_id, member_id=resp.member_id
    )
    assert stored.registrations[0].provider_tenant_ids == ["4242", "99"]

    # The request behind the page is used up.
    again = http(
        stytch_mock.url + action.lstrip("/"), "POST", body=form, headers=headers, follow=False
    )
    assert_error_page(again, 400, "oauth_invalid_state")


def test_denying_consent_returns_the_providers_error_and_no_token(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    resp = start(
        stytch_mock,
        "microsoft",
        organization_id=org.organization_id,
        provider_login_hint="ada@acme.com",
        mock_deny="true",
    )
    query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert "token" not in query


def test_the_provider_page_expires_with_the_clock(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    page_url = start(stytch_mock, "google", organization_id=org.organization_id).headers["Location"]
    stytch_mock.advance_clock(minutes=11)
    assert_error_page(http(stytch_mock.url + page_url.lstrip("/")), 400, "oauth_invalid_state")


# --- authenticate --------------------------------------------------------------------------


def test_microsoft_id_token_is_signed_by_the_mock_provider(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    token = stytch_mock.oauth_token(
        "microsoft", "ada@acme.com", organization=org.organization_id, name="Ada L"
    )
    resp = stytch_mock.client.oauth.authenticate(oauth_token=token)
    id_token = resp.provider_values.id_token
    claims = pyjwt.decode(
        id_token, provider_key().public_key, algorithms=["RS256"], options={"verify_aud": False}
    )
    assert claims["sub"] == resp.provider_subject
    assert (claims["email"], claims["name"], claims["email_verified"]) == (
        "ada@acme.com",
        "Ada L",
        True,
    )
    assert claims["iss"] == "https://login.microsoftonline.com/common/v2.0"


def test_refused_tokens_are_left_usable_and_state_unchanged(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    stytch_mock.client.organizations.update(
        organization_id=org.organization_id, email_allowed_domains=["acme.com"]
    )
    token = stytch_mock.oauth_token("google", "new@acme.com", organization=org.organization_id)
    before = state_of(stytch_mock)
    with pytest.raises(StytchError) as refused:
        stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert_sdk_error(refused, 403, "email_jit_provisioning_not_allowed")
    assert state_of(stytch_mock) == before
    stytch_mock.client.organizations.update(
        organization_id=org.organization_id, email_jit_provisioning="RESTRICTED"
    )
    assert stytch_mock.client.oauth.authenticate(oauth_token=token).member_authenticated is True


def test_expired_and_cross_flow_tokens_are_not_found(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    token = stytch_mock.oauth_token("google", "ada@acme.com", organization=org.organization_id)
    discovery = stytch_mock.discovery_oauth_token("google", "ada@acme.com")
    with pytest.raises(StytchError) as crossed:
        stytch_mock.client.oauth.authenticate(oauth_token=discovery)
    assert_sdk_error(crossed, 400, "oauth_token_not_found")
    stytch_mock.advance_clock(minutes=10)
    with pytest.raises(StytchError) as expired:
        stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert_sdk_error(expired, 400, "oauth_token_not_found")


def test_an_unverified_provider_email_is_refused(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    token = stytch_mock.oauth_token(
        "google", "ada@acme.com", organization=org.organization_id, email_verified=False
    )
    with pytest.raises(StytchError) as refused:
        stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert_sdk_error(refused, 400, "oauth_unverified_email")


def test_google_without_hosted_domain_does_not_verify_the_email(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    assert member.email_address_verified is False
    token = stytch_mock.oauth_token(
        "google", "ada@acme.com", organization=org.organization_id, hd=""
    )
    resp = stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert resp.member_authenticated is False
    assert resp.primary_required.allowed_auth_methods == [
        "microsoft_oauth",
        "email_otp",
        "magic_link",
        "google_oauth",
    ]
    # With the hosted domain, Google verifies it: a session, and the email is now verified.
    token = stytch_mock.oauth_token("google", "ada@acme.com", organization=org.organization_id)
    resp = stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert resp.member_authenticated is True
    assert resp.member.email_address_verified is True


def test_restricted_auth_methods_ask_for_an_allowed_method(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(
        stytch_mock,
        "ada@acme.com",
        auth_methods="RESTRICTED",
        allowed_auth_methods=["google_oauth"],
    )
    google = stytch_mock.oauth_token("google", "ada@acme.com", organization=org.organization_id)
    assert stytch_mock.client.oauth.authenticate(oauth_token=google).member_authenticated is True
    microsoft = stytch_mock.oauth_token(
        "microsoft", "ada@acme.com", organization=org.organization_id
    )
    resp = stytch_mock.client.oauth.authenticate(oauth_token=microsoft)
    assert resp.member_authenticated is False
    assert resp.primary_required.allowed_auth_methods == ["google_oauth"]


def test_invited_member_becomes_active(stytch_mock: StytchMock) -> None:
    org = stytch_mock.client.organizations.create(organization_name="Acme").organization
    stytch_mock.client.magic_links.email.invite(
        organization_id=org.organization_id, email_address="ada@acme.com"
    )
    token = stytch_mock.oauth_token("microsoft", "ada@acme.com", organization=org.organization_id)
    resp = stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert resp.member.status == "active"
    assert resp.member_authenticated is True


def test_a_second_login_reuses_the_registration_and_extends_the_callers_session(
    stytch_mock: StytchMock,
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    first = log_in(stytch_mock, org.organization_id, "ada@acme.com")
    for _ in range(2):
        token = stytch_mock.oauth_token("google", "ada@acme.com", organization=org.organization_id)
        resp = stytch_mock.client.oauth.authenticate(
            oauth_token=token, session_token=first.session_token
        )
    assert resp.member_session.member_session_id == first.member_session.member_session_id
    assert len(resp.member.oauth_registrations) == 1
    kinds = [f.delivery_method for f in resp.member_session.authentication_factors]
    assert kinds == ["email", "oauth_google"]


def test_hubspot_and_stored_tokens_refresh_after_an_hour(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    log_in(stytch_mock, org.organization_id, "ada@acme.com")  # verifies the email
    token = stytch_mock.oauth_token(
        "hubspot", "ada@acme.com", organization=org.organization_id, tenant_ids=["777"]
    )
    resp = stytch_mock.client.oauth.authenticate(oauth_token=token)
    assert resp.member_authenticated is True
    assert resp.provider_type == "HubSpot"
    providers = stytch_mock.client.organizations.members.oauth_providers
    first = providers.hubspot(organization_id=org.organization_id, member_id=member.member_id)
    (entry,) = first.registrations
    assert (entry.provider_tenant_id, entry.access_token) == (
        "777",
        resp.provider_values.access_token,
    )
    stytch_mock.advance_clock(hours=2)
    (later,) = providers.hubspot(
        organization_id=org.organization_id, member_id=member.member_id
    ).registrations
    assert later.access_token != entry.access_token
    assert later.access_token_expires_in == 3600
    with pytest.raises(StytchError) as none:
        providers.google(organization_id=org.organization_id, member_id=member.member_id)
    assert_sdk_error(none, 404, "member_oauth_token_not_found")


def test_discovery_with_a_non_verifying_provider_asks_for_a_step_up_to_join_by_domain(
    stytch_mock: StytchMock,
) -> None:
    org, _ = org_with_member(
        stytch_mock,
        "ada@acme.com",
        email_allowed_domains=["acme.com"],
        email_jit_provisioning="RESTRICTED",
    )
    log_in(stytch_mock, org.organization_id, "ada@acme.com")  # a verified member on acme.com
    token = stytch_mock.discovery_oauth_token("github", "bob@acme.com")
    resp = stytch_mock.client.oauth.discovery.authenticate(discovery_oauth_token=token)
    (found,) = resp.discovered_organizations
    assert found.membership.type == "eligible_to_join_by_email_domain"
    assert found.member_authenticated is False
    assert "magic_link" in found.primary_required.allowed_auth_methods
    joined = stytch_mock.client.discovery.intermediate_sessions.exchange(
        intermediate_session_token=resp.intermediate_session_token,
        organization_id=org.organization_id,
    )
    assert joined.member_authenticated is False
    assert joined.primary_required is not None
    assert joined.member.email_address_verified is False


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.parametrize("discovery", [False, True])
async def test_an_oauth_token_raced_50_times_succeeds_once(
    stytch_mock: StytchMock,
    aclient: B2BClient,  # noqa: F811
    discovery: bool,
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    if discovery:
        token = stytch_mock.discovery_oauth_token("google", "ada@acme.com")
        call = lambda: aclient.oauth.discovery.authenticate_async(discovery_oauth_token=token)  # noqa: E731
    else:
        token = stytch_mock.oauth_token("google", "ada@acme.com", organization=org.organization_id)
        call = lambda: aclient.oauth.authenticate_async(oauth_token=token)  # noqa: E731
    wins, errors = await race(call)
    assert len(wins) == 1
    assert errors == {(400, "oauth_token_not_found"): N - 1}
    state = state_of(stytch_mock)
    if discovery:
        assert len(state["intermediate_sessions"]) == 1
    else:
        assert len(state["sessions"]) == 1


def test_oauth_state_is_saved_and_restored(stytch_mock: StytchMock) -> None:
    """Pending tokens, used tokens and provider tokens round-trip through GET/PUT state."""
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    used = stytch_mock.oauth_token("microsoft", "ada@acme.com", organization=org.organization_id)
    login = stytch_mock.client.oauth.authenticate(oauth_token=used)
    pending = stytch_mock.oauth_token("google", "ada@acme.com", organization=org.organization_id)
    saved = state_of(stytch_mock)
    assert len(saved["oauth_tokens"]) == 2 and len(saved["oauth_provider_tokens"]) == 1

    stytch_mock.reset()
    stytch_mock.control("PUT", "_mock/state", {"state": saved})
    assert state_of(stytch_mock) == saved
    stored = stytch_mock.client.organizations.members.oauth_providers.microsoft(
        organization_id=org.organization_id, member_id=member.member_id
    )
    assert stored.access_token == login.provider_values.access_token
    with pytest.raises(StytchError) as replay:
        stytch_mock.client.oauth.authenticate(oauth_token=used)
    assert_sdk_error(replay, 400, "oauth_token_not_found")
    assert stytch_mock.client.oauth.authenticate(oauth_token=pending).member_authenticated


def test_the_provider_page_refuses_large_forms(stytch_mock: StytchMock) -> None:
    url = f"{stytch_mock.url}_mock/oauth/google/authorize?public_token={stytch_mock.public_token}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    resp = http(url, "POST", body=b"state=" + b"x" * 20_000, headers=headers)
    assert_error_page(resp, 413, "bad_request")
