"""The outbox: every message the project would have sent, oldest first, by recipient."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..entities import OutboxMessage
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project, ProjectConfig

# Messages a project's outbox keeps by default; past it the oldest are dropped (and counted).
DEFAULT_MAX_MESSAGES = 10_000


class Outbox(Store[OutboxMessage]):
    name = "outbox"
    record = OutboxMessage

    def __init__(self, max_messages: int = DEFAULT_MAX_MESSAGES) -> None:
        self.max_messages = max_messages
        self.dropped = 0  # messages dropped to stay within max_messages
        self._messages: deque[OutboxMessage] = deque()
        self._by_to: dict[str, deque[OutboxMessage]] = {}  # lowercased address or number

    @classmethod
    def empty(cls, config: ProjectConfig) -> Outbox:
        return cls(config.outbox_max)

    def add(self, message: OutboxMessage) -> None:
        self._messages.append(message)
        self._by_to.setdefault(message.to.lower(), deque()).append(message)
        while len(self._messages) > self.max_messages:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        oldest = self._messages.popleft()
        to = oldest.to.lower()
        sent_to = self._by_to[to]
        sent_to.popleft()  # the oldest of all is the oldest to its recipient too
        if not sent_to:
            del self._by_to[to]
        self.dropped += 1

    def messages(self, to: str | None = None) -> list[OutboxMessage]:
        """Oldest first; only those sent to ``to`` when it is given (case-insensitive)."""
        if to is None:
            return list(self._messages)
        return list(self._by_to.get(to.lower(), ()))

    def clear(self) -> None:
        self._messages.clear()
        self._by_to.clear()
        self.dropped = 0

    def __iter__(self) -> Iterator[OutboxMessage]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def load(self, records: list[OutboxMessage], project: Project) -> None:
        seen: set[str] = set()
        for message in records:
            if message.id in seen:
                raise bad_state("an outbox message id appears twice")
            seen.add(message.id)
            self.add(message)
