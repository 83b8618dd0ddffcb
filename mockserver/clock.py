"""The one clock every expiry goes through.

Each project owns a :class:`Clock`. It reads a time source (real UTC time by default; tests
may inject their own) and adds an offset that ``POST /_mock/clock`` moves forward, so tests
advance time instead of sleeping. JWT ``iat``/``nbf``/``exp`` follow this clock too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

# How far the clock may be moved ahead of real time in all (ten years): the range
# POST /_mock/clock and a saved state document may hold.
MAX_OFFSET_SECONDS = 10 * 365 * 24 * 3600


class Clock:
    def __init__(self, source: Callable[[], float] = time.time, offset_seconds: float = 0.0):
        self._source = source
        self.offset_seconds = float(offset_seconds)
        self._second = -1  # the whole second `now` last returned, and its datetime
        self._now = datetime.fromtimestamp(0, tz=UTC)

    def timestamp(self) -> float:
        """Seconds since the epoch, as this clock sees them."""
        return self._source() + self.offset_seconds

    def now(self) -> datetime:
        """Now, in UTC, to the whole second (the precision of Stytch's timestamps and of JWT
        ``iat``), so a JWT minted twice in one second is identical."""
        second = int(self.timestamp())
        if second != self._second:
            self._second, self._now = second, datetime.fromtimestamp(second, tz=UTC)
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self.offset_seconds + seconds > MAX_OFFSET_SECONDS:
            raise ValueError("the clock moves at most ten years ahead of real time")
        self.offset_seconds += seconds

    def reset(self) -> None:
        self.offset_seconds = 0.0
