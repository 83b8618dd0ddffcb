"""Sending one-time codes: a new code in the project's store, and the SMS or email carrying it
in the outbox (outbox.send). Codes are in the outbox even when a project uses the sandbox
values, so tests never need those."""

from __future__ import annotations

from datetime import timedelta

from . import outbox
from .entities import Member, MessageKind, Organization
from .mfa import SMS_CODE_MINUTES, OneTimeCode
from .project import Project


def send_sms_code(project: Project, member: Member, org: Organization) -> OneTimeCode:
    """A new SMS code for the member's MFA phone number (the previous one stops working)."""
    code = project.one_time_codes.issue(
        ("sms", member.member_id),
        member.mfa_phone_number,
        project.now() + timedelta(minutes=SMS_CODE_MINUTES),
    )
    _deliver(project, MessageKind.SMS_OTP, code, org)
    return code


def send_email_code(
    project: Project,
    key: tuple[str, str],
    email_address: str,
    kind: MessageKind,
    minutes: int,
    org: Organization | None,
) -> OneTimeCode:
    code = project.one_time_codes.issue(
        key, email_address, project.now() + timedelta(minutes=minutes)
    )
    _deliver(project, kind, code, org)
    return code


def _deliver(
    project: Project, kind: MessageKind, code: OneTimeCode, org: Organization | None
) -> None:
    outbox.send(project, kind, code.sent_to, expires_at=code.expires_at, code=code.code, org=org)
