"""The OAuth stores of a project: authorization requests waiting at the provider page, the
tokens the provider page hands to apps, and the provider tokens of each identity.

Requests and tokens live 10 minutes ([chosen]: Stytch publishes no lifetime); each store drops
its expired ones every ``SWEEP_EVERY`` additions, so it holds about what the last minutes made.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from ..oauth_entities import OAuthRequest, OAuthToken, ProviderTokens
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project

SWEEP_EVERY = 1024

Expiring = TypeVar("Expiring", OAuthRequest, OAuthToken)


class _Expiring(Store[Expiring], Generic[Expiring]):
    """Objects by their secret (``key``), swept once expired."""

    def __init__(self) -> None:
        self._by_key: dict[str, Expiring] = {}
        self._by_org: dict[str, dict[str, None]] = {}  # organization_id -> {key}

    @staticmethod
    def key(item: Expiring) -> str:
        raise NotImplementedError

    def add(self, item: Expiring, now: datetime) -> None:
        if self._by_key and len(self._by_key) % SWEEP_EVERY == 0:
            for expired in [v for v in self._by_key.values() if v.expires_at <= now]:
                self.forget(expired)
        self._put(item)

    def _put(self, item: Expiring) -> None:
        key = self.key(item)
        self._by_key[key] = item
        if item.organization_id is not None:
            self._by_org.setdefault(item.organization_id, {})[key] = None

    def forget(self, item: Expiring) -> None:
        key = self.key(item)
        self._by_key.pop(key, None)
        keys = self._by_org.get(item.organization_id or "")
        if keys is not None:
            keys.pop(key, None)
            if not keys:
                del self._by_org[item.organization_id or ""]

    def forget_organization(self, organization_id: str) -> None:
        """Forget the organization's entries: they go with it."""
        for key in list(self._by_org.get(organization_id, ())):
            self.forget(self._by_key[key])

    def find(self, key: str) -> Expiring | None:
        return self._by_key.get(key)

    def clear(self) -> None:
        self._by_key.clear()
        self._by_org.clear()

    def __iter__(self) -> Iterator[Expiring]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def load(self, records: list[Expiring], project: Project) -> None:
        for item in records:
            if self.key(item) in self._by_key:
                raise bad_state(f"an entry of {self.name} appears twice")
            if item.organization_id is not None and item.organization_id not in (
                project.organizations
            ):
                raise bad_state(f"an entry of {self.name} names an unknown organization")
            self._put(item)


class OAuthRequests(_Expiring[OAuthRequest]):
    """Start URLs' authorization requests, by ``state``, until the provider page answers."""

    name = "oauth_requests"
    record = OAuthRequest

    @staticmethod
    def key(item: OAuthRequest) -> str:
        return item.state


class OAuthTokens(_Expiring[OAuthToken]):
    """The ``oauth`` and ``discovery_oauth`` tokens, by token (kept until expiry once used, so a
    replay is told apart from a typo only by the message)."""

    name = "oauth_tokens"
    record = OAuthToken

    @staticmethod
    def key(item: OAuthToken) -> str:
        return item.token


class OAuthProviderTokens(Store[ProviderTokens]):
    """Provider tokens by (provider, provider_subject): the latest login of that identity."""

    name = "oauth_provider_tokens"
    record = ProviderTokens

    def __init__(self) -> None:
        self._by_identity: dict[tuple[str, str], ProviderTokens] = {}

    def put(self, tokens: ProviderTokens) -> None:
        self._by_identity[(tokens.provider.value, tokens.provider_subject)] = tokens

    def find(self, provider: str, provider_subject: str) -> ProviderTokens | None:
        return self._by_identity.get((provider, provider_subject))

    def clear(self) -> None:
        self._by_identity.clear()

    def __iter__(self) -> Iterator[ProviderTokens]:
        return iter(self._by_identity.values())

    def __len__(self) -> int:
        return len(self._by_identity)

    def load(self, records: list[ProviderTokens], project: Project) -> None:
        for tokens in records:
            if (tokens.provider.value, tokens.provider_subject) in self._by_identity:
                raise bad_state("an OAuth identity's provider tokens appear twice")
            self.put(tokens)
