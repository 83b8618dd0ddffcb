"""The frontend SDK's API (``/sdk/v1``) over raw HTTP, sent as the browser SDK sends it:
``Basic public_token:session_token``, an ``Origin``, JSON bodies; answers in ``{"data": ...}``,
errors flat. The browser itself is in test_frontend_sdk_browser.py; this covers the rules and
the bad input a browser cannot easily produce."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stytch.core.response_base import StytchError

from mockserver.domain.frontend import FrontendSettings
from mockserver.domain.project import ProjectConfig
from mockserver.pytest_plugin import RawResponse, StytchMock, send_http
from mockserver.server import MockServer
from mockserver.settings import ConfigError, load_config_file
from tests.conftest import TwoProjects
from tests.support import (
    assert_sdk_error,
    assert_stytch_error,
    discovery_token,
    handle,
    log_in,
    org_with_member,
    state_of,
)

ORIGIN = "http://localhost:3000"
BOOTSTRAP_KEYS = {
    "request_id",
    "status_code",
    "project_name",
    "disable_sdk_watermark",
    "cname_domain",
    "email_domains",
    "captcha_settings",
    "pkce_required_for_email_magic_links",
    "pkce_required_for_password_resets",
    "pkce_required_for_oauth",
    "pkce_required_for_sso",
    "slug_pattern",
    "create_organization_enabled",
    "password_config",
    "dfp_protected_auth_enabled",
    "dfp_protected_auth_mode",
    "rbac_policy",
    "siwe_required_for_crypto_wallets",
    "vertical",
}


def sdk(
    mock: StytchMock,
    method: str,
    path: str,
    body: Any = None,
    *,
    session: str | None = None,
    origin: str | None = ORIGIN,
    public_token: str | None = None,
    headers: dict[str, str] | None = None,
) -> RawResponse:
    """One call as the browser SDK makes it."""
    token = public_token or mock.public_token
    raw = f"{token}:{session or token}".encode()
    sent = {"Authorization": "Basic " + base64.b64encode(raw).decode(), **(headers or {})}
    if origin is not None:
        sent["Origin"] = origin
    if body is not None:
        sent["Content-Type"] = "application/json"
    data = json.dumps(body).encode() if body is not None else None
    return send_http(mock.url + "sdk/v1/" + path, method, body=data, headers=sent)


def ok(resp: RawResponse) -> dict[str, Any]:
    """The payload of a 2xx: wrapped in ``data``, with the usual base fields."""
    assert resp.status == 200, resp.json
    assert set(resp.json) == {"data"}, resp.json
    assert resp.json["data"]["status_code"] == 200
    return resp.json["data"]


def browser_login(mock: StytchMock, email: str) -> dict[str, Any]:
    """The prebuilt UI's calls: send, authenticate the link, create an organization."""
    ok(sdk(mock, "POST", "b2b/magic_links/email/discovery/send", {"email_address": email}))
    token = mock.outbox.latest_token(email)
    found = ok(
        sdk(
            mock,
            "POST",
            "b2b/magic_links/discovery/authenticate",
            {"discovery_magic_links_token": token},
        )
    )
    return ok(
        sdk(
            mock,
            "POST",
            "b2b/discovery/organizations/create",
            {
                "intermediate_session_token": found["intermediate_session_token"],
                "session_duration_minutes": 60,
            },
        )
    )


# --- bootstrap, telemetry, CORS ----------------------------------------------------------


def test_bootstrap_is_complete_with_nulls_kept(stytch_mock: StytchMock) -> None:
    resp = sdk(stytch_mock, "GET", f"projects/bootstrap/{stytch_mock.public_token}")
    body = ok(resp)
    assert set(body) == BOOTSTRAP_KEYS
    assert body["vertical"] == "B2B"
    assert body["cname_domain"] is None and body["password_config"] is None
    assert body["captcha_settings"] == {"enabled": False}
    assert body["dfp_protected_auth_enabled"] is False
    assert body["create_organization_enabled"] is True
    role_ids = {r["role_id"] for r in body["rbac_policy"]["roles"]}
    assert {"stytch_member", "stytch_admin"} <= role_ids
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"


