"""SSO beyond what the SDKs express: the browser routes (start, ACS, OIDC callback), the
built-in identity provider speaking SAML and OIDC, and refused input on each.

Browser routes answer errors with an HTML page carrying Stytch's error_type and status.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt as pyjwt
import pytest
import requests
from stytch.core.response_base import StytchError

from mockserver.domain.project import ProjectConfig
from mockserver.idp import certs, saml
from mockserver.pytest_plugin import (
    FIXTURE_PROJECT_ID,
    FIXTURE_REDIRECT_URLS,
    FIXTURE_SECRET,
    StytchMock,
    browse,
    sso_login,
)
from mockserver.server import MockServer
from tests.support import assert_sdk_error, basic, handle, state_of

EMAIL = "ada@acme.example"


def _org(mock: StytchMock, **settings: Any) -> Any:
    return mock.client.organizations.create(organization_name="Acme", **settings).organization


def _saml(mock: StytchMock, org: Any) -> Any:
    return mock.client.sso.saml.create_connection(organization_id=org.organization_id).connection


def _oidc(mock: StytchMock, org: Any) -> Any:
    return mock.client.sso.oidc.create_connection(organization_id=org.organization_id).connection


def start_url(mock: StytchMock, **params: str) -> str:
    params.setdefault("public_token", mock.public_token)
    return mock.url + "v1/public/sso/start?" + urlencode(params)


def assert_error_page(status: int, body: str, expected: int, error_type: str) -> None:
    assert status == expected, body[:500]
    assert "<h1>Sign-in failed</h1>" in body
    assert f"<code id='error-type'>{error_type}</code>" in body, body[:800]


def saml_form(mock: StytchMock, conn: Any, email: str = EMAIL, **extra: str) -> dict[str, str]:
    """Start a SAML login and let the built-in IdP answer: the form it would auto-post."""
    status, location, _ = browse(
        start_url(mock, connection_id=conn.connection_id, login_hint=email, **extra)
    )
    assert status == 302, location
    status, _, body = browse(location)
    assert status == 200 and "SAMLResponse" in body, body[:500]
    fields = dict(
        re.findall(r"""name=["'](SAMLResponse|RelayState)["'] value=["']([^"']*)""", body)
    )
    return {k: html.unescape(v) for k, v in fields.items()}


def post_acs(conn: Any, form: dict[str, str]) -> tuple[int, str, str]:
    return browse(conn.acs_url, form)


def token_of(location: str) -> str:
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["stytch_token_type"] == "sso", location
    return query["token"]


# --- start ----------------------------------------------------------------------------------


def test_start_redirects_to_the_idp_with_pkce_and_state(stytch_mock: StytchMock) -> None:
    conn = _oidc(stytch_mock, _org(stytch_mock))

    status, location, _ = browse(
        start_url(stytch_mock, connection_id=conn.connection_id, custom_scopes="groups+offline")
    )

    assert status == 302
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == conn.authorization_url
    query = dict(parse_qsl(parts.query))
    assert (query["client_id"], query["redirect_uri"]) == (conn.client_id, conn.redirect_url)
    assert query["scope"] == "openid email profile groups offline"
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["state"] and query["nonce"]


@pytest.mark.parametrize(
    ("params", "status", "error_type"),
    [
        ({"public_token": "public-token-test-nobody"}, 401, "public_token_not_found"),
        ({"public_token": ""}, 400, "public_token_required"),
        ({"connection_id": "saml-connection-test-nothing"}, 404, "sso_connection_not_found"),
        ({"connection_id": None}, 400, "missing_sso_connection_locator"),
        ({"login_redirect_url": "https://evil.example/cb"}, 400, "no_match_for_provided_sso_url"),
    ],
)
def test_start_refuses_bad_input_with_an_error_page(
    stytch_mock: StytchMock, params: dict[str, Any], status: int, error_type: str
) -> None:
    conn = _saml(stytch_mock, _org(stytch_mock))
    query = {"connection_id": conn.connection_id, **params}
    query = {k: v for k, v in query.items() if v is not None}
    before = state_of(stytch_mock)

    got, _, body = browse(start_url(stytch_mock, **query))

    assert_error_page(got, body, status, error_type)
    assert state_of(stytch_mock) == before


