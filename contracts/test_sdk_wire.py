"""What the Go, Java/Kotlin and Ruby SDKs send and read, replayed over raw HTTP.

Those SDKs are not among the contract suite's clients here (their packages could not be had
from the registries this project's CI reaches; see contracts/README.md), so this module sends
exactly what their sources send and checks exactly what their decoders need:

- Go (``github.com/stytchauth/stytch-go``, ``stytch/stytch.go``, ``b2bstytchapi.go``):
  ``NewClient`` fetches the JWKS without credentials and accepts only HTTP 200; every call
  succeeds only on 200 or 201; ``Content-Type: application/json`` on every request, GET and
  DELETE included; path ids repeated in bodies; a session JWT needs ``kid``, ``iat`` and a
  session ``expires_at`` (it panics without them).
- Java (``github.com/stytchauth/stytch-java``, ``common/HttpClient.kt``, the Moshi models): a
  base URL with a trailing slash gives ``//v1/...`` on every call; GET carries every field of
  the request object, path ids included, as query parameters; every non-null model field must
  be present; error bodies need ``status_code``, ``error_type``, ``error_message`` and
  ``error_url``.
- Ruby (``github.com/stytchauth/stytch-ruby``, ``request_helper.rb``, ``jwks_cache.rb``): the
  JWKS request carries Basic auth and its response must be JSON; HTTP errors are not raised,
  apps read ``status_code`` from the body.

They run on both targets (the mock, or a remote server as a black box).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from contracts.helpers import MISSING_ORGANIZATION_ID, SANDBOX_TOKEN_OK
from contracts.support import Target, unique

RFC3339_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")

# Fields the Java SDK's Moshi models declare non-null (they must be present, not null).
ORGANIZATION_FIELDS = (
    "organization_id organization_name organization_logo_url organization_slug "
    "sso_jit_provisioning sso_jit_provisioning_allowed_connections sso_active_connections "
    "email_allowed_domains email_jit_provisioning email_invites auth_methods "
    "allowed_auth_methods mfa_policy rbac_email_implicit_role_assignments mfa_methods "
    "allowed_mfa_methods oauth_tenant_jit_provisioning claimed_email_domains "
    "first_party_connected_apps_allowed_type allowed_first_party_connected_apps "
    "third_party_connected_apps_allowed_type allowed_third_party_connected_apps custom_roles"
).split()
MEMBER_FIELDS = (
    "organization_id member_id email_address status name sso_registrations is_breakglass "
    "member_password_id oauth_registrations email_address_verified mfa_phone_number_verified "
    "is_admin totp_registration_id retired_email_addresses is_locked mfa_enrolled "
    "mfa_phone_number default_mfa_method roles"
).split()
MEMBER_SESSION_FIELDS = (
    "member_session_id member_id started_at last_accessed_at expires_at "
    "authentication_factors organization_id roles organization_slug"
).split()
ERROR_FIELDS = ("status_code", "error_type", "error_message", "error_url")

GO_HEADERS = {"User-Agent": "Stytch Go v18.1.0", "Content-Type": "application/json"}
JAVA_HEADERS = {"User-Agent": "Stytch Java v11.3.0", "Content-Type": "application/json"}
RUBY_HEADERS = {"User-Agent": "Stytch Ruby v11.1.0", "Content-Type": "application/json"}


class Raw:
    """Plain HTTP to the target with the project's Basic credentials."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.base = target.url.rstrip("/")
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        auth: bool = True,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> requests.Response:
        return self.session.request(
            method,
            self.base + path,
            headers=headers,
            auth=(self.target.project_id, self.target.secret) if auth else None,
            data=json.dumps(body) if body is not None else None,
            params=params,
            timeout=30,
        )


@pytest.fixture
def raw(target: Target) -> Iterator[Raw]:
    client = Raw(target)
    yield client
    client.session.close()


