"""Stytch-shaped identifiers and unguessable tokens.

Ids follow Stytch's test-environment formats (``organization-test-<uuid>``,
``member-test-<uuid>``, ``session-test-<uuid>``, ``request-id-test-<uuid>``, …, as in the
examples of Stytch's API reference, https://stytch.com/docs/b2b/api). Ids are not secrets, so
they are built cheaply from a random per-process prefix and a counter, still shaped like a
version-4 UUID. Tokens are secrets and come from :mod:`secrets`.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets

_counter = itertools.count(1)
_b = os.urandom(10).hex()
# 8-4-4-4-12 hex digits, version nibble 4, variant nibble 8..b.
_PREFIX = f"{_b[0:8]}-{_b[8:12]}-4{_b[12:15]}-{'89ab'[int(_b[15], 16) & 3]}{_b[16:19]}-"


def uuid_like() -> str:
    """A unique id in UUID v4 layout (unique per process, not secret)."""
    return f"{_PREFIX}{next(_counter) & 0xFFFFFFFFFFFF:012x}"


def new_id(kind: str, env: str = "test") -> str:
    """``new_id("member")`` -> ``member-test-<uuid>``."""
    return f"{kind}-{env}-{uuid_like()}"


def request_id(env: str = "test") -> str:
    return f"request-id-{env}-{uuid_like()}"


def magic_token() -> str:
    """44-character URL-safe base64 with ``=`` padding, like Stytch's magic-link tokens and ISTs."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def session_token() -> str:
    """44-character URL-safe base64 without padding, like Stytch's session tokens."""
    return secrets.token_urlsafe(33)