def test_start_refuses_another_organizations_or_an_inactive_connection(
    stytch_mock: StytchMock,
) -> None:
    org, other = _org(stytch_mock), _org(stytch_mock)
    conn = _oidc(stytch_mock, org)

    got, _, body = browse(
        start_url(
            stytch_mock, connection_id=conn.connection_id, organization_id=other.organization_id
        )
    )
    assert_error_page(got, body, 400, "sso_connection_organization_mismatch")

    stytch_mock.client.sso.oidc.update_connection(
        organization_id=org.organization_id, connection_id=conn.connection_id, client_secret=""
    )
    got, _, body = browse(start_url(stytch_mock, connection_id=conn.connection_id))
    assert_error_page(got, body, 400, "requires_active_sso_connection")


def test_start_by_organization_uses_its_default_or_only_connection(
    stytch_mock: StytchMock,
) -> None:
    org = _org(stytch_mock)
    first = _oidc(stytch_mock, org)
    status, location, _ = browse(start_url(stytch_mock, organization_id=org.organization_slug))
    assert status == 302 and location.startswith(first.authorization_url)

    second = _saml(stytch_mock, org)
    got, _, body = browse(start_url(stytch_mock, organization_id=org.organization_id))
    assert_error_page(got, body, 400, "indeterminate_sso_connection_for_organization")

    stytch_mock.client.organizations.update(
        organization_id=org.organization_id, sso_default_connection_id=second.connection_id
    )
    status, location, _ = browse(start_url(stytch_mock, organization_id=org.organization_id))
    assert status == 302 and location.startswith(second.idp_sso_url + "?SAMLRequest=")


# --- the built-in IdP's login page ---------------------------------------------------------------


def test_idp_login_page_takes_a_typed_user(stytch_mock: StytchMock) -> None:
    conn = _oidc(stytch_mock, _org(stytch_mock))
    _, location, _ = browse(start_url(stytch_mock, connection_id=conn.connection_id))

    status, _, page = browse(location)
    assert status == 200 and "<form" in page and 'name="email"' in page
    hidden = dict(re.findall(r"type='hidden' name='([^']+)' value='([^']*)'", page))
    form = {k: html.unescape(v) for k, v in hidden.items()}
    form.update(email="typed@acme.example", name="Typed User", groups="eng")
    status, callback, _ = browse(location.split("?")[0], form)
    assert status == 302 and callback.startswith(conn.redirect_url + "?code=")
    status, app_url, _ = browse(callback)

    assert status == 302
    resp = stytch_mock.client.sso.authenticate(sso_token=token_of(app_url))
    assert (resp.member.email_address, resp.member.name) == ("typed@acme.example", "Typed User")