def test_bootstrap_of_another_public_token_is_refused(stytch_mock: StytchMock) -> None:
    resp = sdk(stytch_mock, "GET", "projects/bootstrap/public-token-test-somebody-else")
    assert_stytch_error(resp, 401, "public_token_not_found")


def test_telemetry_batch_is_taken_and_a_malformed_one_refused(stytch_mock: StytchMock) -> None:
    batch = [{"telemetry": {"event_id": "e"}, "event": {"event_name": "render_b2b_login_form"}}]
    # Sent with no credentials at all, as the SDK's event logger does.
    resp = stytch_mock.request(
        "POST", "sdk/v1/events", batch, auth=False, headers={"Origin": ORIGIN}
    )
    assert ok(resp)
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    for bad in (b"{", b'{"event": 1}', b'[{"event": 3}]'):
        resp = stytch_mock.request("POST", "sdk/v1/events", body=bad, auth=False)
        assert_stytch_error(resp, 400)


def test_preflight_echoes_origin_and_requested_headers(stytch_mock: StytchMock) -> None:
    asked = "authorization,content-type,x-sdk-client,x-sdk-parent-host"
    resp = stytch_mock.request(
        "OPTIONS",
        "sdk/v1/b2b/sessions/authenticate",
        auth=False,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": asked,
        },
    )
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert resp.headers["Access-Control-Allow-Headers"] == asked
    assert "PUT" in resp.headers["Access-Control-Allow-Methods"]


def test_backend_routes_send_no_cors_headers(stytch_mock: StytchMock) -> None:
    resp = stytch_mock.request(
        "GET", "v1/b2b/rbac/policy", headers={"Origin": "http://localhost:3000"}
    )
    assert resp.status == 200
    assert "Access-Control-Allow-Origin" not in resp.headers


# --- credentials and origins --------------------------------------------------------------


@pytest.fixture
def populated(stytch_mock: StytchMock) -> Iterator[dict[str, Any]]:
    """A project with an organization, a logged-in member and a pending link; unchanged by
    the end of the test."""
    org, _ = org_with_member(stytch_mock, "ada@acme.com", organization_slug="acme")
    session = log_in(stytch_mock, org.organization_id, "ada@acme.com")
    stytch_mock.client.magic_links.email.discovery.send(email_address="zoe@example.com")
    before = state_of(stytch_mock)
    yield {"org": org, "session_token": session.session_token}
    assert state_of(stytch_mock) == before, "a refused request changed the project's state"


@pytest.mark.parametrize(
    "public_token",
    [
        "public-token-test-00000000-0000-4000-8000-00000000dead",
        # A live token: this mock's project is a Test one.
        "public-token-live-11111111-1111-4111-8111-111111111111",
        "project-test-11111111-1111-4111-8111-111111111111",  # the project id is no token
    ],
)
def test_unknown_or_live_public_token_is_refused(
    stytch_mock: StytchMock, populated: dict, public_token: str
) -> None:
    for method, path, body in (
        ("POST", "b2b/magic_links/email/discovery/send", {"email_address": "x@acme.com"}),
        ("POST", "b2b/sessions/revoke", None),
    ):
        resp = sdk(
            stytch_mock,
            method,
            path,
            body,
            public_token=public_token,
            session=populated["session_token"],
        )
        assert_stytch_error(resp, 401, "public_token_not_found")
        assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN  # readable by the page
    live = sdk(stytch_mock, "POST", "b2b/sessions/revoke", public_token=public_token)
    assert ("live token" in live.json["error_message"]) == ("-live-" in public_token)


