"""The headless frontend SDK (``@stytch/vanilla-js``) in Chromium managing its organization's
SSO and SCIM connections, as Stytch's admin portal does, against the mock, offline. The page,
the bundle and the offline guard are test_frontend_sdk_versions.py's."""

from __future__ import annotations

from typing import Any

from mockserver.pytest_plugin import StytchMock
from tests.support import org_with_member
from tests.test_frontend_sdk_browser import Offline
from tests.test_frontend_sdk_factors_browser import STRONG, _set_password
from tests.test_frontend_sdk_versions import (  # noqa: F401 (fixtures)
    PageThread,
    SDKUnderTest,
    _options,
    browser_page,
    pytestmark,
    sdk_under_test,
)


def test_headless_admin_creates_sso_and_scim_connections(
    browser_page: tuple[Any, Offline],  # noqa: F811
    stytch_mock: StytchMock,
    sdk_under_test: SDKUnderTest,  # noqa: F811
) -> None:
    page, offline = browser_page
    org, member = org_with_member(stytch_mock, "ada@acme.co")
    org_id = org.organization_id
    stytch_mock.client.organizations.members.update(
        organization_id=org_id, member_id=member.member_id, roles=["stytch_admin"]
    )
    _set_password(stytch_mock, org_id, "ada@acme.co")

    with PageThread(sdk_under_test.headless_bundle, sdk_under_test.adapter) as server:
        page.goto(server.url + "/page.html")
        page.evaluate(
            "([token, options]) => { window.client = sdkUnderTest.headless(token, options); }",
            [stytch_mock.public_token, _options(stytch_mock)],
        )
        page.evaluate(
            "([org, email, password]) => client.passwords.authenticate({ organization_id: org, "
            "email_address: email, password, session_duration_minutes: 30 })",
            [org_id, "ada@acme.co", STRONG],
        )
        saml = page.evaluate(
            "() => client.sso.saml.createConnection({ display_name: 'Okta SAML' })"
        )["connection"]
        assert saml["organization_id"] == org_id
        renamed = page.evaluate(
            "(id) => client.sso.saml.updateConnection({ connection_id: id, display_name: 'Okta' })",
            saml["connection_id"],
        )
        assert renamed["connection"]["display_name"] == "Okta"
        listed = page.evaluate("() => client.sso.getConnections()")
        assert [c["connection_id"] for c in listed["saml_connections"]] == [saml["connection_id"]]
        found = page.evaluate("() => client.sso.discoverConnections('ada@acme.co')")
        assert [c["connection_id"] for c in found["connections"]] == [saml["connection_id"]]

        scim = page.evaluate(
            "() => client.scim.createConnection({ display_name: 'Okta SCIM', "
            "identity_provider: 'okta' })"
        )["connection"]
        assert scim["bearer_token"]
        started = page.evaluate("(id) => client.scim.rotateStart(id)", scim["connection_id"])
        assert started["connection"]["next_bearer_token"]
        page.evaluate("(id) => client.scim.rotateCancel(id)", scim["connection_id"])
        got = page.evaluate("() => client.scim.getConnection()")["connection"]
        assert got["bearer_token_last_four"] == scim["bearer_token"][-4:]

    backend = stytch_mock.client.sso.get_connections(organization_id=org_id)
    assert [c.display_name for c in backend.saml_connections] == ["Okta"]
    kept = stytch_mock.client.scim.connection.get(organization_id=org_id).connection
    assert kept is not None and kept.display_name == "Okta SCIM"
    assert offline.blocked == []