def test_oidc_discovery_and_jwks_verify_the_id_token(stytch_mock: StytchMock) -> None:
    conn = _oidc(stytch_mock, _org(stytch_mock))
    discovery = requests.get(conn.issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == conn.issuer
    assert discovery["jwks_uri"] == conn.jwks_url
    assert discovery["code_challenge_methods_supported"] == ["S256", "plain"]

    # The provider's token endpoint refuses a code twice and a wrong verifier.
    _, location, _ = browse(
        start_url(stytch_mock, connection_id=conn.connection_id, login_hint=EMAIL)
    )
    query = dict(parse_qsl(urlsplit(location).query))
    _, callback, _ = browse(location)
    code = dict(parse_qsl(urlsplit(callback).query))["code"]
    auth = (conn.client_id, conn.client_secret)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": conn.redirect_url}
    bad = requests.post(conn.token_url, data={**form, "code_verifier": "x" * 50}, auth=auth)
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_grant")
    assert query["code_challenge"]
    wrong_client = requests.post(conn.token_url, data=form, auth=(conn.client_id, "nope"))
    assert (wrong_client.status_code, wrong_client.json()["error"]) == (401, "invalid_client")

    _, callback, _ = browse(
        browse(start_url(stytch_mock, connection_id=conn.connection_id, login_hint=EMAIL))[1]
    )
    params = dict(parse_qsl(urlsplit(callback).query))
    # Without the relying party's verifier the code cannot be redeemed (PKCE at the IdP).
    no_verifier = requests.post(conn.token_url, data={**form, "code": params["code"]}, auth=auth)
    assert no_verifier.json()["error"] == "invalid_grant"
    jwks = pyjwt.PyJWKClient(conn.jwks_url).get_jwk_set()
    assert jwks.keys[0].key_type == "RSA"


# --- SAML: the ACS checks ----------------------------------------------------------------------


def test_saml_acs_accepts_the_built_in_idps_signed_response(stytch_mock: StytchMock) -> None:
    conn = _saml(stytch_mock, _org(stytch_mock))
    form = saml_form(stytch_mock, conn)
    xml = base64.b64decode(form["SAMLResponse"])
    assert b"<ds:SignatureValue>" in xml and b"rsa-sha256" in xml

    status, location, body = post_acs(conn, form)

    assert status == 302, body[:500]
    assert location.startswith("http://localhost:3000/authenticate?stytch_token_type=sso")
    # The same response again is a replay.
    status, _, body = post_acs(conn, form)
    assert_error_page(status, body, 400, "duplicate_saml_response")


def test_saml_acs_refuses_a_tampered_response(stytch_mock: StytchMock) -> None:
    conn = _saml(stytch_mock, _org(stytch_mock))
    form = saml_form(stytch_mock, conn)
    xml = base64.b64decode(form["SAMLResponse"]).replace(EMAIL.encode(), b"eve@acme.example")
    before = state_of(stytch_mock)

    status, _, body = post_acs(conn, {**form, "SAMLResponse": base64.b64encode(xml).decode()})

    assert_error_page(status, body, 400, "invalid_signature_saml_response")
    assert state_of(stytch_mock) == before  # the login under way is still there
    assert post_acs(conn, form)[0] == 302  # and the genuine response still completes it


def test_saml_acs_refuses_an_expired_response_on_the_mock_clock(stytch_mock: StytchMock) -> None:
    conn = _saml(stytch_mock, _org(stytch_mock))
    form = saml_form(stytch_mock, conn)
    stytch_mock.advance_clock(minutes=6)

    status, _, body = post_acs(conn, form)

    assert_error_page(status, body, 400, "expired_saml_response")


def test_saml_acs_refuses_malformed_missing_or_unsolicited_responses(
    stytch_mock: StytchMock,
) -> None:
    conn = _saml(stytch_mock, _org(stytch_mock))
    status, _, body = post_acs(conn, {"RelayState": "x"})
    assert_error_page(status, body, 400, "missing_saml_response")
    status, _, body = post_acs(conn, {"SAMLResponse": base64.b64encode(b"<nope").decode()})
    assert_error_page(status, body, 400, "invalid_xml_saml_response")
    form = saml_form(stytch_mock, conn)
    status, _, body = post_acs(conn, {"SAMLResponse": form["SAMLResponse"]})  # no RelayState
    assert_error_page(status, body, 400, "unsolicited_saml_response")


def test_saml_response_for_another_connection_is_refused(stytch_mock: StytchMock) -> None:
    org = _org(stytch_mock)
    conn, other = _saml(stytch_mock, org), _saml(stytch_mock, org)
    form = saml_form(stytch_mock, conn)

    status, _, body = post_acs(other, form)

    assert_error_page(status, body, 400, "invalid_saml_response")


def test_certificate_rotation_at_the_idp(stytch_mock: StytchMock) -> None:
    """The IdP moves to a new key: the connection trusts both during the change, then only the
    new one; a response signed with the retired key is then refused."""
    org = _org(stytch_mock)
    conn = _saml(stytch_mock, org)
    ids = dict(organization_id=org.organization_id, connection_id=conn.connection_id)
    issuer = conn.idp_entity_id
    new_key = certs.new_rsa_key()
    new_cert = certs.pem(
        certs.self_signed(new_key, "rotated", issuer="Rotated IdP", now=stytch_mock.now())
    )

    def idp_initiated(key: Any, cert: str) -> tuple[int, str, str]:
        xml = saml.build_response(
            user=saml.SAMLUser(email=EMAIL, name="Ada"),
            issuer=issuer,
            destination=conn.acs_url,
            audience=conn.audience_uri,
            now=stytch_mock.now(),
            key=key,
            cert_pem=cert,
        )
        return post_acs(conn, {"SAMLResponse": base64.b64encode(xml).decode()})

    status, _, body = idp_initiated(new_key, new_cert)
    assert_error_page(status, body, 400, "saml_certificate_mismatch")

    updated = stytch_mock.client.sso.saml.update_connection(**ids, x509_certificate=new_cert)
    old, new = updated.connection.verification_certificates
    assert new.issuer == "Rotated IdP"
    assert idp_initiated(new_key, new_cert)[0] == 302

    stytch_mock.client.sso.saml.delete_verification_certificate(
        **ids, certificate_id=old.certificate_id
    )
    status, _, body = post_acs(conn, saml_form(stytch_mock, conn))  # the built-in IdP's old key
    assert_error_page(status, body, 400, "saml_certificate_mismatch")
    assert idp_initiated(new_key, new_cert)[0] == 302


def test_idp_initiated_login_unless_disabled(stytch_mock: StytchMock) -> None:
    org = _org(stytch_mock)
    conn = _saml(stytch_mock, org)
    idp_url = (
        conn.idp_sso_url
        + "?"
        + urlencode({"connection_id": conn.connection_id, "login_hint": EMAIL})
    )
    status, _, body = browse(idp_url)
    assert status == 200
    form = {
        k: html.unescape(v) for k, v in re.findall(r'name="(SAMLResponse)" value="([^"]*)"', body)
    }
    assert "RelayState" not in body

    status, location, _ = post_acs(conn, form)

    assert status == 302
    member = stytch_mock.client.sso.authenticate(sso_token=token_of(location)).member
    assert member.email_address == EMAIL
    stytch_mock.client.sso.saml.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        idp_initiated_auth_disabled=True,
    )
    status, _, body = browse(idp_url)
    form = {
        k: html.unescape(v) for k, v in re.findall(r'name="(SAMLResponse)" value="([^"]*)"', body)
    }
    status, _, body = post_acs(conn, form)
    assert_error_page(status, body, 400, "saml_idp_initiated_auth_disabled")


