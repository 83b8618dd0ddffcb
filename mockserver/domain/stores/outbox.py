"""The outbox: every message the project would have sent, oldest first, by recipient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..entities import OutboxMessage
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


class Outbox(Store[OutboxMessage]):
    name = "outbox"
    record = OutboxMessage

    def __init__(self) -> None:
        self._messages: list[OutboxMessage] = []
        self._ids: set[str] = set()
        self._by_to: dict[str, list[OutboxMessage]] = {}  # lowercased address or number

    def add(self, message: OutboxMessage) -> None:
        self._messages.append(message)
        self._ids.add(message.id)
        self._by_to.setdefault(message.to.lower(), []).append(message)

    def messages(self, to: str | None = None) -> list[OutboxMessage]:
        """Oldest first; only those sent to ``to`` when it is given (case-insensitive)."""
        if to is None:
            return list(self._messages)
        return list(self._by_to.get(to.lower(), ()))

    def clear(self) -> None:
        self._messages.clear()
        self._ids.clear()
        self._by_to.clear()

    def __iter__(self) -> Iterator[OutboxMessage]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def load(self, records: list[OutboxMessage], project: Project) -> None:
        for message in records:
            if message.id in self._ids:
                raise bad_state("an outbox message id appears twice")
            self.add(message)
