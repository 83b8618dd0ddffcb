"""The MFA state of a project: the live one-time codes (SMS and email), and the members' TOTP
registrations with their recovery codes (mockserver.domain.mfa has the rules)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from ..mfa import (
    CODE_DIGITS,
    SANDBOX_CODE,
    SIX_DIGITS,
    SPENT_CODES_KEPT,
    OneTimeCode,
    TotpRegistration,
    invalid_code,
    otp_code_not_found,
    unable_to_auth_otp_code,
)
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project

# Kinds of code key whose second part is a member id (the discovery kind has an email).
MEMBER_KEYS = ("sms", "email")


class OneTimeCodes(Store[OneTimeCode]):
    """The one live code of each recipient, by key (``mfa.OneTimeCode``). Also remembers, per
    recipient, the last few spent codes (so a reused code reads as used, not as wrong); they
    are not saved."""

    name = "one_time_codes"
    record = OneTimeCode

    def __init__(self) -> None:
        self._live: dict[tuple[str, str], OneTimeCode] = {}
        self._spent: dict[tuple[str, str], list[str]] = {}

    def issue(self, key: tuple[str, str], sent_to: str, expires_at: datetime) -> OneTimeCode:
        """A new code for ``key``; the previous one (if any) is superseded."""
        old = self._live.get(key)
        if old is not None:
            self._spend(old)
        code = OneTimeCode(key, f"{secrets.randbelow(10**CODE_DIGITS):06d}", sent_to, expires_at)
        self._live[key] = code
        return code

    def _spend(self, code: OneTimeCode) -> None:
        spent = self._spent.setdefault(code.key, [])
        spent.append(code.code)
        del spent[:-SPENT_CODES_KEPT]

    def use(
        self, key: tuple[str, str], given: str, now: datetime, *, sandbox: bool = False
    ) -> OneTimeCode | None:
        """Check ``given`` against the live code of ``key`` and use it up. Malformed: 400
        ``invalid_code``; wrong: 404 ``otp_code_not_found``; used, superseded or expired: 401
        ``unable_to_auth_otp_code``. A refused code changes nothing. The sandbox code (when
        allowed) passes without using anything up (returns None)."""
        if not SIX_DIGITS.fullmatch(given):
            raise invalid_code()
        if sandbox and given == SANDBOX_CODE:
            return None
        live = self._live.get(key)
        if live is not None and hmac.compare_digest(live.code, given):
            if now >= live.expires_at:
                raise unable_to_auth_otp_code()
            del self._live[key]
            self._spend(live)
            return live
        if given in self._spent.get(key, ()):
            raise unable_to_auth_otp_code()
        raise otp_code_not_found()

    def discard(self, key: tuple[str, str]) -> None:
        self._live.pop(key, None)

    def forget_member(self, member_id: str) -> None:
        for kind in MEMBER_KEYS:
            self._live.pop((kind, member_id), None)
            self._spent.pop((kind, member_id), None)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def __iter__(self) -> Iterator[OneTimeCode]:
        return iter(self._live.values())

    def __len__(self) -> int:
        return len(self._live)

    def load(self, records: list[OneTimeCode], project: Project) -> None:
        for code in records:
            key = (code.key[0], code.key[1])
            if key in self._live:
                raise bad_state(f"two one-time codes for {key}")
            if key[0] in MEMBER_KEYS and key[1] not in project.members:
                raise bad_state("a one-time code names an unknown member")
            code.key = key
            self._live[key] = code


class TotpRegistrations(Store[TotpRegistration]):
    """Each member's TOTP registration (pending or active), by member id."""

    name = "totp_registrations"
    record = TotpRegistration

    def __init__(self) -> None:
        self._by_member: dict[str, TotpRegistration] = {}

    def add(self, registration: TotpRegistration) -> None:
        """The member's registration (replacing a pending one: checked by the caller)."""
        self._by_member[registration.member_id] = registration

    def find(self, member_id: str) -> TotpRegistration | None:
        return self._by_member.get(member_id)

    def forget_member(self, member_id: str) -> None:
        self._by_member.pop(member_id, None)

    def clear(self) -> None:
        self._by_member.clear()

    def __iter__(self) -> Iterator[TotpRegistration]:
        return iter(self._by_member.values())

    def __len__(self) -> int:
        return len(self._by_member)

    def load(self, records: list[TotpRegistration], project: Project) -> None:
        for registration in records:
            if registration.member_id not in project.members:
                raise bad_state(
                    f"TOTP registration {registration.totp_registration_id} names an unknown member"
                )
            if registration.member_id in self._by_member:
                raise bad_state(f"member {registration.member_id} has two TOTP registrations")
            self.add(registration)
