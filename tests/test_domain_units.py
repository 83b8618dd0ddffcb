"""Fast unit tests of the pure domain: the clock, id and token formats, slugs, redirect URLs."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest

from mockserver import ids
from mockserver.clock import Clock
from mockserver.domain.members import add_member, delete_member, update_member
from mockserver.domain.organizations import create_organization, derive_name_and_slug
from mockserver.domain.project import Project, ProjectConfig
from mockserver.domain.search import search_members
from tests.support import UUID

# --- clock ---


class FakeTime:
    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


def test_clock_reads_its_source_plus_the_offset() -> None:
    source = FakeTime(1_700_000_000.75)
    clock = Clock(source)

    assert clock.timestamp() == 1_700_000_000.75
    assert clock.now() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # whole seconds, UTC
    clock.advance(3600)
    clock.advance(0.5)
    assert clock.offset_seconds == 3600.5
    assert clock.now() == datetime(2023, 11, 14, 23, 13, 21, tzinfo=UTC)
    source.value += 10  # real time still flows under the offset
    assert clock.timestamp() == 1_700_000_000.75 + 10 + 3600.5


def test_clock_only_moves_forward_and_resets_to_real_time() -> None:
    clock = Clock(FakeTime(1_000.0), offset_seconds=50)

    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    assert clock.offset_seconds == 50
    clock.reset()
    assert (clock.offset_seconds, clock.timestamp()) == (0, 1_000.0)


# --- ids and tokens ---


@pytest.mark.parametrize("kind", ["organization", "member", "session", "email", "jwk"])
def test_ids_have_stytchs_test_format(kind: str) -> None:
    made = [ids.new_id(kind) for _ in range(1000)]

    for value in made:
        assert re.fullmatch(rf"{kind}-test-{UUID}", value), value
    assert len(set(made)) == len(made)


def test_live_ids_and_request_ids() -> None:
    assert re.fullmatch(rf"member-live-{UUID}", ids.new_id("member", "live"))
    request_ids = {ids.request_id() for _ in range(1000)}
    assert len(request_ids) == 1000
    assert all(re.fullmatch(rf"request-id-test-{UUID}", r) for r in request_ids)


def test_magic_tokens_are_44_char_padded_urlsafe_base64() -> None:
    tokens = {ids.magic_token() for _ in range(1000)}

    assert len(tokens) == 1000
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}=", token), token
        assert len(base64.urlsafe_b64decode(token)) == 32


def test_session_tokens_are_44_char_unpadded_urlsafe() -> None:
    tokens = {ids.session_token() for _ in range(1000)}

    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{44}", t) for t in tokens)


# --- slugs ---


def project() -> Project:
    return Project(ProjectConfig("project-test-unit", "secret"), clock=Clock(FakeTime(1e9)))


def test_members_keep_their_creation_order_through_updates_and_deletion() -> None:
    p = project()
    org = create_organization(p, organization_name="Order Co", organization_slug="order-co")
    ids = [
        add_member(p, org, f"{n}@order.example", status="active").member_id
        for n in ("ada", "bob", "cy")
    ]

    update_member(p, org.organization_id, ids[0], {"name": "Ada", "email_address": "a@o.example"})
    delete_member(p, org.organization_id, ids[1])
    every_status = {
        "operator": "AND",
        "operands": [
            {"filter_name": "statuses", "filter_value": ["active", "deleted"]},
        ],
    }
    members, total, _, _ = search_members(
        p, organization_ids=[org.organization_id], query=every_status, cursor=None, limit=None
    )

    assert [m.member_id for m in members] == ids
    assert total == 3


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Acme Co", "acme-co"),
        ("  Acme,  Inc.  ", "acme-inc"),
        ("hello.world_v2~x", "hello.world_v2~x"),
        ("A", "a-org"),
        ("!!!", "org-org"),
        ("R&D / Ops", "r-d-ops"),
        ("Ünïcode Ltd", "unicode-ltd"),
    ],
)
def test_slug_derived_from_the_organization_name(name: str, slug: str) -> None:
    org = create_organization(project(), organization_name=name)

    assert org.organization_slug == slug
    assert 2 <= len(org.organization_slug) <= 128


def test_derived_slug_taken_gets_a_number_explicit_slug_taken_is_refused() -> None:
    from mockserver.errors import StytchError

    p = project()
    slugs = [create_organization(p, organization_name="Acme").organization_slug for _ in range(3)]
    assert slugs == ["acme", "acme-2", "acme-3"]
    with pytest.raises(StytchError) as exc:
        create_organization(p, organization_name="Other", organization_slug="ACME")
    assert exc.value.error_type == "organization_slug_already_used"


def test_very_long_name_gives_a_slug_within_limits() -> None:
    p = project()
    first = create_organization(p, organization_name="x" * 128).organization_slug
    second = create_organization(p, organization_name="x" * 128).organization_slug

    assert len(first) <= 128 and len(second) <= 128 and first != second


@pytest.mark.parametrize(
    ("email", "name", "slug"),
    [
        ("jane@acme-widgets.com", "acme-widgets", "acme-widgets"),
        ("jane@Acme.co.uk", "acme", "acme"),
        ("jane.doe@gmail.com", "jane.doe", "jane-doe"),
        ("jane+work@gmail.com", "jane", "jane"),
        ("bob@cs.stanford.edu", "bob", "bob"),
    ],
)
def test_discovery_name_and_slug_from_an_email(email: str, name: str, slug: str) -> None:
    assert derive_name_and_slug(email) == (name, slug)


# --- redirect URLs ---


def redirect_project(*patterns: str) -> Project:
    return Project(ProjectConfig("project-test-unit", "secret", list(patterns)))


@pytest.mark.parametrize(
    ("pattern", "url", "matches"),
    [
        ("http://localhost:3000/authenticate", "http://localhost:3000/authenticate", True),
        ("http://localhost:3000/authenticate", "http://localhost:3001/authenticate", False),
        ("http://localhost:3000/authenticate", "http://localhost:3000/authenticate/x", False),
        ("http://localhost:3000/authenticate", "http://localhost:3000/Authenticate", False),
        ("http://localhost:3000/authenticate", "https://localhost:3000/authenticate", False),
        ("http://LOCALHOST:3000/authenticate", "HTTP://localhost:3000/authenticate", True),
        ("https://www.example.com/cb", "https://example.com/cb", True),
        ("https://example.com/cb", "https://www.example.com/cb", True),
        ("https://example.com", "https://example.com/", True),
        ("https://example.com/cb?next=1", "https://example.com/cb?next=1", True),
        ("https://example.com/cb?next=1", "https://example.com/cb?next=2", False),
        ("https://example.com/cb", "https://example.com/cb?next=1", False),
        ("http://localhost:*/*", "http://localhost:5173/callback", True),
        ("http://localhost:*/*", "http://localhost:5173/a/b", False),
        ("http://localhost:*/*", "http://127.0.0.1:5173/callback", False),
        ("https://*.example.com/cb", "https://app.example.com/cb", True),
        ("https://*.example.com/cb", "https://example.org/cb", False),
        ("https://app.example.com/*/done", "https://app.example.com/team-1/done", True),
        ("https://app.example.com/*/done", "https://app.example.com/a/b/done", False),
        ("https://app.example.com/cb*", "https://app.example.com/cb?x=1", False),
    ],
)
def test_redirect_url_matching(pattern: str, url: str, matches: bool) -> None:
    from mockserver.errors import StytchError

    p = redirect_project(pattern)
    if matches:
        assert p.resolve_redirect_url(url) == url
    else:
        with pytest.raises(StytchError) as exc:
            p.resolve_redirect_url(url)
        assert exc.value.error_type == "no_match_for_provided_magic_link_url"


def test_no_redirect_url_means_the_first_registered_one() -> None:
    p = redirect_project("http://localhost:3000/first", "http://localhost:3000/second")

    assert p.resolve_redirect_url(None) == "http://localhost:3000/first"
    assert p.resolve_redirect_url("") == "http://localhost:3000/first"
    assert p.resolve_redirect_url("http://localhost:3000/second") == (
        "http://localhost:3000/second"
    )


def test_deleting_an_organization_forgets_its_idp_clients_and_sso_registrations() -> None:
    from mockserver.domain import sso
    from mockserver.domain.entities import MemberStatus
    from mockserver.domain.organizations import delete_organization

    project = Project(ProjectConfig("project-test-sso", "secret-test-sso"))
    org = create_organization(project, organization_name="Acme", organization_slug="acme")
    conn = sso.create_oidc(
        project,
        "http://127.0.0.1:8080",
        org.organization_id,
        display_name=None,
        identity_provider=None,
    )
    member = add_member(project, org, "ada@acme.com", status=MemberStatus.ACTIVE)
    project.sso_connections.register(conn.connection_id, "idp-user-1", member.member_id, None)
    assert conn.client_id in project.identity_provider.provider.clients

    delete_organization(project, org.organization_id)

    assert conn.client_id not in project.identity_provider.provider.clients
    assert project.sso_connections.registered_member(conn.connection_id, "idp-user-1") is None
