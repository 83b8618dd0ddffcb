"""M2M clients: the project's machine-to-machine clients, by id, in creation order.

The record is Stytch's M2MClient (``stytch/consumer/models/m2m.py`` in the Python SDK) plus
the SHA-256 digests of its secret and, during a rotation, of the next one (a secret is shown
once, at creation or rotation start). The rules live in :mod:`mockserver.domain.m2m`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


@dataclass(slots=True)
class M2MClient:
    """Stytch's M2MClient. Bookkeeping: ``client_secret_digest``, ``next_client_secret_digest``
    and ``created_at``."""

    client_id: str
    client_name: str
    client_description: str
    status: str
    scopes: list[str]
    client_secret_digest: str
    client_secret_last_four: str
    created_at: datetime
    trusted_metadata: dict[str, Any] = field(default_factory=dict)
    next_client_secret_digest: str = ""
    next_client_secret_last_four: str | None = None


class M2MClients(Store[M2MClient]):
    name = "m2m_clients"
    record = M2MClient

    def __init__(self) -> None:
        self._by_id: dict[str, M2MClient] = {}

    def add(self, client: M2MClient) -> None:
        self._by_id[client.client_id] = client

    def forget(self, client: M2MClient) -> None:
        del self._by_id[client.client_id]

    def find(self, client_id: str) -> M2MClient | None:
        return self._by_id.get(client_id)

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._by_id

    def clear(self) -> None:
        self._by_id.clear()

    def __iter__(self) -> Iterator[M2MClient]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, records: list[M2MClient], project: Project) -> None:
        for client in records:
            if client.client_id in self._by_id:
                raise bad_state(f"M2M client {client.client_id} appears twice")
            self.add(client)