def test_login_and_signup_redirect_urls(stytch_mock: StytchMock) -> None:
    conn = _oidc(stytch_mock, _org(stytch_mock))
    urls = dict(
        login_redirect_url="http://localhost:3000/login",
        signup_redirect_url="http://localhost:3000/signup",
    )

    first = sso_login(stytch_mock.url, stytch_mock.public_token, conn.connection_id, EMAIL, **urls)
    assert first["url"].startswith("http://localhost:3000/signup?")
    stytch_mock.client.sso.authenticate(sso_token=first["token"])
    again = sso_login(stytch_mock.url, stytch_mock.public_token, conn.connection_id, EMAIL, **urls)
    assert again["url"].startswith("http://localhost:3000/login?")


# --- OIDC: a relying party that works with another provider ----------------------------------


OTHER = ProjectConfig("project-test-0dc0dc00-0000-4000-8000-00000000001d", "secret-other-idp")
# The fixture's project on the second server too (a state import target).
OTHER_AS_FIXTURE = ProjectConfig(FIXTURE_PROJECT_ID, FIXTURE_SECRET, list(FIXTURE_REDIRECT_URLS))


@pytest.fixture(scope="module")
def other_idp() -> Iterator[MockServer]:
    """A second server, whose built-in IdP plays an outside OIDC provider."""
    with MockServer([OTHER, OTHER_AS_FIXTURE]) as server:
        yield server


