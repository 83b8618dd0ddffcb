"""Faults on demand: make chosen calls fail with a Stytch error or take extra time.

A test programs faults through ``POST /_mock/faults`` (or ``stytch_mock.fail_next(...)``) to
exercise its own retry logic and error pages: the next N calls of an operation, or a share of
them, optionally only for one email address or organization, fail with one of Stytch's own
errors (429 ``too_many_requests``, 500 ``internal_server_error``, 503 ``server_unavailable``)
and/or answer ``latency_ms`` later. A failed call changes nothing. Faults belong to a project
and ``POST /_mock/reset`` clears them with the rest of its state.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import errors
from ..ids import new_id


def internal_server_error() -> errors.StytchError:
    # Stytch's message for its 500 (https://stytch.com/docs/b2b/api/errors/500)
    return errors.StytchError(
        500,
        "internal_server_error",
        "Oops, something seems to have gone wrong. If this issue persists, please reach out "
        "to support.",
    )


def server_unavailable() -> errors.StytchError:
    # an error type from Stytch's list (the frontend SDK's StytchAPIErrorType); message ours
    return errors.StytchError(503, "server_unavailable", "The server is unavailable.")


FAULT_ERRORS: dict[str, Callable[[], errors.StytchError]] = {
    "too_many_requests": errors.too_many_requests,
    "internal_server_error": internal_server_error,
    "server_unavailable": server_unavailable,
}


@dataclass
class Fault:
    """One programmed fault. ``operation`` is ``METHOD /path`` as routed (path parameters in
    braces); ``remaining`` None means no limit on how many calls it hits."""

    operation: str
    error: str | None = None
    latency_ms: int = 0
    remaining: int | None = 1
    rate: float = 1.0
    email_address: str | None = None
    organization_id: str | None = None
    fault_id: str = field(default_factory=lambda: new_id("fault", "test"))
    hits: int = 0

    def applies(self, email: str | None, organization_id: str | None) -> bool:
        if self.email_address is not None and (email or "").lower() != self.email_address:
            return False
        if self.organization_id is not None and organization_id != self.organization_id:
            return False
        return self.rate >= 1.0 or random.random() < self.rate


class Faults:
    """A project's programmed faults, by operation."""

    def __init__(self) -> None:
        self._by_operation: dict[str, list[Fault]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_operation)

    def add(self, fault: Fault) -> Fault:
        if fault.email_address is not None:
            fault.email_address = fault.email_address.lower()
        self._by_operation.setdefault(fault.operation, []).append(fault)
        return fault

    def all(self) -> list[Fault]:
        return [f for faults in self._by_operation.values() for f in faults]

    def clear(self) -> None:
        self._by_operation.clear()

    def hit(self, operation: str, email: str | None, organization_id: str | None) -> Fault | None:
        """The first fault that takes this call (counted, and dropped once used up)."""
        faults = self._by_operation.get(operation)
        if not faults:
            return None
        for fault in faults:
            if fault.applies(email, organization_id):
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        faults.remove(fault)
                        if not faults:
                            del self._by_operation[operation]
                return fault
        return None
