"""Requests no SDK sends, found by an outside audit: each is a Stytch-shaped 4xx (never a 500)
and leaves the project as it was. Raw sockets where no HTTP client would send the bytes."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from stytch.core.response_base import StytchError

from mockserver.domain import keys
from mockserver.keypool import KeyPool
from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from tests import raw
from tests.support import (
    PROJECT_A,
    assert_sdk_error,
    assert_stytch_error,
    discovery_token,
    http,
    log_in,
    login_token,
    org_with_member,
    state_of,
)

# --- credentials ---


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic éé",
        "Basic ＡＢＣＤ",  # fullwidth letters
        "Basic \u00ff\u00fe",
        "Basic " + "éé".encode().hex(),  # ASCII, but not base64 of UTF-8
        "Basic /w==",  # base64 of the byte 0xff: not UTF-8
    ],
)
@pytest.mark.parametrize(
    "method,path",
    [("POST", "/v1/b2b/magic_links/email/discovery/send"), ("GET", "/_mock/outbox")],
)
def test_garbled_authorization_is_unauthorized(
    stytch_mock: StytchMock, authorization: str, method: str, path: str
) -> None:
    host = raw.host_header(stytch_mock.url)
    body = b'{"email_address": "ada@example.com"}' if method == "POST" else b""
    resp = raw.exchange(
        stytch_mock.url,
        raw.request_bytes(
            method,
            path,
            host,
            {"Authorization": authorization, "Content-Type": "application/json"},
            body,
        ),
    )

    assert_stytch_error(resp, 401, "unauthorized_credentials")
    assert stytch_mock.outbox.messages() == []


# --- NaN and Infinity ---

NOT_JSON_NUMBERS = [
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e999",
    b"-1e400",
    b"2.5E+400",
    b"[1,-2.5e400]",
]


@pytest.mark.parametrize("token", NOT_JSON_NUMBERS)
def test_nan_and_infinity_in_metadata_are_refused(stytch_mock: StytchMock, token: bytes) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    before = state_of(stytch_mock)
    body = b'{"trusted_metadata": {"score": ' + token + b"}}"

    resp = stytch_mock.request("PUT", f"v1/b2b/organizations/{org.organization_id}", body=body)

    assert_stytch_error(resp, 400, "bad_request")
    assert "NaN" in resp.json["error_message"]
    assert state_of(stytch_mock) == before


@pytest.mark.parametrize("token", NOT_JSON_NUMBERS)
def test_nan_and_infinity_are_refused_by_the_control_api(
    stytch_mock: StytchMock, token: bytes
) -> None:
    resp = stytch_mock.request("POST", "_mock/clock", body=b'{"advance_seconds": ' + token + b"}")

    assert_stytch_error(resp, 400, "bad_request")
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == 0


def test_nan_inside_a_string_is_just_text(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    body = json.dumps({"trusted_metadata": {"note": "NaN Infinity 1e999"}}).encode()

    resp = stytch_mock.request("PUT", f"v1/b2b/organizations/{org.organization_id}", body=body)

    assert resp.status == 200, resp.json
    assert resp.json["organization"]["trusted_metadata"] == {"note": "NaN Infinity 1e999"}


# --- redirect URLs that are not URLs ---

NOT_URLS = ["http://[/", "http://[::1", "http://\uff0fevil/", "http://a]b/"]


@pytest.mark.parametrize("url", NOT_URLS)
def test_unparseable_redirect_url_on_discovery_send(stytch_mock: StytchMock, url: str) -> None:
    resp = stytch_mock.request(
        "POST",
        "v1/b2b/magic_links/email/discovery/send",
        {"email_address": "ada@example.com", "discovery_redirect_url": url},
    )

    assert_stytch_error(resp, 400, "invalid_discovery_redirect_url")
    assert stytch_mock.outbox.messages() == []


@pytest.mark.parametrize("url", NOT_URLS)
@pytest.mark.parametrize("field", ["login_redirect_url", "signup_redirect_url"])
def test_unparseable_redirect_url_on_login_or_signup(
    stytch_mock: StytchMock, url: str, field: str
) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    before = state_of(stytch_mock)

    resp = stytch_mock.request(
        "POST",
        "v1/b2b/magic_links/email/login_or_signup",
        {"organization_id": org.organization_id, "email_address": "ada@acme.com", field: url},
    )

    assert_stytch_error(resp, 400, f"invalid_{field}")
    assert state_of(stytch_mock) == before


@pytest.mark.parametrize("url", NOT_URLS)
def test_unparseable_redirect_url_on_invite(stytch_mock: StytchMock, url: str) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    before = state_of(stytch_mock)

    resp = stytch_mock.request(
        "POST",
        "v1/b2b/magic_links/email/invite",
        {
            "organization_id": org.organization_id,
            "email_address": "bob@acme.com",
            "invite_redirect_url": url,
        },
    )

    assert_stytch_error(resp, 400, "invalid_invite_redirect_url")
    assert state_of(stytch_mock) == before


# --- control characters in emails ---


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x7f", "\x1b", "\x85", "\t"])
def test_control_characters_in_an_email_are_invalid(stytch_mock: StytchMock, char: str) -> None:
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    before = state_of(stytch_mock)
    email = f"bo{char}b@acme.com"

    sent = stytch_mock.request(
        "POST", "v1/b2b/magic_links/email/discovery/send", {"email_address": email}
    )
    created = stytch_mock.request(
        "POST",
        f"v1/b2b/organizations/{org.organization_id}/members",
        {"email_address": email},
    )

    assert_stytch_error(sent, 400, "invalid_email")
    assert_stytch_error(created, 400, "invalid_email")
    assert state_of(stytch_mock) == before
    assert stytch_mock.outbox.messages() == []


# --- keys of open projects ---


def test_open_projects_get_their_keys_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every key is made on the pool's thread, none on the server's (the event loop's)."""
    made_on: list[str] = []
    real = keys.new_private_key

    def recording() -> Any:
        made_on.append(threading.current_thread().name)
        return real()

    monkeypatch.setattr(keys, "new_private_key", recording)
    with MockServer([PROJECT_A], open_projects=True) as server:
        for n in range(6):  # more than the pool holds at first
            project_id = f"project-test-keys-{n}"
            mock = StytchMock(server.url, project_id, "secret")
            token = discovery_token(mock, "ada@example.com")
            mock.client.magic_links.discovery.authenticate(discovery_magic_links_token=token)
            jwks = http(f"{server.url}v1/b2b/sessions/jwks/{project_id}")
            assert jwks.status == 200
            assert jwks.json["keys"][0]["kid"] == server.project(project_id).key.kid

    assert len(made_on) >= 6
    assert all(name.startswith("stytch-mock-keys") for name in made_on), made_on


