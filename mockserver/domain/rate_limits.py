"""Stytch's documented per-email rate limit, off unless ``--rate-limits`` turns it on.

Stytch documents that sending an email magic link, login-or-signup and invite share a limit of
one request per second per email address, counted in fixed windows
(https://stytch.com/docs/b2b/api/rate-limits); over it the call is 429
``too_many_requests``. Windows follow the project's clock, so a test that moves the clock on
starts a new window. Other per-address limits (one-time-code sends...) use the same
:meth:`RateLimits.hit` with a limit name of their own.
"""

from __future__ import annotations

from .. import errors
from ..clock import Clock

# Limits that share a budget share a name.
EMAIL_MAGIC_LINKS = "email_magic_links"


class RateLimits:
    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self._window = -1
        # (limit, lowercased address) -> calls in the current one-second window; only the
        # current window is kept, so this holds at most one second's worth of addresses
        self._calls: dict[tuple[str, str], int] = {}

    def hit(self, clock: Clock, limit: str, address: str, per_second: int = 1) -> None:
        """Count one call of ``limit`` for ``address``; 429 past ``per_second``."""
        if not self.enabled:
            return
        window = int(clock.timestamp())
        if window != self._window:
            self._window = window
            self._calls.clear()
        key = (limit, address.lower())
        calls = self._calls.get(key, 0)
        if calls >= per_second:
            raise errors.too_many_requests()
        self._calls[key] = calls + 1

    def clear(self) -> None:
        self._window = -1
        self._calls.clear()
