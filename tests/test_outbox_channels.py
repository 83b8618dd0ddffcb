"""The outbox's channels (email, sms) and kinds: one enum shared by the domain, the control
API's model and the templates; a message carries a link and its token, or a one-time code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mockserver.domain.entities import Channel, MessageKind, OutboxMessage
from mockserver.domain.outbox import TEMPLATES, render_bodies, send
from mockserver.domain.project import Project, ProjectConfig
from mockserver.models.control import OutboxMessageObject
from mockserver.pytest_plugin import StytchMock
from tests.support import discovery_token, login_token, org_with_member, state_of

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_every_kind_has_a_template_and_the_control_model_takes_every_kind() -> None:
    assert set(TEMPLATES) == set(MessageKind)
    kind_field = OutboxMessageObject.model_fields["kind"]
    assert kind_field.annotation is MessageKind
    assert OutboxMessageObject.model_fields["channel"].annotation is Channel


def test_a_link_message_and_a_code_message_render_their_bodies() -> None:
    project = Project(ProjectConfig("project-test-outbox", "s"))
    link = send(
        project,
        MessageKind.LOGIN,
        "ada@acme.com",
        expires_at=WHEN,
        link="http://localhost:3000/authenticate?token=t&x=<y>",
        token="t",
    )
    code = send(project, MessageKind.DISCOVERY, "ada@acme.com", expires_at=WHEN, code="123456")

    assert project.outbox.messages("ADA@acme.com") == [link, code]
    assert (link.channel, link.subject, link.code) == (
        Channel.EMAIL,
        "Your login link for your organization",
        None,
    )
    text, html = render_bodies(link)
    assert text.endswith("\n\nhttp://localhost:3000/authenticate?token=t&x=<y>\n")
    assert html is not None and "&amp;x=&lt;y&gt;" in html and "<y>" not in html
    text, html = render_bodies(code)
    assert text.endswith("\n\n123456\n") and "2026-01-02 03:04:05 UTC" in text
    assert html is not None and "<strong>123456</strong>" in html


def test_an_sms_message_has_no_subject_and_no_html() -> None:
    message = OutboxMessage(
        id="sms-message-test-1",
        to="+15005550006",
        sender="Stytch",
        kind=MessageKind.DISCOVERY,
        created_at=WHEN,
        expires_at=WHEN + timedelta(minutes=2),
        channel=Channel.SMS,
        code="654321",
    )

    text, html = render_bodies(message)

    assert "654321" in text and html is None


def _sms(code: str, minutes: int) -> dict[str, Any]:
    return {
        "id": f"sms-message-test-{code}",
        "to": "+15005550006",
        "sender": "Stytch",
        "kind": "discovery",
        "created_at": (WHEN + timedelta(minutes=minutes)).isoformat(),
        "expires_at": (WHEN + timedelta(minutes=minutes + 2)).isoformat(),
        "channel": "sms",
        "code": code,
    }


def test_the_fixture_reads_codes_and_links_of_every_kind(stytch_mock: StytchMock) -> None:
    org, _ = org_with_member(
        stytch_mock, "ada@acme.com", email_allowed_domains=["acme.com"], email_invites="ALL_ALLOWED"
    )
    tokens = {
        "login": login_token(stytch_mock, org.organization_id, "ada@acme.com"),
        "signup": login_token(stytch_mock, org.organization_id, "new@acme.com"),
        "discovery": discovery_token(stytch_mock, "max@acme.com"),
    }
    stytch_mock.client.magic_links.email.invite(
        organization_id=org.organization_id, email_address="ivy@acme.com"
    )
    tokens["invite"] = stytch_mock.outbox.latest_token("ivy@acme.com")
    state = state_of(stytch_mock)
    state["outbox"] += [_sms("111111", 1), _sms("222222", 2)]
    stytch_mock.control("PUT", "_mock/state", {"state": state})

    for to, kind in [
        ("ada@acme.com", "login"),
        ("new@acme.com", "signup"),
        ("max@acme.com", "discovery"),
        ("ivy@acme.com", "invite"),
    ]:
        message = stytch_mock.outbox.latest(to)
        assert (message["kind"], message["channel"]) == (kind, "email")
        assert stytch_mock.outbox.latest_token(to) == tokens[kind] == message["token"]
        assert stytch_mock.outbox.latest_link(to) == message["link"]
        assert "code" not in message
    sms = stytch_mock.outbox.latest("+15005550006")
    assert sms["channel"] == "sms" and sms["from"] == "Stytch"
    assert not {"subject", "token", "link", "html"} & set(sms)
    assert stytch_mock.outbox.latest_code("+15005550006") == "222222"
    with pytest.raises(AssertionError, match="no message with a code"):
        stytch_mock.outbox.latest_code("ada@acme.com")
    with pytest.raises(AssertionError, match="no message with a link"):
        stytch_mock.outbox.latest_link("+15005550006")