async def test_an_empty_pool_still_gives_a_key() -> None:
    """With nothing ready and nothing under way (a pool of size 0), ``key`` makes one on a
    thread instead of looping on the event loop for ever."""
    pool = KeyPool(size=0)
    try:
        key = await asyncio.wait_for(pool.key("test"), timeout=10)
    finally:
        pool.close()
    assert key.kid.startswith("jwk-test-")
    assert key.private_key.key_size == 2048


def test_claims_that_would_overflow_the_session_are_refused_before_the_link_is_spent(
    stytch_mock: StytchMock,
) -> None:
    """The caller's session plus the new claims must fit in 4096 bytes: refused before the
    credential is used, so the same link still works without them."""
    org, _ = org_with_member(stytch_mock, "ada@acme.com")
    first = log_in(
        stytch_mock, org.organization_id, "ada@acme.com", session_custom_claims={"a": "x" * 3000}
    )
    token = login_token(stytch_mock, org.organization_id, "ada@acme.com")

    with pytest.raises(StytchError) as refused:
        stytch_mock.client.magic_links.authenticate(
            magic_links_token=token,
            session_token=first.session_token,
            session_custom_claims={"b": "y" * 3000},
        )
    assert_sdk_error(refused, 400, "custom_claims_too_large")

    again = stytch_mock.client.magic_links.authenticate(
        magic_links_token=token, session_token=first.session_token
    )
    assert again.member_session.member_session_id == first.member_session.member_session_id
