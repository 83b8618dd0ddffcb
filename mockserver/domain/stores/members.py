"""The members of a project: every member by id, each organization's members in creation order,
and the live (not deleted) members by email and external id; and their locks (the rules are in
mockserver.domain.locks): each member's run of failed credential checks (not saved), and when
each lock expires, so that the sweep lifts it then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ... import errors
from ..entities import Member, MemberStatus
from ..rules import validate_email
from .base import Store, SweepQueue, bad_state

if TYPE_CHECKING:
    from ..project import Project


class Members(Store[Member]):
    name = "members"
    record = Member

    def __init__(self) -> None:
        self._by_id: dict[str, Member] = {}
        # organization_id -> {member_id: Member}, in creation order, deleted members included
        self._by_org: dict[str, dict[str, Member]] = {}
        # Live members only:
        self._by_org_email: dict[tuple[str, str], str] = {}  # (org id, lowercased email)
        self._by_org_external_id: dict[tuple[str, str], str] = {}
        self._by_email: dict[str, dict[str, None]] = {}  # lowercased email -> {member_id}
        self._failures: dict[str, int] = {}  # member_id -> consecutive failed checks
        self._locks = SweepQueue()  # when each member's lock expires

    # --- changes ------------------------------------------------------------------------

    def add(self, member: Member) -> None:
        """A new member (checked by the caller), last in its organization's list."""
        self._by_id[member.member_id] = member
        self._by_org.setdefault(member.organization_id, {})[member.member_id] = member
        self._index(member)
        if member.lock_expires_at is not None:
            self._locks.schedule(member.lock_expires_at, member.member_id)

    @contextmanager
    def changing(self, member: Member) -> Iterator[Member]:
        """Change a member's email, external id or status inside ``with``; the indexes follow
        (a deleted member leaves the live lookups, a reactivated one comes back)."""
        self._unindex(member)
        try:
            yield member
        finally:
            self._index(member)

    def forget_organization(self, organization_id: str) -> list[Member]:
        """Forget every member of the organization (deleted ones too); returns them."""
        gone = list(self._by_org.pop(organization_id, {}).values())
        for member in gone:
            self._unindex(member)
            del self._by_id[member.member_id]
            self._failures.pop(member.member_id, None)
        return gone

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def _index(self, member: Member) -> None:
        if member.status == MemberStatus.DELETED:
            return
        email = member.email_address.lower()
        self._by_org_email[(member.organization_id, email)] = member.member_id
        self._by_email.setdefault(email, {})[member.member_id] = None
        if member.external_id:
            key = (member.organization_id, member.external_id)
            self._by_org_external_id[key] = member.member_id

    def _unindex(self, member: Member) -> None:
        email = member.email_address.lower()
        if self._by_org_email.get((member.organization_id, email)) == member.member_id:
            del self._by_org_email[(member.organization_id, email)]
        by_email = self._by_email.get(email)
        if by_email is not None:
            by_email.pop(member.member_id, None)
            if not by_email:
                del self._by_email[email]
        if member.external_id:
            key = (member.organization_id, member.external_id)
            if self._by_org_external_id.get(key) == member.member_id:
                del self._by_org_external_id[key]

    # --- locks (mockserver.domain.locks has the rules) -------------------------------------

    def count_failure(self, member_id: str) -> int:
        """Count a failed credential check; the member's run of failures so far."""
        count = self._failures.get(member_id, 0) + 1
        self._failures[member_id] = count
        return count

    def end_failures(self, member_id: str) -> None:
        """The member's run of failures is over (a success, a new password, a lock, a
        deletion)."""
        self._failures.pop(member_id, None)

    def lock(self, member: Member, created_at: datetime, expires_at: datetime) -> None:
        """Lock the member until ``expires_at``; its run of failures ends."""
        member.is_locked = True
        member.lock_created_at = created_at
        member.lock_expires_at = expires_at
        self._failures.pop(member.member_id, None)
        self._locks.schedule(expires_at, member.member_id)

    def unlock(self, member: Member) -> None:
        """No lock: ``is_locked`` false and no lock times (the SDK's Member: "if there is
        one")."""
        member.is_locked = False
        member.lock_created_at = None
        member.lock_expires_at = None

    def sweep(self, now: datetime, keep: timedelta) -> int:
        """Lift the locks that expired by ``now``, so a member reads as unlocked from then on
        without a new attempt (the server sweeps every second and on every clock move). A lock
        is lifted at its expiry, not ``keep`` later (``keep`` is the grace of records kept to
        answer "expired"; a lifted lock forgets nothing), so this counts nothing as swept."""
        for member_id in self._locks.due(now):
            member = self._by_id.get(member_id)
            # A lock lifted early (by a check) and made again was queued again by lock().
            if member is not None and member.lock_expires_at is not None:
                if member.lock_expires_at <= now:
                    self.unlock(member)
        return 0

    # --- lookups ------------------------------------------------------------------------

    def find(self, member_id: str) -> Member | None:
        """By id, deleted members included."""
        return self._by_id.get(member_id)

    def get(
        self,
        organization_id: str,
        member_id: str,
        *,
        allow_external_id: bool = True,
        include_deleted: bool = False,
    ) -> Member:
        """A member of the organization (by its id, not slug) by member id or external id;
        deleted members only when asked for (reactivate), as get by email and dangerously_get
        also hide them. Raises ``member_not_found``."""
        member = self._by_id.get(member_id)
        if member is None and allow_external_id:
            member = self.find_by_external_id(organization_id, member_id)
        if member is None or member.organization_id != organization_id:
            raise errors.member_not_found()
        if member.status == MemberStatus.DELETED and not include_deleted:
            raise errors.member_not_found()
        return member

    def get_by_id(self, member_id: str) -> Member:
        """By id, for references the project keeps consistent (a session's member)."""
        return self._by_id[member_id]

    def find_by_email(self, organization_id: str, email: str) -> Member | None:
        """The organization's live member with this email (case-insensitive)."""
        member_id = self._by_org_email.get((organization_id, email.lower()))
        return self._by_id[member_id] if member_id else None

    def find_by_external_id(self, organization_id: str, external_id: str) -> Member | None:
        """The organization's live member with this external id."""
        member_id = self._by_org_external_id.get((organization_id, external_id))
        return self._by_id[member_id] if member_id else None

    def of_organization(self, organization_id: str) -> Iterator[Member]:
        """Every member of the organization, deleted ones too, in creation order."""
        return iter(self._by_org.get(organization_id, {}).values())

    def live_with_email(self, email: str) -> list[Member]:
        """Live members with this email in any organization (unordered)."""
        return [self._by_id[mid] for mid in self._by_email.get(email.lower(), ())]

    def __contains__(self, member_id: object) -> bool:
        return member_id in self._by_id

    def __iter__(self) -> Iterator[Member]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    # --- state --------------------------------------------------------------------------

    def load(self, records: list[Member], project: Project) -> None:
        for member in records:
            if member.member_id in self._by_id:
                raise bad_state(f"member {member.member_id} appears twice")
            if member.organization_id not in project.organizations:
                raise bad_state(f"member {member.member_id} names an unknown organization")
            _check_lock_fields(member)
            try:
                validate_email(member.email_address)
            except errors.StytchError:
                raise bad_state(f"member {member.member_id} has an invalid email address") from None
            if member.status != MemberStatus.DELETED and self.find_by_email(
                member.organization_id, member.email_address
            ):
                raise bad_state(
                    f"{member.email_address} is a member of {member.organization_id} twice"
                )
            if (
                member.status != MemberStatus.DELETED
                and member.external_id
                and self.find_by_external_id(member.organization_id, member.external_id)
            ):
                raise bad_state(
                    f"external_id {member.external_id} is used twice in {member.organization_id}"
                )
            self.add(member)


def _check_lock_fields(member: Member) -> None:
    """A loaded lock is whole: ``is_locked`` with ``lock_expires_at`` (and the lock times only
    with it), times with a time zone (they are compared with the project's clock)."""
    times = (member.lock_created_at, member.lock_expires_at)
    if member.is_locked != (member.lock_expires_at is not None) or (
        member.lock_created_at is not None and not member.is_locked
    ):
        raise bad_state(
            f"member {member.member_id}: is_locked needs lock_expires_at, and the lock times "
            "need is_locked"
        )
    if any(t is not None and t.utcoffset() is None for t in times):
        raise bad_state(f"member {member.member_id}: the lock times need a time zone")