def test_oidc_connection_repointed_at_another_provider(
    stytch_mock: StytchMock, other_idp: MockServer
) -> None:
    org = _org(stytch_mock)
    conn = _oidc(stytch_mock, org)
    provider = other_idp.project(OTHER.project_id).identity_provider.provider
    provider.register_client("outside-client", "outside-secret", conn.redirect_url)
    issuer = f"{other_idp.url.rstrip('/')}/_mock/idp/{OTHER.project_id}"
    discovery = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()

    # A new issuer: its discovery document (on a loopback host) fills the four URLs.
    updated = stytch_mock.client.sso.oidc.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        issuer=issuer,
        client_id="outside-client",
        client_secret="outside-secret",
    )
    assert updated.warning is None
    assert updated.connection.status == "active"
    assert (updated.connection.authorization_url, updated.connection.token_url) == (
        discovery["authorization_endpoint"],
        discovery["token_endpoint"],
    )
    assert (updated.connection.userinfo_url, updated.connection.jwks_url) == (
        discovery["userinfo_endpoint"],
        discovery["jwks_uri"],
    )

    token = stytch_mock.sso_token(conn.connection_id, "far@away.example", name="Far Away")
    resp = stytch_mock.client.sso.authenticate(sso_token=token)
    assert (resp.member.email_address, resp.member.name) == ("far@away.example", "Far Away")

    # Keys from the wrong JWKS do not verify the other provider's ID token.
    stytch_mock.client.sso.oidc.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        jwks_url=f"{stytch_mock.url}_mock/idp/{stytch_mock.project_id}/oidc/jwks",
    )
    _, location, _ = browse(
        start_url(stytch_mock, connection_id=conn.connection_id, login_hint="far@away.example")
    )
    _, callback, _ = browse(location)
    status, _, body = browse(callback)
    assert_error_page(status, body, 400, "oidc_invalid_callback_request")


def test_deleting_an_oidc_connection_unregisters_its_client_at_the_idp(
    stytch_mock: StytchMock,
) -> None:
    org = _org(stytch_mock)
    conn = _oidc(stytch_mock, org)
    _, authorize, _ = browse(start_url(stytch_mock, connection_id=conn.connection_id))

    stytch_mock.client.sso.delete_connection(
        organization_id=org.organization_id, connection_id=conn.connection_id
    )

    status, _, body = browse(authorize)
    assert status == 400
    assert "<code id='error-type'>invalid_client</code>" in body
    assert "Unknown client_id" in body


def test_an_issuer_without_a_discovery_document_gives_a_warning(
    stytch_mock: StytchMock,
) -> None:
    org = _org(stytch_mock)
    conn = _oidc(stytch_mock, org)

    updated = stytch_mock.client.sso.oidc.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        issuer="http://127.0.0.1:9/no-idp-here",
    )

    assert updated.warning and "could not be read" in updated.warning
    assert updated.connection.issuer == "http://127.0.0.1:9/no-idp-here"
    assert updated.connection.token_url == conn.token_url  # left as it was


def test_oidc_callback_refuses_unknown_state(stytch_mock: StytchMock) -> None:
    conn = _oidc(stytch_mock, _org(stytch_mock))
    status, _, body = browse(conn.redirect_url + "?code=abc&state=never-issued")
    assert_error_page(status, body, 400, "unsolicited_oidc_response")
    status, _, body = browse(conn.redirect_url + "?code=abc")
    assert_error_page(status, body, 400, "missing_oidc_state_param")


# --- projects ---------------------------------------------------------------------------------