@pytest.fixture
def organization(raw: Raw) -> Iterator[dict[str, Any]]:
    """A new organization (with one member), deleted afterwards."""
    slug = unique("wire")
    made = raw.call(
        "POST",
        "/v1/b2b/organizations",
        headers=GO_HEADERS,
        body={"organization_name": f"Wire {slug}", "organization_slug": slug},
    )
    assert made.status_code == 200, made.text
    org = made.json()["organization"]
    yield org
    raw.call("DELETE", f"/v1/b2b/organizations/{org['organization_id']}", headers=GO_HEADERS)


def _json(response: requests.Response) -> dict[str, Any]:
    assert response.headers["Content-Type"].split(";")[0] == "application/json", response.headers
    body = response.json()
    assert isinstance(body, dict)
    return body


def _claims(jwt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def part(text: str) -> dict[str, Any]:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))

    header, payload, _ = jwt.split(".")
    return part(header), part(payload)


def _sandbox_session(raw: Raw, headers: dict[str, str]) -> dict[str, Any]:
    response = raw.call(
        "POST",
        "/v1/b2b/magic_links/authenticate",
        headers=headers,
        body={"magic_links_token": SANDBOX_TOKEN_OK, "session_duration_minutes": 60},
    )
    assert response.status_code == 200, response.text
    return _json(response)


# --- Go ---------------------------------------------------------------------------------


def test_go_new_client_gets_the_jwks_without_credentials(raw: Raw, target: Target) -> None:
    # keyfunc's default request: no Authorization, Go's own User-Agent, exactly 200 accepted.
    response = raw.call(
        "GET",
        f"/v1/b2b/sessions/jwks/{target.project_id}",
        headers={"User-Agent": "Go-http-client/1.1"},
        auth=False,
    )
    assert response.status_code == 200
    keys = _json(response)["keys"]
    assert keys, "no signing key"
    for key in keys:
        # keyfunc keeps RSA keys with n and e whose use is absent or "sig", alg RS256 if given.
        assert (key["kty"], key.get("use", "sig"), key.get("alg", "RS256")) == (
            "RSA",
            "sig",
            "RS256",
        )
        assert key["kid"] and key["n"] and key["e"]
        # Java's model needs these present too (x5c empty or a real certificate).
        assert key["key_ops"] == ["verify"]
        assert isinstance(key["x5c"], list) and isinstance(key["x5tS256"], str)


def test_go_session_jwt_has_what_local_verification_dereferences(raw: Raw, target: Target) -> None:
    session = _sandbox_session(raw, GO_HEADERS)
    header, claims = _claims(session["session_jwt"])
    keys = raw.call(
        "GET", f"/v1/b2b/sessions/jwks/{target.project_id}", headers=GO_HEADERS, auth=False
    ).json()["keys"]
    assert header["alg"] == "RS256" and header["kid"] in {k["kid"] for k in keys}
    # iat is dereferenced by Go and Ruby; exp is required by Java; all integers.
    for name in ("iat", "nbf", "exp"):
        assert isinstance(claims[name], int), name
    assert claims["iss"] == f"stytch.com/{target.project_id}"
    assert target.project_id in claims["aud"]
    assert claims["sub"] == session["member_id"]
    stytch_session = claims["https://stytch.com/session"]
    for name in ("started_at", "last_accessed_at", "expires_at"):
        # Go's time.Parse and JDK 11's Instant.parse: RFC 3339 with a literal Z.
        assert RFC3339_Z.fullmatch(stytch_session[name]), (name, stytch_session[name])
    assert stytch_session["id"] == session["member_session"]["member_session_id"]
    assert stytch_session["roles"] and all(isinstance(r, str) for r in stytch_session["roles"])
    assert stytch_session["authentication_factors"]  # the loop below checks each one
    for factor in stytch_session["authentication_factors"]:
        assert RFC3339_Z.fullmatch(factor["last_authenticated_at"])
    organization = claims["https://stytch.com/organization"]
    assert organization == {
        "organization_id": session["organization_id"],
        "slug": session["organization"]["organization_slug"],
    }


