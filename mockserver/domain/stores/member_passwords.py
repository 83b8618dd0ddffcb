"""Members' passwords: each member's password hash (never the password), by member id and by
``member_password_id``; and the password policy set at run time
(``POST /_mock/password_policy``, until the next reset or state import)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..passwords.hashing import PasswordHash
from ..passwords.policy import PasswordPolicy
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


@dataclass(slots=True)
class StoredPassword:
    """A member's password: ``hash_type``/``hash``/``config`` as in ``PasswordHash`` (argon2id
    for passwords set here; a migrated type until its first sign-in). ``reset_required`` is
    set by ``email/require_reset`` until the next reset."""

    member_password_id: str
    member_id: str
    hash_type: str
    hash: str
    created_at: datetime
    config: dict[str, Any] | None = None
    reset_required: bool = False

    @property
    def password_hash(self) -> PasswordHash:
        return PasswordHash(self.hash_type, self.hash, self.config)


class MemberPasswords(Store[StoredPassword]):
    name = "member_passwords"
    record = StoredPassword

    def __init__(self) -> None:
        self._by_member: dict[str, StoredPassword] = {}
        self._by_id: dict[str, str] = {}  # member_password_id -> member_id
        self.policy_override: PasswordPolicy | None = None

    def add(self, record: StoredPassword) -> None:
        """Store (or replace) the member's password."""
        old = self._by_member.get(record.member_id)
        if old is not None:
            del self._by_id[old.member_password_id]
        self._by_member[record.member_id] = record
        self._by_id[record.member_password_id] = record.member_id

    def forget(self, member_id: str) -> None:
        record = self._by_member.pop(member_id, None)
        if record is not None:
            del self._by_id[record.member_password_id]

    def find(self, member_id: str) -> StoredPassword | None:
        return self._by_member.get(member_id)

    def find_member_id(self, member_password_id: str) -> str | None:
        return self._by_id.get(member_password_id)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def __iter__(self) -> Iterator[StoredPassword]:
        return iter(self._by_member.values())

    def __len__(self) -> int:
        return len(self._by_member)

    def load(self, records: list[StoredPassword], project: Project) -> None:
        for record in records:
            if record.member_id not in project.members:
                raise bad_state(f"password {record.member_password_id} names an unknown member")
            if record.member_id in self._by_member or record.member_password_id in self._by_id:
                raise bad_state(f"member {record.member_id} has two passwords")
            self.add(record)
