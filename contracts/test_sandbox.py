"""Stytch's documented B2B sandbox values for discovery
(https://stytch.com/docs/b2b/guides/testing/sandbox-values): they work in Stytch's Test
environment without sending email, so these scenarios run on both targets."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.helpers import (
    SANDBOX_EMAIL,
    SANDBOX_TOKEN_OK,
    SANDBOX_TOKEN_UNKNOWN,
    SANDBOX_TOKEN_USED,
    refused,
)
from contracts.support import SDK


def test_discovery_send_to_the_sandbox_email_succeeds_and_sends_nothing(
    sdk: SDK, outbox: Any
) -> None:
    sent = sdk.magic_links.email.discovery.send(email_address=SANDBOX_EMAIL)

    assert sent.status_code == 200
    assert sent.request_id
    if outbox is not None:
        assert outbox.messages() == []


def test_sandbox_discovery_token_authenticates_every_time(sdk: SDK) -> None:
    """The success token is a fixed documented value, so it is not used up."""
    for _ in range(2):
        auth = sdk.magic_links.discovery.authenticate(discovery_magic_links_token=SANDBOX_TOKEN_OK)
        assert auth.status_code == 200
        assert auth.email_address == SANDBOX_EMAIL
        assert auth.intermediate_session_token


@pytest.mark.parametrize(
    ("token", "status", "error_type"),
    [
        pytest.param(SANDBOX_TOKEN_USED, 401, "unable_to_auth_magic_link", id="used"),
        pytest.param(SANDBOX_TOKEN_UNKNOWN, 404, "magic_link_not_found", id="unknown"),
    ],
)
def test_sandbox_failure_tokens_are_refused_as_documented(
    sdk: SDK, token: str, status: int, error_type: str
) -> None:
    refused(
        sdk.magic_links.discovery.authenticate,
        status,
        error_type,
        discovery_magic_links_token=token,
    )
