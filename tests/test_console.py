"""The web console (``/_mock/ui``): over raw HTTP, and in Debian's Chromium.

``STYTCH_MOCK_SCREENSHOTS=docs/console`` makes the browser test save the README's screenshots
there (otherwise under the test's ``tmp_path``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import StytchMock
from tests.support import assert_sdk_error, basic, http


def _get(mock: StytchMock, path: str, *, auth: bool = True) -> Any:
    headers = {"Authorization": basic(mock.project_id, mock.secret)} if auth else {}
    return http(mock.url.rstrip("/") + path, headers=headers)


def _post(mock: StytchMock, path: str, form: dict[str, str]) -> Any:
    from urllib.parse import urlencode

    return http(
        mock.url.rstrip("/") + path,
        "POST",
        body=urlencode(form).encode(),
        headers={
            "Authorization": basic(mock.project_id, mock.secret),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, page
    return match.group(1)


def test_the_console_asks_the_browser_for_the_projects_credentials(
    stytch_mock: StytchMock,
) -> None:
    refused = _get(stytch_mock, "/_mock/ui", auth=False)
    assert refused.status == 401
    assert refused.headers["WWW-Authenticate"].startswith('Basic realm="stytch-b2b-mock')
    assert refused.headers["Content-Type"].startswith("text/html")
    wrong = http(
        stytch_mock.url + "_mock/ui", headers={"Authorization": basic(stytch_mock.project_id, "no")}
    )
    assert wrong.status == 401
    # The mock's root sends a browser to the console.
    home = http(stytch_mock.url, headers={"Authorization": basic(stytch_mock.project_id, "x")})
    assert home.status == 401  # followed the redirect to the console, which asks to log in


def test_the_outbox_page_shows_each_message_with_its_body_and_link(
    stytch_mock: StytchMock,
) -> None:
    stytch_mock.client.magic_links.email.discovery.send(email_address="ada@acme.com")
    stytch_mock.client.magic_links.email.discovery.send(email_address="bob@acme.com")
    link = stytch_mock.outbox.latest_link("ada@acme.com")
    page = _get(stytch_mock, "/_mock/ui/outbox?to=ada@acme.com").json
    assert f'href="{link.replace("&", "&amp;")}"' in page
    assert "Click the link below to log in." in page
    assert "bob@acme.com" not in page
    everyone = _get(stytch_mock, "/_mock/ui/outbox").json
    assert everyone.index("bob@acme.com") < everyone.index("ada@acme.com")  # newest first


def test_organizations_members_and_sessions_can_be_revoked_and_deleted(
    stytch_mock: StytchMock,
) -> None:
    made = stytch_mock.session_for("ada@acme.com", organization="acme")
    org_id = made["organization"]["organization_id"]
    session_id = made["member_session"]["member_session_id"]
    listing = _get(stytch_mock, "/_mock/ui/organizations").json
    assert f'href="/_mock/ui/organizations/{org_id}"' in listing
    page = _get(stytch_mock, f"/_mock/ui/organizations/{org_id}").json
    assert "ada@acme.com" in page and session_id in page

    revoked = _post(
        stytch_mock,
        f"/_mock/ui/sessions/{session_id}/revoke",
        {"csrf": _csrf(page), "organization_id": org_id},
    )
    assert revoked.status == 200 and "Session revoked." in revoked.json  # after the redirect
    assert session_id not in revoked.json
    with pytest.raises(StytchError) as refused:
        stytch_mock.client.sessions.authenticate(session_token=made["session_token"])
    assert_sdk_error(refused, 404, "session_not_found")

    member_id = made["member"]["member_id"]
    gone = _post(
        stytch_mock,
        f"/_mock/ui/organizations/{org_id}/members/{member_id}/delete",
        {"csrf": _csrf(page)},
    )
    assert "Member deleted." in gone.json
    with pytest.raises(StytchError) as no_member:
        stytch_mock.client.organizations.members.get(organization_id=org_id, member_id=member_id)
    assert_sdk_error(no_member, 404, "member_not_found")
    deleted = _post(stytch_mock, f"/_mock/ui/organizations/{org_id}/delete", {"csrf": _csrf(page)})
    assert "Organization deleted." in deleted.json
    assert stytch_mock.client.organizations.search().organizations == []


def test_a_form_without_the_pages_token_is_refused_and_changes_nothing(
    stytch_mock: StytchMock,
) -> None:
    made = stytch_mock.session_for("ada@acme.com", organization="acme")
    org_id = made["organization"]["organization_id"]
    forged = _post(stytch_mock, f"/_mock/ui/organizations/{org_id}/delete", {"csrf": "0" * 64})
    assert forged.status == 403
    assert stytch_mock.client.organizations.get(organization_id=org_id).organization


def test_the_clock_moves_and_goes_back(stytch_mock: StytchMock) -> None:
    page = _get(stytch_mock, "/_mock/ui").json
    before = stytch_mock.now()
    moved = _post(stytch_mock, "/_mock/ui/clock", {"csrf": _csrf(page), "advance_seconds": "3600"})
    assert moved.status == 200 and "The clock moved 0 d 1 h 0 min ahead." in moved.json
    assert (stytch_mock.now() - before).total_seconds() >= 3600
    refused = _post(stytch_mock, "/_mock/ui/clock", {"csrf": _csrf(page), "advance_seconds": "-5"})
    assert refused.status == 400 and "invalid_argument" in refused.json
    back = _post(stytch_mock, "/_mock/ui/clock", {"csrf": _csrf(page), "reset": "1"})
    assert "real time again" in back.json
    assert (stytch_mock.now() - before).total_seconds() < 60


def test_the_state_downloads_and_uploads(stytch_mock: StytchMock) -> None:
    stytch_mock.session_for("ada@acme.com", organization="acme")
    download = _get(stytch_mock, "/_mock/ui/state.json")
    assert download.status == 200
    assert "attachment" in download.headers["Content-Disposition"]
    document = download.json
    stytch_mock.reset()
    page = _get(stytch_mock, "/_mock/ui/state").json
    import json as _json

    boundary = "----console-test"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{_csrf(page)}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="state"; filename="s.json"\r\n'
        f"Content-Type: application/json\r\n\r\n{_json.dumps(document)}\r\n--{boundary}--\r\n"
    ).encode()
    headers = {
        "Authorization": basic(stytch_mock.project_id, stytch_mock.secret),
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    uploaded = http(stytch_mock.url + "_mock/ui/state", "POST", body=body, headers=headers)
    assert uploaded.status == 200 and "State replaced." in uploaded.json
    assert stytch_mock.client.organizations.get(organization_id="acme").organization
    bad = body.replace(_json.dumps(document).encode(), b'{"state": {"organizations": 5}}')
    refused = http(stytch_mock.url + "_mock/ui/state", "POST", body=bad, headers=headers)
    assert refused.status == 400 and "The state document is invalid" in refused.json
    assert stytch_mock.client.organizations.get(organization_id="acme").organization


def test_the_request_log_page(stytch_mock: StytchMock) -> None:
    stytch_mock.client.organizations.search()
    page = _get(stytch_mock, "/_mock/ui/requests").json
    assert "POST /v1/b2b/organizations/search" in page


@pytest.mark.slow
def test_a_person_uses_the_console_in_a_browser(
    chromium: Any, stytch_mock: StytchMock, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("STYTCH_MOCK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    made = stytch_mock.session_for("ada@acme-widgets.com", roles=["stytch_admin"])
    stytch_mock.session_for("bob@acme-widgets.com", organization="acme-widgets")
    stytch_mock.client.magic_links.email.discovery.send(email_address="carol@globex.com")
    context = chromium.new_context(
        http_credentials={"username": stytch_mock.project_id, "password": stytch_mock.secret},
        viewport={"width": 1100, "height": 760},
    )
    page = context.new_page()
    page.goto(stytch_mock.url)  # the root redirects to the console
    assert page.url.endswith("/_mock/ui")
    assert page.locator("h1").inner_text() == "Overview"
    page.screenshot(path=str(shots / "overview.png"), full_page=True)

    page.get_by_role("link", name="Outbox").click()
    link = page.locator("a.link").first
    assert "stytch_token_type=discovery" in (link.get_attribute("href") or "")
    assert "carol@globex.com" in page.locator("section.message").first.inner_text()
    page.screenshot(path=str(shots / "outbox.png"), full_page=True)

    page.get_by_role("link", name="Organizations").click()
    page.get_by_role("link", name="acme-widgets").click()
    assert page.locator("section.member").count() == 2
    page.screenshot(path=str(shots / "organization.png"), full_page=True)
    page.locator("section.member", has_text="ada@acme-widgets.com").get_by_role(
        "button", name="Revoke"
    ).click()
    assert page.get_by_role("status").inner_text() == "Session revoked."
    with pytest.raises(StytchError) as revoked:
        stytch_mock.client.sessions.authenticate(session_token=made["session_token"])
    assert_sdk_error(revoked, 404, "session_not_found")

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="+ 1 day").click()
    assert "1 d 0 h 0 min ahead" in page.locator("#clock").inner_text()

    page.get_by_role("link", name="Requests").click()
    assert "/v1/b2b/magic_links/email/discovery/send" in page.locator("table").inner_text()
    page.screenshot(path=str(shots / "requests.png"), full_page=True)
    context.close()


def test_impersonate_sends_the_browser_to_the_app_with_a_token(stytch_mock: StytchMock) -> None:
    made = stytch_mock.session_for("ada@acme.com", organization="acme")
    org_id, member_id = made["organization"]["organization_id"], made["member"]["member_id"]
    page = _get(stytch_mock, f"/_mock/ui/organizations/{org_id}").json
    action = f"/_mock/ui/organizations/{org_id}/members/{member_id}/impersonate"
    assert f'action="{action}"' in page

    from urllib.parse import parse_qs, urlencode, urlsplit

    sent = http(
        stytch_mock.url.rstrip("/") + action,
        "POST",
        body=urlencode(
            {"csrf": _csrf(page), "impersonator_email_address": "ops@example.com"}
        ).encode(),
        headers={
            "Authorization": basic(stytch_mock.project_id, stytch_mock.secret),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        follow=False,
    )

    assert sent.status == 303
    location = urlsplit(sent.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "http://localhost:3000/authenticate"  # the project's first redirect URL
    )
    query = parse_qs(location.query)
    assert query["stytch_token_type"] == ["multi_tenant_impersonation"]
    resp = stytch_mock.client.impersonation.authenticate(impersonation_token=query["token"][0])
    assert resp.member_id == member_id
    factor = resp.member_session.authentication_factors[0]
    assert factor.impersonated_factor.impersonator_email_address == "ops@example.com"