def test_missing_or_garbled_authorization_is_refused(
    stytch_mock: StytchMock, populated: dict
) -> None:
    path = "sdk/v1/b2b/sessions/revoke"
    for headers in (
        {"Origin": ORIGIN},
        {"Origin": ORIGIN, "Authorization": "Basic %%%"},
        {"Origin": ORIGIN, "Authorization": "Bearer " + stytch_mock.public_token},
    ):
        resp = stytch_mock.request("POST", path, auth=False, headers=headers)
        assert_stytch_error(resp, 401, "unauthorized_credentials")


@pytest.mark.parametrize(
    "origin", [None, "http://evil.example", "https://localhost.evil.example", "null", "localhost"]
)
def test_missing_or_foreign_origin_is_refused(
    stytch_mock: StytchMock, populated: dict, origin: str | None
) -> None:
    resp = sdk(
        stytch_mock,
        "POST",
        "b2b/sessions/revoke",
        session=populated["session_token"],
        origin=origin,
    )
    assert_stytch_error(resp, 400, "bad_domain_for_stytch_sdk")
    assert "sdk-configuration" in resp.json["error_message"]
    # The session is still there: the populated fixture checks the whole state is unchanged.


def test_the_sdks_parent_host_header_stands_in_for_origin(stytch_mock: StytchMock) -> None:
    # A same-origin GET carries no Origin; the SDK always sends X-SDK-Parent-Host.
    path = f"projects/bootstrap/{stytch_mock.public_token}"
    good = sdk(
        stytch_mock,
        "GET",
        path,
        origin=None,
        headers={"X-SDK-Parent-Host": "http://127.0.0.1:8000"},
    )
    assert ok(good) and "Access-Control-Allow-Origin" not in good.headers
    bad = sdk(
        stytch_mock, "GET", path, origin=None, headers={"X-SDK-Parent-Host": "https://evil.test"}
    )
    assert_stytch_error(bad, 400, "bad_domain_for_stytch_sdk")


APP_PROJECT = ProjectConfig(
    "project-test-cccccccc-cccc-4ccc-8ccc-cccccccccccc",
    "secret-test-project-c",
    ["https://app.example.com/login"],
    public_token="public-token-test-cccccccc-cccc-4ccc-8ccc-000000000001",
    frontend=FrontendSettings(
        authorized_domains=["https://app.example.com", "localhost"],
        create_organization_enabled=False,
        pkce_required_for_email_magic_links=True,
    ),
)


@pytest.fixture(scope="module")
def app_project() -> Iterator[StytchMock]:
    with MockServer([APP_PROJECT]) as server:
        yield handle(server, APP_PROJECT)


def test_configured_public_token_domains_and_settings(app_project: StytchMock) -> None:
    mock = app_project
    assert mock.public_token == APP_PROJECT.public_token  # as GET /_mock/project reports it
    token = APP_PROJECT.public_token
    path = f"projects/bootstrap/{token}"
    body = ok(sdk(mock, "GET", path, public_token=token, origin="https://app.example.com"))
    assert body["create_organization_enabled"] is False
    assert body["pkce_required_for_email_magic_links"] is True
    assert ok(sdk(mock, "GET", path, public_token=token, origin="http://localhost:9999"))
    for refused in ("http://app.example.com", "https://app.example.com:8443", "http://127.0.0.1"):
        resp = sdk(mock, "GET", path, public_token=token, origin=refused)
        assert_stytch_error(resp, 400, "bad_domain_for_stytch_sdk")


def test_session_token_of_another_project_is_not_found(two_projects: TwoProjects) -> None:
    a, b = two_projects.a, two_projects.b
    org, _ = org_with_member(b, "bea@beta.com")
    b_token = log_in(b, org.organization_id, "bea@beta.com").session_token
    for method, path in (
        ("POST", "b2b/sessions/authenticate"),
        ("POST", "b2b/sessions/revoke"),
        ("GET", "b2b/organizations/me"),
        ("GET", "b2b/organizations/members/me"),
    ):
        resp = sdk(a, method, path, {} if method == "POST" else None, session=b_token)
        # A type on which the SDK drops its local session.
        assert_stytch_error(resp, 404, "session_not_found")
    assert b.client.sessions.authenticate(session_token=b_token).member.email_address == (
        "bea@beta.com"
    )


