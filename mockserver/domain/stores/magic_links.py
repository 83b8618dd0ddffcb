"""The magic-link tokens of a project, by token, member and organization."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..entities import MagicLinkToken
from .base import Store, SweepQueue, bad_state

if TYPE_CHECKING:
    from ..project import Project


class MagicLinks(Store[MagicLinkToken]):
    name = "magic_links"
    record = MagicLinkToken

    def __init__(self) -> None:
        self._by_token: dict[str, MagicLinkToken] = {}
        self._by_member: dict[str, dict[str, None]] = {}  # member_id -> {token}
        self._by_org: dict[str, dict[str, None]] = {}  # organization_id -> {token}
        self._sweep = SweepQueue()  # when each link expires, or was used

    def add(self, link: MagicLinkToken) -> None:
        self._by_token[link.token] = link
        self._sweep.schedule(link.expires_at, link.token)
        if link.member_id is not None:
            self._by_member.setdefault(link.member_id, {})[link.token] = None
        if link.organization_id is not None:
            self._by_org.setdefault(link.organization_id, {})[link.token] = None

    def forget(self, link: MagicLinkToken) -> None:
        del self._by_token[link.token]
        for index, key in ((self._by_member, link.member_id), (self._by_org, link.organization_id)):
            tokens = index.get(key) if key is not None else None
            if key is not None and tokens is not None:
                tokens.pop(link.token, None)
                if not tokens:
                    del index[key]

    def use(self, link: MagicLinkToken, now: datetime) -> None:
        """Use the link up (single use); it is swept ``keep`` after ``now``."""
        link.used = True
        self._sweep.schedule(now, link.token)

    def sweep(self, now: datetime, keep: timedelta) -> int:
        """Forget links used, or expired, more than ``keep`` ago: until then they answer
        unable_to_auth_magic_link, after it magic_link_not_found."""
        swept = 0
        for token in self._sweep.due(now - keep):
            link = self._by_token.get(token)
            if link is not None:
                self.forget(link)
                swept += 1
        return swept

    def revoke_member(self, member_id: str, now: datetime) -> None:
        """Use up the member's outstanding links, so no later reactivation revives them."""
        for token in list(self._by_member.get(member_id, ())):
            self.use(self._by_token[token], now)

    def forget_organization(self, organization_id: str) -> None:
        """Forget the organization's links: they go with it (and a state document never holds
        a link to an organization it does not have)."""
        for token in list(self._by_org.get(organization_id, ())):
            self.forget(self._by_token[token])

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def find(self, token: str) -> MagicLinkToken | None:
        return self._by_token.get(token)

    def __iter__(self) -> Iterator[MagicLinkToken]:
        return iter(self._by_token.values())

    def __len__(self) -> int:
        return len(self._by_token)

    def load(self, records: list[MagicLinkToken], project: Project) -> None:
        for link in records:
            if link.token in self._by_token:
                raise bad_state("a magic link token appears twice")
            if link.organization_id is not None and link.organization_id not in (
                project.organizations
            ):
                raise bad_state("a magic link names an unknown organization")
            if link.member_id is not None and link.member_id not in project.members:
                raise bad_state("a magic link names an unknown member")
            self.add(link)
