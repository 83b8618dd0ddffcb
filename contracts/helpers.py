"""Helpers the contract scenarios share.

- Stytch's documented sandbox values; an organization id that names nothing.
- ``refused``: the one assertion for a refused request (status, error_type, request_id,
  error_message, error_url).
- Logging in: ``log_in`` (an organization magic link read from the mock's outbox) and the
  discovery flow (``discovery_token``, ``discover``, ``sign_up``, ``Login``).
- Small builders: ``company_email``, ``random_token``, ``pkce_pair``, ``link_params``,
  ``search_query``; time: ``clock_now``, ``assert_near``.

Fixtures built on these (``made_orgs``, ``login``, ``outbox``) are in ``conftest.py``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from stytch.core.response_base import StytchError, StytchErrorDetails

from contracts.support import SDK, Target, unique

# Stytch's documented B2B sandbox values
# (https://stytch.com/docs/b2b/guides/testing/sandbox-values): they work in Stytch's Test
# environment without sending email.
SANDBOX_EMAIL = "sandbox@stytch.com"
SANDBOX_ORGANIZATION_ID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"
SANDBOX_TOKEN_OK = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94="
SANDBOX_TOKEN_USED = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU="
SANDBOX_TOKEN_UNKNOWN = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM="

# A well-formed organization id that names nothing.
MISSING_ORGANIZATION_ID = "organization-test-00000000-0000-4000-8000-000000000000"

# Our clock against Stytch's (or the mock's, which follows real time until moved).
CLOCK_SLACK = timedelta(seconds=60)


# --- errors ------------------------------------------------------------------------------


def refused(
    call: Callable[..., Any], status: int, error_type: str, /, **kwargs: Any
) -> StytchErrorDetails:
    """Call ``call(**kwargs)``; it must fail with exactly this HTTP status and error_type, in
    Stytch's error shape. Returns the error's details."""
    with pytest.raises(StytchError) as caught:
        call(**kwargs)
    details: StytchErrorDetails = caught.value.details
    assert (details.status_code, details.error_type) == (status, error_type), details.original_json
    assert details.request_id.startswith("request-id-test-"), details
    assert details.error_message, details
    # Every published form of error_url ends in <status>#<error_type>
    # (https://stytch.com/docs/b2b/api/errors).
    assert (details.error_url or "").endswith(f"/{status}#{error_type}"), details
    return details


# --- small builders ----------------------------------------------------------------------


def random_token() -> str:
    """A token in Stytch's format (44 characters of URL-safe base64) that nobody was sent."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def company_email(name: str = "ada") -> tuple[str, str]:
    """A unique address on a unique company domain: (email, the domain's first label)."""
    label = unique("contract")
    return f"{unique(name)}@{label}.com", label


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier`` (unpadded URL-safe base64 of its SHA-256)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def pkce_pair() -> tuple[str, str]:
    """A fresh PKCE (code verifier, code challenge)."""
    verifier = base64.urlsafe_b64encode(unique("verifier").encode() * 2).decode().rstrip("=")
    return verifier, pkce_challenge(verifier)


def link_params(link: str) -> tuple[str, dict[str, str]]:
    """The emailed link's base URL and its (single-valued) query parameters."""
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query


def search_query(*operands: tuple[str, Any], operator: str = "AND") -> dict[str, Any]:
    """A search ``query``: ``search_query(("statuses", ["active"]), ...)``."""
    return {
        "operator": operator,
        "operands": [{"filter_name": name, "filter_value": value} for name, value in operands],
    }


# --- time --------------------------------------------------------------------------------


def clock_now(mock: Any) -> datetime:
    """The mock's clock, or the wall clock on real Stytch (``mock`` None)."""
    return mock.now() if mock is not None else datetime.now(UTC)


def assert_near(
    actual: datetime | None, expected: datetime, slack: timedelta = CLOCK_SLACK
) -> None:
    assert actual is not None
    assert abs(actual - expected) <= slack, f"{actual} is not within {slack} of {expected}"


# --- logging in --------------------------------------------------------------------------


