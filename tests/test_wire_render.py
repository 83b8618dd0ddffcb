"""mockserver.models.wire: a response rendered from its model's fields, without validation, is
byte for byte what the model itself would give (the suites also check this for every response
they see, through wire.VERIFY; these cases pin the rules down one by one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from mockserver.models import wire
from mockserver.models.control import OutboxMessageObject, OutboxResponse
from mockserver.models.responses import MemberSearchResponse
from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer


class Inner(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # as the wire models read the domain

    name: str
    note: str | None = None


class Outer(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status_code: int = 200
    request_id: str
    inner: Inner
    inners: list[Inner]
    by_key: dict[str, Inner]
    extra: dict[str, Any]
    when: datetime
    maybe: Inner | None = None
    tags: list[str] = Field(default_factory=lambda: ["default"])


@dataclass
class DomainInner:
    """A domain object: the wire fields plus bookkeeping the wire must not show."""

    name: str
    note: str | None = None
    secret: str = "not on the wire"


WHEN = datetime(2026, 11, 25, 19, 3, 45, tzinfo=UTC)


def both_ways(model: type[BaseModel], **fields: Any) -> tuple[bytes, bytes]:
    fast = wire.render_json(model, **fields)
    slow = model(**fields).model_dump_json(exclude_none=True, by_alias=True).encode()
    return fast, slow


def test_objects_dicts_nested_lists_and_maps_render_as_the_model_does() -> None:
    fast, slow = both_ways(
        Outer,
        request_id="request-id-test-1",
        inner=DomainInner("a"),
        inners=[DomainInner("b", note="n"), {"name": "c", "secret": "dropped"}],
        by_key={"k": DomainInner("d")},
        extra={"kept": None, "nested": {"also_kept": None}},
        when=WHEN,
    )

    assert fast == slow
    assert fast == (
        b'{"status_code":200,"request_id":"request-id-test-1","inner":{"name":"a"},'
        b'"inners":[{"name":"b","note":"n"},{"name":"c"}],"by_key":{"k":{"name":"d"}},'
        b'"extra":{"kept":null,"nested":{"also_kept":null}},"when":"2026-11-25T19:03:45Z",'
        b'"tags":["default"]}'
    )


def test_a_field_alias_is_read_by_name_or_alias_and_written_as_the_alias() -> None:
    message = {
        "id": "email-message-test-1",
        "to": "ada@example.com",
        "subject": "Your login link",
        "channel": "email",
        "kind": "discovery",
        "token": "t",
        "link": "http://localhost:3000/authenticate?token=t",
        "created_at": WHEN,
        "expires_at": WHEN,
        "text": "text",
        "html": "<p>html</p>",
    }
    for source in ({**message, "from_": "login@stytch.com"}, {**message, "from": "x@y.z"}):
        fast, slow = both_ways(OutboxResponse, request_id="r", messages=[source])
        assert fast == slow
        assert b'"from":' in fast and b'"from_"' not in fast
    model_instance = OutboxMessageObject(**{**message, "from_": "login@stytch.com"})
    fast, slow = both_ways(OutboxResponse, request_id="r", messages=[model_instance])
    assert fast == slow


def test_domain_members_and_organizations_render_as_their_wire_models(
    stytch_mock: StytchMock, stytch_mock_server: MockServer
) -> None:
    org = stytch_mock.client.organizations.create(
        organization_name="Wire Co",
        organization_slug="wire-co",
        email_allowed_domains=["wire.example"],
        trusted_metadata={"plan": "pro", "nothing": None},
    ).organization
    stytch_mock.client.organizations.members.create(
        organization_id=org.organization_id,
        email_address="ada@wire.example",
        roles=["stytch_member"],
    )
    project = stytch_mock_server.project(stytch_mock.project_id)
    domain_org = project.organizations.get_by_id(org.organization_id)
    domain_members = list(project.members)

    fast, slow = both_ways(
        MemberSearchResponse,
        request_id="r",
        members=domain_members,
        results_metadata={"total": 1},
        organizations={domain_org.organization_id: domain_org},
    )

    assert fast == slow
    # Bookkeeping fields of the domain's Member stay off the wire.
    assert b'"explicit_roles"' not in fast and b'"email_id"' not in fast
    assert b'"is_admin":false' in fast and b'"role_id":"stytch_member"' in fast


def test_a_required_field_without_a_value_is_an_error() -> None:
    with pytest.raises(wire.MissingField, match="Inner"):
        wire.render_json(
            Outer, request_id="r", inner=object(), inners=[], by_key={}, extra={}, when=WHEN
        )
    with pytest.raises(wire.MissingField, match="Outer.request_id has no value"):
        wire.render_json(Outer, inner={"name": "a"}, inners=[], by_key={}, extra={}, when=WHEN)


def test_verify_catches_a_rendering_that_differs_from_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A float field given an int: the model writes 1.0, the fast path would write 1.
    class Clock(BaseModel):
        request_id: str
        offset_seconds: float

    monkeypatch.setattr(wire, "VERIFY", True)
    with pytest.raises(AssertionError, match="but the model gives"):
        wire.render_json(Clock, request_id="r", offset_seconds=1)
