"""Member locks: the one mechanism behind every credential check that counts towards a lock.

Stytch (https://stytch.com/docs/resources/platform/user-locks): consecutive failed
authentication attempts lock the user once they reach the project's threshold (default 10),
for the project's lock TTL (default 1 hour, 5 minutes to 7 days); while the lock lasts every
authentication attempt is refused; while no lock is active a successful attempt resets the
count; the lock ends when it expires. A Member shows it as ``is_locked``, ``lock_created_at``
and ``lock_expires_at`` ("When the member lock was created/expires, if there is one": the
Python SDK's ``Member`` docstring, ``stytch/b2b/models/organizations.py``), so an expired lock
reads as no lock: ``is_locked`` false and both times absent. The Members store's sweep lifts
each lock at its expiry (every second, and at once when the clock moves); a check lifts one the
sweep has not reached yet.

Where Stytch is silent the mock chooses (README fidelity notes):

- [chosen] Which checks count: a password, an SMS or email one-time code, a TOTP code and a
  recovery code (``check`` wraps each). Magic links, OAuth, SSO and sessions neither count nor
  are refused.
- [chosen] What counts as a failure: a refusal of the credential itself, 401 (wrong password,
  used or expired code) or 404 (wrong code); a malformed one (400) does not count.
- [chosen] One run of failures per member, shared by every kind of check, and one lock: a
  member locked by passwords is refused by the MFA checks and the other way round. Each kind
  of check is switched on by its own setting: the password policy's ``lock_threshold`` and
  ``lock_minutes`` (on by default, Stytch's defaults), the MFA settings'
  ``member_lock_threshold`` and ``member_lock_minutes`` (off by default). A failure counts
  only when its kind's threshold is above 0, and the lock it completes lasts its kind's
  minutes.
- [chosen] Storing a new password for a member (a reset, a migrated hash) starts a new run;
  so does deleting the member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from ..errors import StytchError
from .entities import Member

if TYPE_CHECKING:
    from .project import Project

T = TypeVar("T")

# A refused credential (401: wrong password, used or expired code; 404: wrong code) counts;
# a malformed one (400) does not (README fidelity notes).
COUNTED_STATUSES = frozenset({401, 404})


@dataclass(frozen=True, slots=True)
class Threshold:
    """When one kind of failed check locks a member: after ``failures`` consecutive failures
    (0: this kind does not count), for ``minutes``."""

    failures: int
    minutes: int


def user_lock_limit_reached() -> StytchError:
    """Status and message as https://stytch.com/docs/api/errors/429#user_lock_limit_reached
    gives them; the B2B list (https://stytch.com/docs/b2b/api/errors/429) has the type under
    429 too."""
    return StytchError(
        429,
        "user_lock_limit_reached",
        "The user has been locked out due to too many failed authentication attempts. "
        "Please try again later.",
    )


def check(project: Project, member: Member, threshold: Threshold, attempt: Callable[[], T]) -> T:
    """Run ``attempt()`` (one credential check of ``member``) under the lock rules: refused
    while the member is locked (before the credential is looked at, so a refused attempt
    changes nothing); a counted failure adds to the member's run and locks it at
    ``threshold``; a success ends the run. Returns what ``attempt`` returns."""
    refuse_while_locked(project, member)
    try:
        result = attempt()
    except StytchError as exc:
        if exc.status_code in COUNTED_STATUSES:
            _failed(project, member, threshold)
        raise
    project.members.end_failures(member.member_id)
    return result


def refuse_while_locked(project: Project, member: Member) -> None:
    """``user_lock_limit_reached`` while the member's lock lasts; a lock that has expired (and
    that no sweep has lifted yet) is lifted here."""
    expires_at = member.lock_expires_at
    if expires_at is None:
        return
    if project.now() < expires_at:
        raise user_lock_limit_reached()
    project.members.unlock(member)


def new_credential(project: Project, member: Member) -> None:
    """The member got a new password: its run of failures starts again (README fidelity
    notes)."""
    project.members.end_failures(member.member_id)


def _failed(project: Project, member: Member, threshold: Threshold) -> None:
    if threshold.failures <= 0:
        return
    if project.members.count_failure(member.member_id) >= threshold.failures:
        now = project.now()
        project.members.lock(member, now, now + timedelta(minutes=threshold.minutes))
