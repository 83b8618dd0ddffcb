"""The reference app's password paths over HTTP (the browser test drives the same pages in
Chromium): sign-in with a password, "Forgot password?" through the mock's outbox, a refused
new password, CSRF, and a member the organization does not have."""

from __future__ import annotations

from typing import Any

from mockserver.pytest_plugin import StytchMock
from tests.test_reference_app import (
    Browser,
    assert_friendly_error,
    browser,
    seed_orgs,
    text_of,
)

__all__ = ["browser"]  # the fixture, shared with tests/test_reference_app.py

STRONG = "correct horse battery staple 42"


async def sign_in(browser: Browser, slug: str, email: str, password: str) -> tuple[int, str, Any]:
    form = {"organization": slug, "email": email, "password": password}
    return await browser.post("/login/password", data={**form, "csrf_token": await browser.csrf()})


async def test_forgot_password_then_sign_in_with_it(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    (org_id,) = seed_orgs(stytch_mock, "ria@pw.example", "Pw Org")
    status, html, _ = await sign_in(browser, "pw-org", "ria@pw.example", STRONG)
    assert status == 401 and "Wrong organization, email or password." in html

    form = {"organization": "pw-org", "email": "ria@pw.example", "csrf_token": await browser.csrf()}
    status, html, _ = await browser.post("/password/forgot", data=form)
    assert status == 200 and "a link to choose a new password" in html
    message = stytch_mock.outbox.latest("ria@pw.example")
    assert message["kind"] == "reset_password"
    status, html, _ = await browser.open_link("ria@pw.example")
    assert status == 200 and "Choose a new password" in html

    token = message["token"]
    weak = {"token": token, "password": "password1", "csrf_token": await browser.csrf()}
    status, html, _ = await browser.post("/password/reset", data=weak)
    assert status == 400 and "breached" in html
    good = {"token": token, "password": STRONG, "csrf_token": await browser.csrf()}
    status, _, resp = await browser.post("/password/reset", data=good)
    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    assert browser.session().organization.organization_id == org_id

    await browser.get("/logout")
    status, _, resp = await sign_in(browser, "pw-org", "ria@pw.example", STRONG)
    assert (status, resp.headers["Location"]) == (303, "/dashboard")
    status, html, _ = await browser.get("/dashboard")
    assert text_of(html, "member-email") == "ria@pw.example"
    factors = browser.session().member_session.authentication_factors
    assert [f.type for f in factors] == ["password"]


async def test_password_forms_need_the_csrf_token(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    seed_orgs(stytch_mock, "sol@pw.example", "Pw Org")
    await browser.csrf()
    form = {"organization": "pw-org", "email": "sol@pw.example", "password": STRONG}
    for path in ("/login/password", "/password/forgot", "/password/reset"):
        status, _, _ = await browser.post(path, data=form)
        assert status == 403, path
    assert stytch_mock.outbox.messages("sol@pw.example") == []


async def test_forgot_password_for_an_unknown_member_is_stytchs_error_page(
    browser: Browser, stytch_mock: StytchMock
) -> None:
    seed_orgs(stytch_mock, "sol@pw.example", "Pw Org")
    form = {
        "organization": "pw-org",
        "email": "nobody@pw.example",
        "csrf_token": await browser.csrf(),
    }
    status, html, resp = await browser.post("/password/forgot", data=form)
    assert_friendly_error(status, html, resp, 404, "member_not_found")