def test_connections_and_tokens_are_per_project(two_projects: Any) -> None:
    a, b = two_projects.a, two_projects.b
    org = _org(a)
    conn = _oidc(a, org)
    token = a.sso_token(conn.connection_id, EMAIL)

    with pytest.raises(StytchError) as caught:
        b.client.sso.authenticate(sso_token=token)
    assert_sdk_error(caught, 404, "sso_token_not_found")
    # A's connection does not start with B's public token.
    got, _, body = browse(
        start_url(a, connection_id=conn.connection_id, public_token=b.public_token)
    )
    assert_error_page(got, body, 404, "sso_connection_not_found")
    assert a.client.sso.authenticate(sso_token=token).member.email_address == EMAIL


def test_start_answers_a_redirect_with_stytchs_json_body(stytch_mock: StytchMock) -> None:
    conn = _oidc(stytch_mock, _org(stytch_mock))

    resp = requests.get(
        start_url(stytch_mock, connection_id=conn.connection_id), allow_redirects=False, timeout=10
    )

    assert resp.status_code == 302
    body = resp.json()
    assert body["status_code"] == 302
    assert body["redirect_url"] == resp.headers["Location"]
    assert body["request_id"].startswith("request-id-test-")


# --- state ------------------------------------------------------------------------------------


def test_sso_state_round_trips_into_a_fresh_server(
    stytch_mock: StytchMock, other_idp: MockServer
) -> None:
    """Connections of every kind, registrations, an unspent token, a login under way and the
    built-in IdP's key and clients: exported, imported elsewhere, exported again, identical."""
    client = stytch_mock.client
    doomed = _org(stytch_mock)
    doomed_conn = _oidc(stytch_mock, doomed)
    stytch_mock.sso_token(doomed_conn.connection_id, "gone@acme.example")  # unspent, then gone
    client.organizations.delete(organization_id=doomed.organization_id)
    org, other = _org(stytch_mock), _org(stytch_mock)
    saml, oidc = _saml(stytch_mock, org), _oidc(stytch_mock, org)
    client.sso.external.create_connection(
        organization_id=other.organization_id,
        external_organization_id=org.organization_id,
        external_connection_id=saml.connection_id,
    )
    client.sso.authenticate(sso_token=stytch_mock.sso_token(saml.connection_id, EMAIL))
    unspent = stytch_mock.sso_token(oidc.connection_id, "later@acme.example")
    browse(start_url(stytch_mock, connection_id=oidc.connection_id))  # a login under way
    saved = state_of(stytch_mock)
    assert len(saved["sso_connections"]) == 3
    assert [t["organization_id"] for t in saved["sso_tokens"]] == [org.organization_id]
    assert len(saved["sso_starts"]) == 1
    [idp] = saved["identity_provider"]
    assert oidc.client_id in [c["client_id"] for c in idp["clients"]]

    fresh = handle(other_idp, OTHER_AS_FIXTURE)
    fresh.control("PUT", "_mock/state", {"state": saved})

    assert state_of(fresh) == saved
    resp = fresh.client.sso.authenticate(sso_token=unspent)
    assert resp.member.email_address == "later@acme.example"
    listed = fresh.client.sso.get_connections(organization_id=org.organization_id)
    assert [c.connection_id for c in listed.saml_connections] == [saml.connection_id]


def test_authn_request_is_signed_with_the_connections_signing_key(
    stytch_mock: StytchMock,
) -> None:
    org = _org(stytch_mock)
    conn = _saml(stytch_mock, org)
    _, location, _ = browse(start_url(stytch_mock, connection_id=conn.connection_id))
    query = urlsplit(location).query
    params = dict(parse_qsl(query))
    assert params["SigAlg"] == saml.RSA_SHA256
    certificate = conn.signing_certificates[0].certificate
    assert saml.verify_redirect_signature(query, [certificate])
    assert saml.parse_authn_request(params["SAMLRequest"])["acs_url"] == conn.acs_url

    # The IdP refuses the request once its RelayState is changed.
    tampered = location.replace("RelayState=", "RelayState=x")
    status, _, body = browse(tampered + "&login_hint=" + EMAIL)
    assert status == 400
    assert "signature does not verify" in body

    # A new signing key: requests are signed with it, and still accepted.
    key = certs.new_rsa_key()
    updated = stytch_mock.client.sso.saml.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        signing_private_key=certs.private_pem(key),
    ).connection
    _, location, _ = browse(
        start_url(stytch_mock, connection_id=conn.connection_id, login_hint=EMAIL)
    )
    newest = updated.signing_certificates[0].certificate
    assert saml.verify_redirect_signature(urlsplit(location).query, [newest])
    assert not saml.verify_redirect_signature(urlsplit(location).query, [certificate])
    status, _, body = browse(location)
    assert status == 200 and "SAMLResponse" in body