def test_calls_that_need_a_session_without_one(stytch_mock: StytchMock) -> None:
    for method, path in (
        ("POST", "b2b/sessions/authenticate"),
        ("POST", "b2b/sessions/revoke"),
        ("GET", "b2b/organizations/me"),
        ("PUT", "b2b/organizations/me"),
    ):
        resp = sdk(stytch_mock, method, path, {} if method != "GET" else None)
        assert_stytch_error(resp, 404, "session_not_found")


def test_exchange_and_create_without_the_ist_cookie_are_404(stytch_mock: StytchMock) -> None:
    # What a plain-http page that is not localhost sends: its Secure IST cookie was dropped.
    for path, body in (
        ("b2b/discovery/organizations/create", {"session_duration_minutes": 60}),
        (
            "b2b/discovery/intermediate_sessions/exchange",
            {"organization_id": "organization-test-x", "session_duration_minutes": 60},
        ),
    ):
        resp = sdk(stytch_mock, "POST", path, body)
        assert_stytch_error(resp, 404, "intermediate_session_not_found")


# --- the flows ----------------------------------------------------------------------------


def test_browser_session_is_the_backends_and_backend_revocation_ends_it(
    stytch_mock: StytchMock,
) -> None:
    created = browser_login(stytch_mock, "ada@acme-labs.com")
    token = created["session_token"]
    assert created["member_authenticated"] is True
    assert created["intermediate_session_token"] == ""
    assert "stytch_admin" in {r["role_id"] for r in created["member"]["roles"]}
    backend = stytch_mock.client.sessions.authenticate(session_token=token)
    assert (
        backend.member_session.member_session_id == (created["member_session"]["member_session_id"])
    )
    # The JWT the browser got verifies with the project's JWKS like any other.
    jwt_session = stytch_mock.client.sessions.authenticate_jwt(session_jwt=created["session_jwt"])
    assert jwt_session.member_session.member_id == created["member_id"]

    extended = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/sessions/authenticate",
            {"session_duration_minutes": 120},
            session=token,
        )
    )
    assert extended["member_session"]["expires_at"] > created["member_session"]["expires_at"]
    assert extended["session_token"] == token

    stytch_mock.client.sessions.revoke(session_token=token)
    gone = sdk(stytch_mock, "POST", "b2b/sessions/authenticate", {}, session=token)
    assert_stytch_error(gone, 404, "session_not_found")


def test_headless_discovery_list_by_ist_and_by_session(stytch_mock: StytchMock) -> None:
    email = "ada@acme.com"
    org, _ = org_with_member(stytch_mock, email)
    token = discovery_token(stytch_mock, email)
    found = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/magic_links/discovery/authenticate",
            {"discovery_magic_links_token": token},
        )
    )
    ist = found["intermediate_session_token"]
    by_ist = ok(
        sdk(stytch_mock, "POST", "b2b/discovery/organizations", {"intermediate_session_token": ist})
    )
    assert [d["organization"]["organization_id"] for d in by_ist["discovered_organizations"]] == [
        org.organization_id
    ]
    joined = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/discovery/intermediate_sessions/exchange",
            {"intermediate_session_token": ist, "organization_id": org.organization_id},
        )
    )
    by_session = ok(
        sdk(stytch_mock, "POST", "b2b/discovery/organizations", {}, session=joined["session_token"])
    )
    assert by_session["email_address"] == email
    assert "organization_id_hint" not in by_session  # null, left out as on the backend
    # The IST was used up by the exchange.
    again = sdk(
        stytch_mock, "POST", "b2b/discovery/organizations", {"intermediate_session_token": ist}
    )
    assert_stytch_error(again, 404, "intermediate_session_not_found")


