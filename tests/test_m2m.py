"""The M2M token endpoint beyond what the SDKs send: every way of passing the client's
credentials (JSON, a form, HTTP Basic), refused requests (each a Stytch error, nothing issued),
the token's times on the project clock, and M2M clients through ``/_mock/state``.

The SDK flows are contracts/test_m2m.py and contracts/node/m2m.test.mjs.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import jwt as pyjwt
import pytest

from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, StytchMock
from tests.conftest import TwoProjects
from tests.support import assert_stytch_error, http, state_of

FORM = "application/x-www-form-urlencoded"


def token_url(mock: StytchMock, project_id: str = FIXTURE_PROJECT_ID) -> str:
    return f"{mock.url}v1/public/{project_id}/oauth2/token"


@pytest.fixture
def m2m_client(stytch_mock: StytchMock) -> tuple[str, str]:
    made = stytch_mock.client.m2m.clients.create(scopes=["read:users", "write:users"]).m2m_client
    return made.client_id, made.client_secret


def post(url: str, body: bytes, content_type: str, **headers: str) -> Any:
    return http(url, "POST", body=body, headers={"Content-Type": content_type, **headers})


def test_credentials_in_json_a_form_or_basic_auth(
    stytch_mock: StytchMock, m2m_client: tuple[str, str]
) -> None:
    client_id, secret = m2m_client
    url = token_url(stytch_mock)
    fields = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()

    answers = [
        post(url, json.dumps(fields).encode(), "application/json"),
        post(url, urlencode(fields).encode(), FORM),
        post(
            url,
            urlencode({"grant_type": "client_credentials", "scope": "read:users"}).encode(),
            FORM,
            Authorization=f"Basic {basic}",
        ),
    ]

    for resp in answers:
        assert resp.status == 200, resp.json
        claims = pyjwt.decode(resp.json["access_token"], options={"verify_signature": False})
        assert claims["sub"] == client_id
        assert resp.json["request_id"].startswith("request-id-test-")
    scopes = [
        pyjwt.decode(r.json["access_token"], options={"verify_signature": False})["scope"]
        for r in answers
    ]
    assert scopes == ["read:users write:users", "read:users write:users", "read:users"]


def test_refused_token_requests(stytch_mock: StytchMock, m2m_client: tuple[str, str]) -> None:
    client_id, secret = m2m_client
    url = token_url(stytch_mock)
    good = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    before = state_of(stytch_mock)

    cases = [
        (post(url, urlencode({**good, "grant_type": "password"}).encode(), FORM), 400),
        (post(url, urlencode({"grant_type": "client_credentials"}).encode(), FORM), 401),
        (post(url, urlencode({**good, "client_secret": "nope"}).encode(), FORM), 401),
        (post(url, b"[1]", "application/json"), 400),
        (post(url, b"\xff\xfe", FORM), 400),
        (post(url, json.dumps({**good, "scope": 7}).encode(), "application/json"), 400),
        (post(url, urlencode({**good, "scope": "read:users admin"}).encode(), FORM), 400),
        (post(token_url(stytch_mock, "project-test-nope"), urlencode(good).encode(), FORM), 404),
        (
            post(
                url,
                urlencode({"grant_type": "client_credentials"}).encode(),
                FORM,
                Authorization="Basic !!!",
            ),
            401,
        ),
    ]

    for resp, status in cases:
        assert_stytch_error(resp, status)
    assert state_of(stytch_mock) == before


def test_token_times_follow_the_project_clock(
    stytch_mock: StytchMock, m2m_client: tuple[str, str]
) -> None:
    client_id, secret = m2m_client
    stytch_mock.advance_clock(hours=5)
    now = int(stytch_mock.now().timestamp())

    access = stytch_mock.client.m2m.token(client_id=client_id, client_secret=secret).access_token

    claims = pyjwt.decode(access, options={"verify_signature": False})
    assert now <= claims["iat"] <= now + 2
    assert (claims["nbf"], claims["exp"]) == (claims["iat"], claims["iat"] + 3600)


def test_projects_never_see_each_others_clients(two_projects: TwoProjects) -> None:
    mock_a, mock_b = two_projects.a, two_projects.b
    made = mock_a.client.m2m.clients.create(scopes=["read"]).m2m_client
    fields = {
        "grant_type": "client_credentials",
        "client_id": made.client_id,
        "client_secret": made.client_secret,
    }

    other = post(token_url(mock_b, mock_b.project_id), urlencode(fields).encode(), FORM)
    assert_stytch_error(other, 401, "unauthorized_credentials")
    assert mock_b.client.m2m.clients.search().m2m_clients == []
    own = post(token_url(mock_a, mock_a.project_id), urlencode(fields).encode(), FORM)
    assert own.status == 200


def test_clients_round_trip_with_their_secrets(
    stytch_mock: StytchMock, m2m_client: tuple[str, str], fresh: StytchMock
) -> None:
    client_id, secret = m2m_client
    next_secret = stytch_mock.client.m2m.clients.secrets.rotate_start(
        client_id=client_id
    ).m2m_client.next_client_secret
    saved = state_of(stytch_mock)
    assert [c["client_id"] for c in saved["m2m_clients"]] == [client_id]
    assert secret not in json.dumps(saved) and next_secret not in json.dumps(saved)

    fresh.control("PUT", "_mock/state", {"state": saved})

    assert state_of(fresh) == saved
    for each in (secret, next_secret):
        assert fresh.client.m2m.token(client_id=client_id, client_secret=each).access_token