def test_go_repeats_path_ids_in_bodies(raw: Raw, organization: dict[str, Any]) -> None:
    org_id = organization["organization_id"]
    updated = raw.call(
        "PUT",
        f"/v1/b2b/organizations/{org_id}",
        headers=GO_HEADERS,
        body={"organization_id": org_id, "organization_name": "Renamed by Go"},
    )
    assert updated.status_code == 200, updated.text
    assert _json(updated)["organization"]["organization_name"] == "Renamed by Go"
    member = raw.call(
        "POST",
        f"/v1/b2b/organizations/{org_id}/members",
        headers=GO_HEADERS,
        body={"organization_id": org_id, "email_address": f"{unique('go')}@example.com"},
    )
    assert member.status_code == 200, member.text
    member_id = _json(member)["member"]["member_id"]
    renamed = raw.call(
        "PUT",
        f"/v1/b2b/organizations/{org_id}/members/{member_id}",
        headers=GO_HEADERS,
        body={"organization_id": org_id, "member_id": member_id, "name": "Gopher"},
    )
    assert renamed.status_code == 200, renamed.text
    assert _json(renamed)["member"]["name"] == "Gopher"


def test_go_sees_success_only_as_200_with_a_json_body(
    raw: Raw, organization: dict[str, Any]
) -> None:
    # A DELETE with Content-Type: application/json and no body: 200 (never 202/204), JSON.
    org_id = organization["organization_id"]
    member = raw.call(
        "POST",
        f"/v1/b2b/organizations/{org_id}/members",
        headers=GO_HEADERS,
        body={"email_address": f"{unique('del')}@example.com"},
    ).json()["member"]
    deleted = raw.call(
        "DELETE",
        f"/v1/b2b/organizations/{org_id}/members/{member['member_id']}",
        headers=GO_HEADERS,
    )
    assert deleted.status_code == 200
    body = _json(deleted)
    assert body["member_id"] == member["member_id"]
    assert body["status_code"] == 200 and isinstance(body["status_code"], int)
    assert body["request_id"]


# --- Java -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_java_base_url_with_a_trailing_slash_still_works(
    raw: Raw, organization: dict[str, Any], method: str
) -> None:
    # "$baseUrl$path" with baseUrl ending in "/": every request path starts with "//".
    org_id = organization["organization_id"]
    if method == "GET":
        response = raw.call(
            "GET",
            f"//v1/b2b/organizations/{org_id}",
            headers=JAVA_HEADERS,
            params={"organization_id": org_id},
        )
    else:
        response = raw.call(
            "POST",
            "//v1/b2b/organizations/search",
            headers=JAVA_HEADERS,
            body={
                "query": {
                    "operator": "AND",
                    "operands": [{"filter_name": "organization_ids", "filter_value": [org_id]}],
                }
            },
        )
    assert response.status_code == 200, response.text
    body = _json(response)
    found = body["organization"] if method == "GET" else body["organizations"][0]
    assert found["organization_id"] == org_id


def test_java_get_carries_every_field_as_a_query_parameter(
    raw: Raw, organization: dict[str, Any], target: Target
) -> None:
    org_id = organization["organization_id"]
    email = f"{unique('java')}@example.com"
    member = raw.call(
        "POST",
        f"/v1/b2b/organizations/{org_id}/members",
        headers=JAVA_HEADERS,
        body={"organization_id": org_id, "email_address": email},
    ).json()["member"]
    got = raw.call(
        "GET",
        f"/v1/b2b/organizations/{org_id}/member",
        headers=JAVA_HEADERS,
        params={"organization_id": org_id, "member_id": member["member_id"]},
    )
    assert got.status_code == 200, got.text
    assert _json(got)["member"]["email_address"] == email
    jwks = raw.call(
        "GET",
        f"/v1/b2b/sessions/jwks/{target.project_id}",
        headers=JAVA_HEADERS,
        params={"project_id": target.project_id},
    )
    assert jwks.status_code == 200 and _json(jwks)["keys"]


