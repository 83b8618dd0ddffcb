"""The impersonation tokens of a project: minted by ``POST /_mock/impersonation_tokens`` (on
Stytch, by the Dashboard's "Impersonate Member" button), spent by
``/v1/b2b/impersonation/authenticate`` (mockserver.domain.impersonation has the rules)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .base import Store, SweepQueue, bad_state

if TYPE_CHECKING:
    from ..project import Project


@dataclass(slots=True)
class ImpersonationToken:
    """A token that logs ``member_id`` in as ``impersonator_email_address`` (whose Dashboard
    member id is ``impersonator_id``) until ``expires_at``; forgotten once used."""

    token: str
    organization_id: str
    member_id: str
    impersonator_id: str
    impersonator_email_address: str
    expires_at: datetime


class ImpersonationTokens(Store[ImpersonationToken]):
    name = "impersonation_tokens"
    record = ImpersonationToken

    def __init__(self) -> None:
        self._by_token: dict[str, ImpersonationToken] = {}
        self._by_member: dict[str, dict[str, None]] = {}  # member_id -> {token}
        self._sweep = SweepQueue()  # when each token expires

    def add(self, token: ImpersonationToken) -> None:
        self._by_token[token.token] = token
        self._by_member.setdefault(token.member_id, {})[token.token] = None
        self._sweep.schedule(token.expires_at, token.token)

    def forget(self, token: ImpersonationToken) -> None:
        del self._by_token[token.token]
        tokens = self._by_member.get(token.member_id)
        if tokens is not None:
            tokens.pop(token.token, None)
            if not tokens:
                del self._by_member[token.member_id]

    def find(self, token: str) -> ImpersonationToken | None:
        return self._by_token.get(token)

    def forget_member(self, member_id: str) -> None:
        """Forget the member's tokens (the member is deleted, or its organization is)."""
        for token in list(self._by_member.get(member_id, ())):
            self.forget(self._by_token[token])

    def sweep(self, now: datetime, keep: timedelta) -> int:
        """Forget tokens that expired more than ``keep`` ago (used ones are forgotten at once:
        a used token and an unknown one get the same answer)."""
        return self._sweep.sweep_expired(now - keep, self.find, self.forget)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def __iter__(self) -> Iterator[ImpersonationToken]:
        return iter(list(self._by_token.values()))

    def __len__(self) -> int:
        return len(self._by_token)

    def load(self, records: list[ImpersonationToken], project: Project) -> None:
        for token in records:
            if token.token in self._by_token:
                raise bad_state("an impersonation token appears twice")
            member = project.members.find(token.member_id)
            if member is None or member.organization_id != token.organization_id:
                raise bad_state("an impersonation token names an unknown member")
            self.add(token)