def test_organization_magic_link_from_the_browser(stytch_mock: StytchMock) -> None:
    org, member = org_with_member(stytch_mock, "ada@acme.com")
    sent = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/magic_links/email/login_or_signup",
            {"organization_id": org.organization_id, "email_address": "ada@acme.com"},
        )
    )
    assert set(sent) == {"request_id", "status_code"}
    token = stytch_mock.outbox.latest_token("ada@acme.com")
    result = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/magic_links/authenticate",
            {"magic_links_token": token, "session_duration_minutes": 30},
        )
    )
    assert result["member_id"] == member.member_id
    used = sdk(stytch_mock, "POST", "b2b/magic_links/authenticate", {"magic_links_token": token})
    assert_stytch_error(used, 401, "unable_to_auth_magic_link")


def test_self_service_is_gated_by_the_members_roles(stytch_mock: StytchMock) -> None:
    admin = browser_login(stytch_mock, "ada@acme-labs.com")
    org_id = admin["organization"]["organization_id"]
    admin_token = admin["session_token"]

    invited = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/magic_links/email/invite",
            {"email_address": "bob@acme-labs.com", "name": "Bob"},
            session=admin_token,
        )
    )
    assert invited["member"]["status"] == "invited"
    link = stytch_mock.outbox.latest_token("bob@acme-labs.com")
    bob = ok(sdk(stytch_mock, "POST", "b2b/magic_links/authenticate", {"magic_links_token": link}))
    bob_token = bob["session_token"]
    assert [r["role_id"] for r in bob["member"]["roles"]] == ["stytch_member"]

    # A plain member may change itself, not the organization or another member.
    me = ok(
        sdk(
            stytch_mock,
            "PUT",
            "b2b/organizations/members/update",
            {"name": "Robert", "untrusted_metadata": {"theme": "dark"}},
            session=bob_token,
        )
    )
    assert me["member"]["name"] == "Robert"
    assert ok(sdk(stytch_mock, "GET", "b2b/organizations/members/me", session=bob_token))["member"][
        "untrusted_metadata"
    ] == {"theme": "dark"}
    before = state_of(stytch_mock)
    for method, path, body in (
        ("PUT", "b2b/organizations/me", {"organization_name": "Bob's"}),
        ("DELETE", "b2b/organizations/me", None),
        ("POST", "b2b/organizations/members", {"email_address": "eve@acme-labs.com"}),
        ("PUT", f"b2b/organizations/members/{admin['member_id']}", {"name": "x"}),
        ("DELETE", f"b2b/organizations/members/{admin['member_id']}", None),
        ("POST", "b2b/organizations/me/members/search", {}),
        ("POST", f"b2b/sessions/revoke/{admin['member_id']}", None),
    ):
        resp = sdk(stytch_mock, method, path, body, session=bob_token)
        assert_stytch_error(resp, 403, "session_authorization_error")
    # The backend's rules, on the browser's routes too: a member may not change its own email,
    # and stytch.self lets it act on its own record through the member routes.
    own_email = sdk(
        stytch_mock,
        "PUT",
        f"b2b/organizations/members/{bob['member_id']}",
        {"email_address": "robert@acme-labs.com"},
        session=bob_token,
    )
    assert_stytch_error(own_email, 400, "member_cannot_update_their_email_address")
    assert state_of(stytch_mock) == before
    renamed_self = ok(
        sdk(
            stytch_mock,
            "PUT",
            f"b2b/organizations/members/{bob['member_id']}",
            {"name": "Bobby"},
            session=bob_token,
        )
    )
    assert renamed_self["member"]["name"] == "Bobby"

    # The admin may.
    renamed = ok(
        sdk(
            stytch_mock,
            "PUT",
            "b2b/organizations/me",
            {"organization_name": "Acme Labs", "trusted_metadata": {"ignored": True}},
            session=admin_token,
        )
    )
    assert renamed["organization"]["organization_name"] == "Acme Labs"
    # trusted_metadata is not the frontend's to set: ignored, like an unknown field.
    after = stytch_mock.client.organizations.get(organization_id=org_id).organization
    assert not after.trusted_metadata
    found = ok(
        sdk(stytch_mock, "POST", "b2b/organizations/me/members/search", {}, session=admin_token)
    )
    assert sorted(m["email_address"] for m in found["members"]) == [
        "ada@acme-labs.com",
        "bob@acme-labs.com",
    ]
    ok(sdk(stytch_mock, "POST", f"b2b/sessions/revoke/{bob['member_id']}", session=admin_token))
    with pytest.raises(StytchError) as caught:
        stytch_mock.client.sessions.authenticate(session_token=bob_token)
    assert_sdk_error(caught, 404, "session_not_found")
    deleted = ok(
        sdk(
            stytch_mock,
            "DELETE",
            f"b2b/organizations/members/{bob['member_id']}",
            session=admin_token,
        )
    )
    assert deleted["member_id"] == bob["member_id"]
    back = ok(
        sdk(
            stytch_mock,
            "PUT",
            f"b2b/organizations/members/{bob['member_id']}/reactivate",
            session=admin_token,
        )
    )
    assert back["member"]["status"] == "active"


