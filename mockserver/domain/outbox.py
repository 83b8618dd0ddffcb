"""Messages the project would send: one template per kind, and :func:`send`, which puts a
message in the project's outbox (stores.Outbox) instead of delivering it.

A message carries either a link (with its token) or a one-time code. Adding a kind of message
is a member of ``entities.MessageKind`` and its template here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from ..ids import new_id
from .entities import Channel, MessageKind, Organization, OutboxMessage
from .project import Project

# Who a message is from, per channel.
SENDERS = {
    Channel.EMAIL: "Stytch <login@test.stytch.com>",
    Channel.SMS: "Stytch",
}


@dataclass(frozen=True, slots=True)
class Template:
    """A kind of message: its channel, its lead sentence and (email) its subject. ``{org}`` is
    the organization's name, ``{expires}`` when the link or code expires."""

    channel: Channel
    lead: str
    subject: str | None = None


TEMPLATES: dict[MessageKind, Template] = {
    MessageKind.DISCOVERY: Template(
        Channel.EMAIL,
        "Click the link below to log in. It expires at {expires}.",
        "Your login link",
    ),
    MessageKind.LOGIN: Template(
        Channel.EMAIL,
        "Click the link below to log in to {org}. It expires at {expires}.",
        "Your login link for {org}",
    ),
    MessageKind.SIGNUP: Template(
        Channel.EMAIL,
        "Click the link below to finish signing up for {org}. It expires at {expires}.",
        "Finish signing up for {org}",
    ),
    MessageKind.INVITE: Template(
        Channel.EMAIL,
        "You have been invited to join {org}. Click the link below to accept. "
        "It expires at {expires}.",
        "You have been invited to {org}",
    ),
}


def send(
    project: Project,
    kind: MessageKind,
    to: str,
    *,
    expires_at: datetime,
    link: str | None = None,
    token: str | None = None,
    code: str | None = None,
    org: Organization | None = None,
) -> OutboxMessage:
    """Put a message of ``kind`` to ``to`` (an email address or a phone number) in the outbox;
    give ``link`` and ``token``, or ``code``."""
    template = TEMPLATES[kind]
    org_name = org.organization_name if org else None
    message = OutboxMessage(
        id=new_id(f"{template.channel}-message", project.env),
        to=to,
        sender=SENDERS[template.channel],
        kind=kind,
        created_at=project.now(),
        expires_at=expires_at,
        channel=template.channel,
        subject=template.subject.format(org=org_name or "your organization")
        if template.subject
        else None,
        token=token,
        link=link,
        code=code,
        organization_id=org.organization_id if org else None,
        organization_name=org_name,
    )
    project.outbox.add(message)
    return message


def render_bodies(message: OutboxMessage) -> tuple[str, str | None]:
    """The plain-text body and (email only) the HTML body of a message, made when read."""
    lead = TEMPLATES[message.kind].lead.format(
        org=message.organization_name or "your organization",
        expires=message.expires_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
    payload = message.link if message.link is not None else message.code or ""
    text = f"{lead}\n\n{payload}\n"
    if message.channel != Channel.EMAIL:
        return text, None
    if message.link is not None:
        shown = f'<a href="{escape(message.link, quote=True)}">{escape(message.subject or "")}</a>'
    else:
        shown = f"<strong>{escape(payload)}</strong>"
    return text, f"<p>{escape(lead)}</p><p>{shown}</p>"
