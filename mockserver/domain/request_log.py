"""The last requests a project received, for people and failing tests to read.

``GET /_mock/requests`` and the console's request page show them; the pytest fixture prints a
failing test's share in its report. Bounded: the oldest entries go first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

DEFAULT_CAPACITY = 500


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    seq: int
    at: datetime
    method: str
    path: str
    status: int
    error_type: str | None
    duration_ms: float
    user_agent: str


# What add() keeps per request: cheap to make on the hot path, turned into a LoggedRequest
# only when someone reads the log.
_Raw = tuple[int, float, str, str, int, "str | None", float, str]


class RequestLog:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[_Raw] = deque(maxlen=capacity)
        self._seq = 0

    def add(
        self,
        timestamp: float,
        method: str,
        path: str,
        status: int,
        error_type: str | None,
        duration_ms: float,
        user_agent: str,
    ) -> None:
        """One request: ``timestamp`` in seconds on the project's clock."""
        self._seq += 1
        self._entries.append(
            (self._seq, timestamp, method, path, status, error_type, duration_ms, user_agent)
        )

    @property
    def last_seq(self) -> int:
        """The number of the newest entry (0 before any): ``since(last_seq)`` is what follows."""
        return self._seq

    def since(self, seq: int = 0, limit: int | None = None) -> list[LoggedRequest]:
        """Entries numbered after ``seq``, oldest first; the newest ``limit`` of them."""
        found = [e for e in self._entries if e[0] > seq]
        if limit:
            found = found[-limit:]
        return [
            LoggedRequest(
                n,
                datetime.fromtimestamp(int(at), UTC),
                method,
                path,
                status,
                error,
                round(ms, 3),
                ua,
            )
            for n, at, method, path, status, error, ms, ua in found
        ]
