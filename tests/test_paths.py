"""Paths with a doubled leading slash (the Java SDK with a base URL ending in "/")."""

from __future__ import annotations

from mockserver.pytest_plugin import StytchMock
from tests.support import assert_stytch_error, basic, http


def _url(mock: StytchMock, path: str) -> str:
    return mock.url.rstrip("/") + path


def test_a_doubled_leading_slash_routes_like_one(stytch_mock: StytchMock) -> None:
    auth = {"Authorization": basic(stytch_mock.project_id, stytch_mock.secret)}
    made = http(
        _url(stytch_mock, "//v1/b2b/organizations"),
        "POST",
        body=b'{"organization_name": "Slashes", "organization_slug": "slashes"}',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert made.status == 200, made.json
    org_id = made.json["organization"]["organization_id"]
    got = http(
        _url(stytch_mock, f"///v1/b2b/organizations/{org_id}?organization_id={org_id}"),
        headers=auth,
    )
    assert got.status == 200
    assert got.json["organization"]["organization_slug"] == "slashes"


def test_the_rewritten_request_still_needs_credentials(stytch_mock: StytchMock) -> None:
    refused = http(_url(stytch_mock, "//v1/b2b/organizations/search"), "POST", body=b"{}")
    assert_stytch_error(refused, 401, "unauthorized_credentials")
    # The JWKS stays public, as the Go SDK fetches it without credentials.
    jwks = http(_url(stytch_mock, f"//v1/b2b/sessions/jwks/{stytch_mock.project_id}"))
    assert jwks.status == 200 and jwks.json["keys"]


def test_an_unknown_route_with_slashes_is_still_not_found(stytch_mock: StytchMock) -> None:
    auth = {"Authorization": basic(stytch_mock.project_id, stytch_mock.secret)}
    assert_stytch_error(
        http(_url(stytch_mock, "//v1/b2b/nothing"), headers=auth), 404, "route_not_found"
    )
    # Only a doubled leading slash is forgiven, not one inside the path.
    assert_stytch_error(
        http(_url(stytch_mock, "/v1//b2b/organizations/search"), "POST", body=b"{}", headers=auth),
        404,
        "route_not_found",
    )
