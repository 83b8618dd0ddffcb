"""The request log (``GET /_mock/requests``, and the fixture's failure report) and the session
shortcut (``POST /_mock/sessions``, ``stytch_mock.session_for``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from stytch.core.response_base import StytchError

from mockserver.domain.request_log import RequestLog
from mockserver.pytest_plugin import StytchMock
from tests.support import assert_sdk_error, assert_stytch_error

# --- the request log --------------------------------------------------------------------


def test_the_log_lists_the_projects_stytch_requests_with_their_outcome(
    stytch_mock: StytchMock,
) -> None:
    client = stytch_mock.client
    client.organizations.create(organization_name="Logged", organization_slug="logged")
    with pytest.raises(StytchError):
        client.organizations.get(organization_id="organization-test-nothing")
    stytch_mock.outbox.messages()  # a control API call: not logged
    logged = stytch_mock.requests(since=stytch_mock.requests_from)
    assert [(r["method"], r["path"], r["status"], r.get("error_type")) for r in logged] == [
        ("POST", "/v1/b2b/organizations", 200, None),
        ("GET", "/v1/b2b/organizations/organization-test-nothing", 404, "organization_not_found"),
    ]
    assert logged[0]["user_agent"].startswith("Stytch Python")
    assert logged[0]["duration_ms"] >= 0
    assert logged[0]["seq"] < logged[1]["seq"]
    # since= gives only what came after
    assert stytch_mock.requests(since=logged[0]["seq"]) == logged[1:]


def test_the_log_is_per_project(stytch_mock: StytchMock, stytch_mock_server: object) -> None:
    stytch_mock.client.organizations.search()
    other = stytch_mock.request(
        "GET", "_mock/requests", headers={"Authorization": "Basic " + "eDp5"}
    )
    assert_stytch_error(other, 401, "unauthorized_credentials")
    mine = stytch_mock.requests(since=stytch_mock.requests_from)
    assert [r["path"] for r in mine] == ["/v1/b2b/organizations/search"]


def test_the_log_keeps_only_its_newest_entries() -> None:
    log = RequestLog(capacity=3)
    for n in range(5):
        log.add(1767225600.0, "GET", f"/{n}", 200, None, 0.1, "")
    assert [e.path for e in log.since()] == ["/2", "/3", "/4"]
    assert log.last_seq == 5
    assert [e.path for e in log.since(3, limit=1)] == ["/4"]


def test_a_bad_since_is_a_stytch_error(stytch_mock: StytchMock) -> None:
    assert_stytch_error(stytch_mock.request("GET", "_mock/requests?since=-1"), 400)
    assert_stytch_error(stytch_mock.request("GET", "_mock/requests?limit=0"), 400)


FAILING_TEST = """
def test_app_login(stytch_mock):
    stytch_mock.client.organizations.create(organization_name="Boom", organization_slug="boom")
    try:
        stytch_mock.client.organizations.get(organization_id="organization-test-missing")
    except Exception:
        pass
    assert False, "the app's own assertion"


def test_passes(stytch_mock):
    stytch_mock.client.organizations.search()
"""


@pytest.mark.slow  # a pytest process
def test_a_failing_test_shows_its_requests_in_the_report(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(textwrap.dedent(FAILING_TEST), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "stytch-mock requests" in run.stdout
    assert "POST /v1/b2b/organizations -> 200" in run.stdout
    assert "/v1/b2b/organizations/organization-test-missing -> 404 organization_not_found" in (
        run.stdout
    )
    # Only the failing test's requests, once.
    assert "/v1/b2b/organizations/search" not in run.stdout
    assert run.stdout.count("-- stytch-mock requests --") == 1


# --- the session shortcut ---------------------------------------------------------------


def test_session_for_gives_a_real_session_of_a_new_member(stytch_mock: StytchMock) -> None:
    made = stytch_mock.session_for("ada@acme-widgets.com", roles=["stytch_admin"])
    assert made["organization"]["organization_slug"] == "acme-widgets"  # derived, as discovery
    assert made["member"]["status"] == "active" and made["member"]["email_address_verified"]
    client = stytch_mock.client
    session = client.sessions.authenticate(session_token=made["session_token"])
    assert session.member.member_id == made["member"]["member_id"]
    assert sorted(session.member_session.roles) == ["stytch_admin", "stytch_member"]
    assert [f.type for f in session.member_session.authentication_factors] == ["magic_link"]
    local = client.sessions.authenticate_jwt_local(session_jwt=made["session_jwt"])
    assert local is not None and local.member_session_id == session.member_session.member_session_id


def test_session_for_reuses_the_member_and_the_organization(stytch_mock: StytchMock) -> None:
    first = stytch_mock.session_for("ada@example.com", organization="acme")
    again = stytch_mock.session_for("ada@example.com", organization="acme", roles=["stytch_admin"])
    assert first["organization"]["organization_slug"] == "acme"
    assert again["member"]["member_id"] == first["member"]["member_id"]
    assert (
        again["member_session"]["member_session_id"] != first["member_session"]["member_session_id"]
    )
    by_id = stytch_mock.session_for(
        "bob@example.com", organization=first["organization"]["organization_id"]
    )
    assert by_id["organization"]["organization_id"] == first["organization"]["organization_id"]
    found = stytch_mock.client.organizations.search()
    assert [o.organization_slug for o in found.organizations] == ["acme"]
    roles = {
        r.role_id
        for r in stytch_mock.client.organizations.members.get(
            organization_id="acme", email_address="ada@example.com"
        ).member.roles
    }
    assert roles == {"stytch_member", "stytch_admin"}


def test_session_for_bad_input_is_a_stytch_error_and_changes_nothing(
    stytch_mock: StytchMock,
) -> None:
    for body, status, error_type in (
        ({"email_address": "not-an-email"}, 400, "invalid_email"),
        ({"email_address": "ada@example.com", "session_duration_minutes": 1}, 400, None),
        ({"email_address": "ada@example.com", "roles": "admin"}, 400, "invalid_argument"),
        # An unknown role is refused before an organization is made for the member.
        ({"email_address": "ada@example.com", "roles": ["no_such_role"]}, 400, "invalid_role"),
        ({"email_address": "ada@acme.com", "organization": "acme", "roles": ["nope"]}, 400, None),
        ({}, 400, "bad_request"),
    ):
        assert_stytch_error(stytch_mock.request("POST", "_mock/sessions", body), status, error_type)
    assert stytch_mock.client.organizations.search().organizations == []
    with pytest.raises(StytchError) as refused:
        stytch_mock.client.organizations.get(organization_id="ada")
    assert_sdk_error(refused, 404, "organization_not_found")