def test_java_finds_every_non_null_field_it_requires(raw: Raw) -> None:
    session = _sandbox_session(raw, JAVA_HEADERS)
    for name in ("member_id", "method_id", "organization_id", "session_token", "session_jwt"):
        assert isinstance(session[name], str) and session[name], name
    assert isinstance(session["intermediate_session_token"], str)
    assert isinstance(session["reset_sessions"], bool)
    assert session["member_authenticated"] is True
    objects = (
        (session["organization"], ORGANIZATION_FIELDS),
        (session["member"], MEMBER_FIELDS),
        (session["member_session"], MEMBER_SESSION_FIELDS),
    )
    for obj, fields in objects:
        missing = [f for f in fields if obj.get(f) is None]
        assert missing == [], missing
    assert session["member"]["roles"]  # every member holds stytch_member
    for role in session["member"]["roles"]:
        assert role["role_id"] and role["sources"] and all(s["type"] for s in role["sources"])
    for name in ("started_at", "last_accessed_at", "expires_at"):
        assert RFC3339_Z.fullmatch(session["member_session"][name])
    assert session["member_session"]["authentication_factors"]
    for factor in session["member_session"]["authentication_factors"]:
        # Closed Kotlin enums: an unknown value fails the whole response.
        assert (factor["type"], factor["delivery_method"]) == ("magic_link", "email")
        assert factor["email_factor"]["email_id"] and factor["email_factor"]["email_address"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"/v1/b2b/organizations/{MISSING_ORGANIZATION_ID}", 404),
        ("POST", "/v1/b2b/organizations", 400),
        ("GET", "/v1/b2b/no-such-route", 404),
    ],
)
def test_java_and_ruby_read_the_error_fields_from_the_body(
    raw: Raw, method: str, path: str, status: int
) -> None:
    response = raw.call(method, path, headers=JAVA_HEADERS, body={} if method == "POST" else None)
    assert response.status_code == status
    body = _json(response)
    assert all(isinstance(body.get(f), str) for f in ERROR_FIELDS[1:]), body
    # Java takes statusCode from the body; Ruby apps branch on resp['status_code'].
    assert body["status_code"] == status and isinstance(body["status_code"], int)
    assert body["error_url"].endswith(f"/{status}#{body['error_type']}")


def test_java_wrong_credentials_are_a_401_error_body(raw: Raw, target: Target) -> None:
    response = raw.session.post(
        raw.base + "/v1/b2b/organizations/search",
        headers=JAVA_HEADERS,
        auth=(target.project_id, "secret-test-wrong"),
        data="{}",
        timeout=30,
    )
    assert response.status_code == 401
    body = _json(response)
    assert (body["status_code"], body["error_type"]) == (401, "unauthorized_credentials")


# --- Ruby -------------------------------------------------------------------------------


def test_ruby_gets_the_jwks_with_basic_auth_as_json(raw: Raw, target: Target) -> None:
    response = raw.call("GET", f"/v1/b2b/sessions/jwks/{target.project_id}", headers=RUBY_HEADERS)
    assert response.status_code == 200
    assert _json(response)["keys"]


def test_ruby_sends_only_the_arguments_given_and_no_path_ids(
    raw: Raw, organization: dict[str, Any]
) -> None:
    org_id = organization["organization_id"]
    email = f"{unique('ruby')}@example.com"
    made = raw.call(
        "POST",
        f"/v1/b2b/organizations/{org_id}/members",
        headers=RUBY_HEADERS,
        body={"email_address": email},
    )
    assert made.status_code == 200, made.text
    got = raw.call(
        "GET",
        f"/v1/b2b/organizations/{org_id}/member",
        headers=RUBY_HEADERS,
        params={"email_address": email},  # URI.encode_www_form_component: @ as %40
    )
    assert got.status_code == 200, got.text
    assert _json(got)["member"]["member_id"] == made.json()["member"]["member_id"]
