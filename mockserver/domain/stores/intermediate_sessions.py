"""The intermediate sessions of a project, by token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..entities import IntermediateSession
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


class IntermediateSessions(Store[IntermediateSession]):
    name = "intermediate_sessions"
    record = IntermediateSession

    def __init__(self) -> None:
        self._by_token: dict[str, IntermediateSession] = {}

    def add(self, ist: IntermediateSession) -> None:
        self._by_token[ist.token] = ist

    def forget(self, ist: IntermediateSession) -> None:
        self._by_token.pop(ist.token, None)

    def clear(self) -> None:
        self._by_token.clear()

    def find(self, token: str) -> IntermediateSession | None:
        return self._by_token.get(token)

    def __iter__(self) -> Iterator[IntermediateSession]:
        return iter(self._by_token.values())

    def __len__(self) -> int:
        return len(self._by_token)

    def load(self, records: list[IntermediateSession], project: Project) -> None:
        for ist in records:
            if ist.token in self._by_token:
                raise bad_state("an intermediate session token appears twice")
            self.add(ist)