def test_an_unreachable_token_endpoint_is_an_error_page_not_a_crash(
    stytch_mock: StytchMock,
) -> None:
    org = _org(stytch_mock)
    conn = _oidc(stytch_mock, org)
    stytch_mock.client.sso.oidc.update_connection(
        organization_id=org.organization_id,
        connection_id=conn.connection_id,
        token_url="http://127.0.0.1:9/token",  # nothing listens on the discard port
    )
    _, location, _ = browse(
        start_url(stytch_mock, connection_id=conn.connection_id, login_hint=EMAIL)
    )
    _, callback, _ = browse(location)

    status, _, body = browse(callback)

    assert_error_page(status, body, 400, "oidc_auth_code_error")
    assert "could not be reached" in body


def test_acs_takes_only_a_form(stytch_mock: StytchMock) -> None:
    conn = _saml(stytch_mock, _org(stytch_mock))

    resp = requests.post(conn.acs_url, json={"SAMLResponse": "x"}, timeout=10)

    assert resp.status_code == 400
    assert "<code id='error-type'>missing_saml_response</code>" in resp.text


# --- a mock behind another address (Docker) ------------------------------------------------


async def test_public_url_is_where_sso_sends_browsers(aiohttp_client: Any) -> None:
    """``stytch-mock --public-url``: the app reaches the mock at one address, the browser at
    another; connections and redirects use the browser's."""
    from mockserver.app import create_app
    from mockserver.domain.registry import Registry

    config = ProjectConfig(FIXTURE_PROJECT_ID, FIXTURE_SECRET, list(FIXTURE_REDIRECT_URLS))
    app = create_app(Registry([config]), public_url="http://localhost:8080/")
    client = await aiohttp_client(app)
    auth = {"Authorization": basic(FIXTURE_PROJECT_ID, FIXTURE_SECRET)}
    created = await client.post(
        "/v1/b2b/organizations", json={"organization_name": "Dock"}, headers=auth
    )
    org_id = (await created.json())["organization"]["organization_id"]

    resp = await client.post(f"/v1/b2b/sso/oidc/{org_id}", json={}, headers=auth)
    conn = (await resp.json())["connection"]

    assert conn["redirect_url"].startswith("http://localhost:8080/v1/b2b/sso/callback/")
    assert conn["issuer"] == f"http://localhost:8080/_mock/idp/{FIXTURE_PROJECT_ID}"
    start = await client.get(
        "/v1/public/sso/start",
        params={"connection_id": conn["connection_id"], "public_token": config.public_token},
        allow_redirects=False,
    )
    assert start.status == 302
    assert start.headers["Location"].startswith(conn["authorization_url"] + "?")


def test_reference_app_sends_the_browser_to_the_public_api_url() -> None:
    from reference_app import Config
    from reference_app import sso as app_sso

    config = Config.from_env(
        {
            "STYTCH_PROJECT_ID": FIXTURE_PROJECT_ID,
            "STYTCH_SECRET": FIXTURE_SECRET,
            "STYTCH_API_URL": "http://mock:8080/",
            "STYTCH_BROWSER_API_URL": "http://localhost:8080",
        },
        env_file=Path("/nonexistent/.env"),
    )

    url = app_sso.start_url(config, "public-token-test-x", "acme", "http://localhost:3000/cb")

    assert url.startswith("http://localhost:8080/v1/public/sso/start?organization_id=acme&")
    assert app_sso.form_action_origin(config) == "http://localhost:8080"
    assert config.api_base == "http://mock:8080/"