def test_organization_by_slug_before_login(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com", organization_slug="acme")
    found = ok(sdk(stytch_mock, "POST", "b2b/organizations/search", {"organization_slug": "ACME"}))
    assert found["organization"]["organization_id"] == org.organization_id
    # Only what a login page may see: no members, metadata or claimed domains.
    assert "trusted_metadata" not in found["organization"]
    assert "claimed_email_domains" not in found["organization"]
    none = ok(sdk(stytch_mock, "POST", "b2b/organizations/search", {"organization_slug": "nope"}))
    assert none["organization"] is None


def test_session_exchange_into_another_organization(stytch_mock: StytchMock) -> None:
    email = "ada@acme.com"
    first, _ = org_with_member(stytch_mock, email, name="First")
    second, _ = org_with_member(stytch_mock, email, name="Second")
    token = log_in(stytch_mock, first.organization_id, email).session_token
    moved = ok(
        sdk(
            stytch_mock,
            "POST",
            "b2b/sessions/exchange",
            {"organization_id": second.organization_id, "session_duration_minutes": 30},
            session=token,
        )
    )
    assert moved["organization"]["organization_id"] == second.organization_id
    assert moved["member_authenticated"] is True
    backend = stytch_mock.client.sessions.authenticate(session_token=moved["session_token"])
    assert backend.organization.organization_id == second.organization_id


def test_error_bodies_are_flat_and_successes_wrapped(stytch_mock: StytchMock) -> None:
    bad = sdk(
        stytch_mock, "POST", "b2b/magic_links/email/discovery/send", {"email_address": "nope"}
    )
    assert_stytch_error(bad, 400, "invalid_email")
    assert "data" not in bad.json
    assert json.loads(json.dumps(bad.json))["error_url"].startswith("https://stytch.com/docs/")


def test_project_settings_show_the_frontend_sdk_settings(app_project: StytchMock) -> None:
    shown = app_project.control("GET", "_mock/project")
    assert shown["public_token"] == APP_PROJECT.public_token
    assert shown["frontend_sdk"]["authorized_domains"] == ["https://app.example.com", "localhost"]
    assert shown["frontend_sdk"]["create_organization_enabled"] is False


def test_config_file_frontend_sdk_settings(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text(
        "projects:\n"
        "  - project_id: project-test-11111111-1111-4111-8111-111111111111\n"
        "    secret: s\n"
        "    frontend_sdk:\n"
        "      authorized_domains: [https://app.example.com]\n"
        "      create_organization_enabled: false\n",
        encoding="utf-8",
    )
    (config,), _ = load_config_file(path)
    assert config.frontend.authorized_domains == ["https://app.example.com"]
    assert config.frontend.create_organization_enabled is False
    assert config.frontend.pkce_required_for_email_magic_links is False  # the default
    path.write_text(
        "projects:\n"
        "  - project_id: project-test-11111111-1111-4111-8111-111111111111\n"
        "    secret: s\n"
        "    frontend_sdk: {authorised_domains: [localhost]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="frontend_sdk.authorised_domains"):
        load_config_file(path)
