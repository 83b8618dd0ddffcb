"""Delivering one-time codes: the SMS or email the project would send, kept in the outbox.

Every code also stays readable there when a project uses the sandbox values, so tests never
need them.
"""

from __future__ import annotations

from datetime import timedelta

from ..ids import new_id
from .entities import CodeKind, Member, Organization, OutboxMessage
from .mfa import SMS_CODE_MINUTES, OneTimeCode
from .outbox import subject_for
from .project import Project

SMS_SENDER = "Stytch"
EMAIL_SENDER = "Stytch <login@test.stytch.com>"


def send_sms_code(project: Project, member: Member, org: Organization) -> OneTimeCode:
    """A new SMS code for the member's MFA phone number (the previous one stops working)."""
    now = project.now()
    code = project.mfa.issue(
        ("sms", member.member_id),
        member.mfa_phone_number,
        now + timedelta(minutes=SMS_CODE_MINUTES),
    )
    _deliver(project, "sms_otp", code, org)
    return code


def send_email_code(
    project: Project,
    key: tuple[str, str],
    email_address: str,
    kind: CodeKind,
    minutes: int,
    org: Organization | None,
) -> OneTimeCode:
    code = project.mfa.issue(key, email_address, project.now() + timedelta(minutes=minutes))
    _deliver(project, kind, code, org)
    return code


def _deliver(project: Project, kind: CodeKind, code: OneTimeCode, org: Organization | None) -> None:
    sms = kind == "sms_otp"
    org_name = org.organization_name if org else None
    project.outbox.add(
        OutboxMessage(
            id=new_id("sms-message" if sms else "email-message", project.env),
            to=code.sent_to,
            sender=SMS_SENDER if sms else EMAIL_SENDER,
            subject=subject_for(kind, org_name),
            kind=kind,
            token="",
            link="",
            created_at=project.now(),
            expires_at=code.expires_at,
            organization_id=org.organization_id if org else None,
            organization_name=org_name,
            channel="sms" if sms else "email",
            code=code.code,
        )
    )
