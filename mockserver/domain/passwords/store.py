"""The passwords store: each member's password hash (never the password), by member id and
by ``member_password_id``, and each member's run of failed password checks (for locks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .hashing import PasswordHash
from .policy import PasswordPolicy


@dataclass(slots=True)
class StoredPassword:
    """A member's password. ``hash_type``/``hash``/``config`` as in :class:`PasswordHash`;
    ``reset_required`` is set by ``email/require_reset`` until the next reset."""

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


class PasswordStore:
    def __init__(self) -> None:
        self.by_member: dict[str, StoredPassword] = {}
        self.member_by_password_id: dict[str, str] = {}
        self.failures: dict[str, int] = {}
        # Set at run time by POST /_mock/password_policy; None: the project's configured one.
        self.policy_override: PasswordPolicy | None = None

    def find(self, member_id: str) -> StoredPassword | None:
        return self.by_member.get(member_id)

    def put(self, record: StoredPassword) -> None:
        old = self.by_member.get(record.member_id)
        if old is not None:
            self.member_by_password_id.pop(old.member_password_id, None)
        self.by_member[record.member_id] = record
        self.member_by_password_id[record.member_password_id] = record.member_id

    def remove(self, member_id: str) -> StoredPassword | None:
        record = self.by_member.pop(member_id, None)
        if record is not None:
            self.member_by_password_id.pop(record.member_password_id, None)
        self.failures.pop(member_id, None)
        return record

    def records(self) -> list[StoredPassword]:
        return list(self.by_member.values())