def log_in(sdk: SDK, mock: Any, org_id: str, email_address: str) -> Any:
    """(mock) Log a member in through an organization magic link read from the mock's outbox
    (this verifies the email); the authenticate response."""
    sdk.magic_links.email.login_or_signup(organization_id=org_id, email_address=email_address)
    token = mock.outbox.latest_token(email_address)
    return sdk.magic_links.authenticate(magic_links_token=token)


def discovery_token(sdk: SDK, mock: Any, email: str, **send_kwargs: Any) -> str:
    """(mock) Send a discovery link to ``email`` and read its token from the mock's outbox."""
    sent = sdk.magic_links.email.discovery.send(email_address=email, **send_kwargs)
    assert sent.status_code == 200
    message = mock.outbox.latest(email)
    query = parse_qs(urlsplit(message["link"]).query)
    assert query["stytch_token_type"] == ["discovery"]
    assert query["token"] == [message["token"]]
    return message["token"]


def discover(sdk: SDK, mock: Any, email: str) -> Any:
    """(mock) Prove ``email`` with a discovery magic link: send, open the email, authenticate.
    The authenticate response (intermediate session token and discovered organizations)."""
    token = discovery_token(sdk, mock, email)
    resp = sdk.magic_links.discovery.authenticate(discovery_magic_links_token=token)
    assert resp.email_address == email
    return resp


def sign_up(sdk: SDK, mock: Any, made_orgs: list[str], email: str, **create: Any) -> Any:
    """(mock) A new organization through discovery, with ``email`` as its first member; a
    unique slug unless ``create`` says otherwise."""
    ist = discover(sdk, mock, email).intermediate_session_token
    if "organization_slug" not in create and "organization_name" not in create:
        slug = unique("contract")
        create.update(organization_slug=slug, organization_name=f"Contract {slug}")
    created = sdk.discovery.organizations.create(intermediate_session_token=ist, **create)
    made_orgs.append(created.organization.organization_id)
    return created


class Login:
    """Member sessions on either target.

    On the mock: the discovery flow through the outbox (a new organization for ``first``, an
    intermediate-session exchange into it for ``again``). On real Stytch, where email cannot be
    read, Stytch's documented sandbox magic-link token, which returns a real member session when
    ``session_duration_minutes`` is set (https://stytch.com/docs/b2b/guides/testing/sandbox-values;
    Stytch's .NET tests rely on it).
    """

    def __init__(self, sdk: SDK, target: Target, mock: Any, made_orgs: list[str]) -> None:
        self.sdk = sdk
        self.target = target
        self.mock = mock
        self.made_orgs = made_orgs
        self.email: str | None = None
        self.organization_id: str | None = None

    def first(self, **session: Any) -> Any:
        if not self.target.is_mock:
            return self._sandbox(**session)
        self.email, _ = company_email()
        created = sign_up(self.sdk, self.mock, self.made_orgs, self.email, **session)
        self.organization_id = created.organization.organization_id
        return created

    def again(self, **session: Any) -> Any:
        """Another session for the member of ``first``."""
        if not self.target.is_mock:
            return self._sandbox(**session)
        assert self.email and self.organization_id, "call first() before again()"
        ist = discover(self.sdk, self.mock, self.email).intermediate_session_token
        return self.sdk.discovery.intermediate_sessions.exchange(
            intermediate_session_token=ist, organization_id=self.organization_id, **session
        )

    def _sandbox(self, **session: Any) -> Any:
        session.setdefault("session_duration_minutes", 60)
        return self.sdk.magic_links.authenticate(magic_links_token=SANDBOX_TOKEN_OK, **session)


def make_login(
    sdk: SDK, target: Target, made_orgs: list[str], request: pytest.FixtureRequest
) -> Login:
    """A ``Login`` for this test (the ``login`` fixture); the mock handle only on the mock."""
    mock = request.getfixturevalue("stytch_mock") if target.is_mock else None
    return Login(sdk, target, mock, made_orgs)


def assert_not_a_member(sdk: Any, organization_id: str, email_address: str) -> None:
    """The organization has no member with this email (a refused call created none)."""
    refused(
        sdk.organizations.members.get,
        404,
        "member_not_found",
        organization_id=organization_id,
        email_address=email_address,
    )
