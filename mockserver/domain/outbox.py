"""The email outbox: every email the project would have sent, kept instead of delivered."""

from __future__ import annotations

from .entities import OutboxMessage


class Outbox:
    def __init__(self) -> None:
        self._messages: list[OutboxMessage] = []
        self._by_email: dict[str, list[OutboxMessage]] = {}

    def add(self, message: OutboxMessage) -> None:
        self._messages.append(message)
        self._by_email.setdefault(message.to.lower(), []).append(message)

    def messages(self, to: str | None = None) -> list[OutboxMessage]:
        """Oldest first; only those sent to ``to`` when it is given (case-insensitive)."""
        if to is None:
            return list(self._messages)
        return list(self._by_email.get(to.lower(), ()))

    def clear(self) -> None:
        self._messages.clear()
        self._by_email.clear()

    def __len__(self) -> int:
        return len(self._messages)


_SUBJECTS = {
    "discovery": "Your login link",
    "login": "Your login link for {org}",
    "signup": "Finish signing up for {org}",
    "invite": "You have been invited to {org}",
    "sms_otp": "",
    "email_otp_login": "Your verification code for {org}",
    "email_otp_signup": "Your verification code for {org}",
    "email_otp_discovery": "Your verification code",
}

_LEADS = {
    "discovery": "Click the link below to log in. It expires at {expires}.",
    "login": "Click the link below to log in to {org}. It expires at {expires}.",
    "signup": "Click the link below to finish signing up for {org}. It expires at {expires}.",
    "invite": "You have been invited to join {org}. Click the link below to accept. "
    "It expires at {expires}.",
    "sms_otp": "Your verification code is {code}. It expires at {expires}.",
    "email_otp_login": "Your code to log in to {org} is {code}. It expires at {expires}.",
    "email_otp_signup": "Your code to finish signing up for {org} is {code}. "
    "It expires at {expires}.",
    "email_otp_discovery": "Your code to log in is {code}. It expires at {expires}.",
}


def subject_for(kind: str, organization_name: str | None) -> str:
    return _SUBJECTS[kind].format(org=organization_name or "your organization")


def render_bodies(message: OutboxMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a message, made when read (not stored)."""
    from html import escape

    lead = _LEADS[message.kind].format(
        org=message.organization_name or "your organization",
        expires=message.expires_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        code=message.code,
    )
    if message.code is not None:
        return f"{lead}\n", "" if message.channel == "sms" else f"<p>{escape(lead)}</p>"
    text = f"{lead}\n\n{message.link}\n"
    html = (
        f"<p>{escape(lead)}</p>"
        f'<p><a href="{escape(message.link, quote=True)}">{escape(message.subject)}</a></p>'
    )
    return text, html
