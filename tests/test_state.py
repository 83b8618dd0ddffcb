"""Saving, restoring and seeding a project: GET/PUT /_mock/state, POST /_mock/seed, --seed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.cli import build_parser, build_registry, settings_from_args
from mockserver.domain.stores import STORES
from mockserver.pytest_plugin import StytchMock
from tests.support import (
    assert_stytch_error,
    intermediate_session,
    log_in,
    login_token,
    org_with_member,
    state_of,
)

# --- a realistic project ---


def build_scenario(mock: StytchMock) -> dict[str, Any]:
    """Two organizations, members of every status, live sessions, an IST, unused links in the
    outbox, and a moved clock. Returns what the test checks afterwards."""
    client = mock.client
    acme, ada = org_with_member(
        mock,
        "ada@acme.com",
        name="Acme Co",
        email_allowed_domains=["acme.com"],
        email_invites="ALL_ALLOWED",
    )
    globex = client.organizations.create(
        organization_name="Globex", organization_slug="globex", mfa_policy="OPTIONAL"
    ).organization
    acme_id, globex_id = acme.organization_id, globex.organization_id
    pending = client.organizations.members.create(
        organization_id=acme_id, email_address="pat@acme.com", create_member_as_pending=True
    ).member
    client.magic_links.email.invite(
        organization_id=acme_id, email_address="ivy@acme.com", roles=["stytch_admin"]
    )
    gone = client.organizations.members.create(
        organization_id=globex_id, email_address="dan@globex.com", name="Dan"
    ).member
    client.organizations.members.delete(organization_id=globex_id, member_id=gone.member_id)
    client.organizations.members.create(organization_id=globex_id, email_address="ada@acme.com")
    session = log_in(mock, acme_id, "ada@acme.com", session_custom_claims={"team": "red"})
    ist = intermediate_session(mock, "ada@acme.com")
    client.magic_links.email.discovery.send(email_address="zoe@example.com")
    unused_link = mock.outbox.latest_token("zoe@example.com")
    mock.advance_clock(seconds=123)
    return {
        "acme_id": acme_id,
        "globex_id": globex_id,
        "ada": ada,
        "pending": pending,
        "gone": gone,
        "session": session,
        "ist": ist,
        "unused_link": unused_link,
    }


def test_state_round_trip_restores_every_object(stytch_mock: StytchMock) -> None:
    build_scenario(stytch_mock)
    saved = state_of(stytch_mock)
    statuses = {m["status"] for m in saved["members"]}
    assert statuses == {"active", "pending", "invited", "deleted"}
    assert saved["sessions"] and saved["intermediate_sessions"] and saved["outbox"]
    assert saved["clock_offset_seconds"] == 123

    stytch_mock.reset()
    assert state_of(stytch_mock)["organizations"] == []
    resp = stytch_mock.request("PUT", "_mock/state", {"state": saved})

    assert resp.status == 200, resp.json
    assert state_of(stytch_mock) == saved
    assert [m["id"] for m in stytch_mock.outbox.messages()] == [m["id"] for m in saved["outbox"]]
    assert stytch_mock.control("GET", "_mock/clock")["offset_seconds"] == 123


def test_restored_state_keeps_working_through_the_sdk(stytch_mock: StytchMock) -> None:
    made = build_scenario(stytch_mock)
    saved = state_of(stytch_mock)
    stytch_mock.reset()
    stytch_mock.control("PUT", "_mock/state", {"state": saved})
    client = stytch_mock.new_client()

    by_token = client.sessions.authenticate(session_token=made["session"].session_token)
    assert by_token.member.member_id == made["ada"].member_id
    assert by_token.member_session.custom_claims == {"team": "red"}
    by_jwt = client.sessions.authenticate(session_jwt=made["session"].session_jwt)
    assert by_jwt.member_session.member_session_id == (
        made["session"].member_session.member_session_id
    )
    discovered = client.magic_links.discovery.authenticate(
        discovery_magic_links_token=made["unused_link"]
    )
    assert discovered.email_address == "zoe@example.com"
    exchanged = client.discovery.intermediate_sessions.exchange(
        intermediate_session_token=made["ist"], organization_id=made["globex_id"]
    )
    assert exchanged.organization.organization_slug == "globex"
    pending = client.organizations.members.get(
        organization_id=made["acme_id"], member_id=made["pending"].member_id
    )
    assert pending.member.status == "pending"
    gone = client.organizations.members.dangerously_get(
        member_id=made["gone"].member_id, include_deleted=True
    )
    assert gone.member.status == "deleted"


def test_putting_the_same_state_back_changes_nothing(stytch_mock: StytchMock) -> None:
    build_scenario(stytch_mock)
    saved = state_of(stytch_mock)

    stytch_mock.control("PUT", "_mock/state", {"state": saved})

    assert state_of(stytch_mock) == saved


def test_put_state_replaces_rather_than_merges(stytch_mock: StytchMock) -> None:
    stytch_mock.client.organizations.create(organization_name="First", organization_slug="first")
    first = state_of(stytch_mock)
    stytch_mock.reset()
    stytch_mock.client.organizations.create(organization_name="Second", organization_slug="second")

    stytch_mock.control("PUT", "_mock/state", {"state": first})

    slugs = [o["organization_slug"] for o in state_of(stytch_mock)["organizations"]]
    assert slugs == ["first"]


# --- bad state documents ---


def _mutate(path: str, value: Any) -> Any:
    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        node: Any = doc
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
        return doc

    return apply


def _duplicate(collection: str, **changes: Any) -> Any:
    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        twin = copy.deepcopy(doc[collection][0])
        twin.update(changes)
        doc[collection].append(twin)
        return doc

    return apply


BAD_STATES = [
    pytest.param(_mutate("version", 2), "version 2 is not supported", id="unknown version"),
    pytest.param(_mutate("version", "one"), "version", id="version not a number"),
    pytest.param(
        _mutate("organizations", {"a": 1}), "organizations", id="organizations not a list"
    ),
    pytest.param(_mutate("members.0", "member"), "members.0", id="member not an object"),
    pytest.param(
        _mutate("members.0.organization_id", "organization-test-nope"),
        "names an unknown organization",
        id="member naming an unknown organization",
    ),
    pytest.param(
        _mutate("sessions.0.member_id", "member-test-nope"),
        "names an unknown member",
        id="session naming an unknown member",
    ),
    pytest.param(
        _duplicate("organizations", organization_id="organization-test-twin"),
        "is used twice",
        id="duplicate slug",
    ),
    pytest.param(
        _duplicate("organizations", organization_slug="twin"),
        "appears twice",
        id="duplicate organization id",
    ),
    pytest.param(
        _mutate("organizations.0.created_at", "yesterday"),
        "organizations.0.created_at",
        id="unparseable timestamp",
    ),
    pytest.param(_mutate("surprise", True), "surprise", id="unknown top-level key"),
    pytest.param(
        _mutate("members.0.email_address", None),
        "members.0.email_address",
        id="member without email",
    ),
    pytest.param(
        _mutate("outbox.0.kind", "weird"),
        "outbox.0.kind",
        id="outbox message of unknown kind",
    ),
    pytest.param(
        _mutate("clock_offset_seconds", -3600),
        "clock_offset_seconds",
        id="negative clock offset",
    ),
    pytest.param(
        _mutate("clock_offset_seconds", 1e12),
        "clock_offset_seconds",
        id="clock offset out of range",
    ),
    pytest.param(
        _mutate("magic_links.0.organization_id", "organization-test-nope"),
        "magic link names an unknown organization",
        id="magic link naming an unknown organization",
    ),
    pytest.param(
        _mutate("members.0.status", "weird"),
        "members.0.status",
        id="member of unknown status",
    ),
    pytest.param(
        _mutate("magic_links.0.member_id", "member-test-nope"),
        "magic link names an unknown member",
        id="magic link naming an unknown member",
    ),
    pytest.param(
        _mutate("members.0.email_address", "not-an-email"),
        "invalid email address",
        id="member with an invalid email",
    ),
    pytest.param(
        _mutate("organizations.0.mfa_policy", "SOMETIMES"),
        "mfa_policy",
        id="organization with an invalid setting",
    ),
    pytest.param(
        _mutate("organizations.0.organization_slug", "!"),
        "organization_slug",
        id="organization with an invalid slug",
    ),
    pytest.param(_mutate("version", "1"), "version", id="version as a string"),
    pytest.param(_duplicate("outbox"), "outbox message id appears twice", id="duplicate outbox id"),
    pytest.param(
        _duplicate(
            "organizations", organization_id="organization-test-twin", organization_slug="twin"
        ),
        "organization_external_id ext-1 is used twice",
        id="duplicate organization external id",
    ),
    pytest.param(
        _duplicate("members", member_id="member-test-twin", email_address="twin@acme.com"),
        "external_id m-ext-1 is used twice",
        id="duplicate member external id",
    ),
]


@pytest.fixture
def scenario_state(stytch_mock: StytchMock) -> dict[str, Any]:
    org, member = org_with_member(stytch_mock, "ada@acme.com", organization_external_id="ext-1")
    stytch_mock.client.organizations.members.update(
        organization_id=org.organization_id, member_id=member.member_id, external_id="m-ext-1"
    )
    log_in(stytch_mock, org.organization_id, "ada@acme.com")
    login_token(stytch_mock, org.organization_id, "ada@acme.com")  # left unused in the outbox
    stytch_mock.advance_clock(seconds=5)
    return state_of(stytch_mock)


@pytest.mark.parametrize(("mutate", "message"), BAD_STATES)
def test_put_state_refuses_a_bad_document(
    stytch_mock: StytchMock, scenario_state: dict[str, Any], mutate: Any, message: str
) -> None:
    bad = mutate(copy.deepcopy(scenario_state))

    resp = stytch_mock.request("PUT", "_mock/state", {"state": bad})

    assert_stytch_error(resp, 400, "bad_request")
    assert resp.json["error_message"].startswith("The state document is invalid: ")
    assert message in resp.json["error_message"]
    assert state_of(stytch_mock) == scenario_state


@pytest.mark.parametrize(
    ("body", "error_type", "message"),
    [
        (b"{not json", "bad_request", "not valid JSON"),
        (b'["state"]', "bad_request", "JSON object"),
        (b'{"stat": {}}', "bad_request", "state is a required field"),
        (b'{"state": [1, 2]}', "invalid_argument", "state"),
        (b'{"state": "everything"}', "invalid_argument", "state"),
    ],
    ids=["not JSON", "array body", "no state key", "state is a list", "state is a string"],
)
def test_put_state_refuses_a_body_of_the_wrong_shape(
    stytch_mock: StytchMock,
    scenario_state: dict[str, Any],
    body: bytes,
    error_type: str,
    message: str,
) -> None:
    resp = stytch_mock.request("PUT", "_mock/state", body=body)

    assert_stytch_error(resp, 400, error_type)
    assert message in resp.json["error_message"]
    assert state_of(stytch_mock) == scenario_state


# --- seed ---


SEED = {
    "organizations": [
        {
            "organization_name": "Acme Co",
            "organization_slug": "acme",
            "organization_id": "organization-test-00000000-0000-4000-8000-00000000acme",
            "email_allowed_domains": ["acme.com"],
            "email_jit_provisioning": "RESTRICTED",
            "members": [
                {
                    "email_address": "ada@acme.com",
                    "member_id": "member-test-00000000-0000-4000-8000-000000000ada",
                    "name": "Ada",
                    "roles": ["stytch_admin"],
                },
                {"email_address": "pat@acme.com", "status": "pending"},
                {"email_address": "ivy@acme.com", "status": "invited"},
            ],
        },
        {"organization_name": "Globex Corporation"},
    ]
}


def test_seed_adds_organizations_and_members(stytch_mock: StytchMock) -> None:
    existing = stytch_mock.client.organizations.create(organization_name="Already Here")

    made = stytch_mock.seed(SEED)

    acme, globex = made["organizations"]
    assert acme["organization_id"] == "organization-test-00000000-0000-4000-8000-00000000acme"
    assert acme["organization_slug"] == "acme"
    assert [m["email_address"] for m in acme["members"]] == [
        "ada@acme.com",
        "pat@acme.com",
        "ivy@acme.com",
    ]
    assert acme["members"][0]["member_id"] == "member-test-00000000-0000-4000-8000-000000000ada"
    assert globex["organization_slug"] == "globex-corporation"
    assert globex["members"] == []

    client = stytch_mock.client
    org = client.organizations.get(organization_id=acme["organization_id"]).organization
    assert org.email_allowed_domains == ["acme.com"]
    assert org.email_jit_provisioning == "RESTRICTED"
    ada = client.organizations.members.get(
        organization_id=acme["organization_id"], email_address="ada@acme.com"
    ).member
    assert (ada.name, ada.status, ada.is_admin) == ("Ada", "active", True)
    statuses = {
        m["email_address"]: client.organizations.members.get(
            organization_id=acme["organization_id"], member_id=m["member_id"]
        ).member.status
        for m in acme["members"]
    }
    assert statuses == {
        "ada@acme.com": "active",
        "pat@acme.com": "pending",
        "ivy@acme.com": "invited",
    }
    assert client.organizations.get(organization_id=existing.organization.organization_id)


def test_seeded_member_can_log_in(stytch_mock: StytchMock) -> None:
    made = stytch_mock.seed(SEED)
    org_id = made["organizations"][0]["organization_id"]

    resp = log_in(stytch_mock, org_id, "ada@acme.com")

    assert resp.member_id == "member-test-00000000-0000-4000-8000-000000000ada"
    assert resp.session_token


BAD_SEEDS = [
    pytest.param(
        _mutate("organizations.1.organization_slug", "acme"),
        "organization_slug",
        id="slug used twice in the seed",
    ),
    pytest.param(
        _mutate("organizations.0.members.1.status", "deleted"), "status", id="member status deleted"
    ),
    pytest.param(
        _mutate("organizations.0.members.2.email_address", "not-an-email"),
        "email",
        id="invalid member email",
    ),
    pytest.param(
        _mutate("organizations.0.members.0.member_id", "ada"), "member-", id="member id not member-"
    ),
    pytest.param(
        _mutate("organizations.0.organization_id", "acme"),
        "organization-",
        id="organization id not organization-",
    ),
    pytest.param(
        _mutate("organizations.0.organization_name", 42),
        "organization_name",
        id="organization name not a string",
    ),
    pytest.param(
        _mutate("organizations.1.organization_name", ""),
        "organization_name",
        id="empty organization name",
    ),
    pytest.param(_mutate("organizations.0.members.0.age", 36), "age", id="unknown member field"),
    pytest.param(
        _mutate("organizations.0.mfa_policy", "SOMETIMES"), "mfa_policy", id="invalid setting value"
    ),
    pytest.param(
        _mutate("organizations", {"acme": {}}), "organizations", id="organizations not a list"
    ),
    pytest.param(
        _mutate("organizations.0.members.1", {"status": "active"}),
        "email_address",
        id="member without email",
    ),
    pytest.param(_mutate("organizations.0.bogus", 1), "bogus", id="unknown organization field"),
    pytest.param(
        _mutate("organizations.1.organization_logo_url", 5),
        "organization_logo_url",
        id="wrongly typed setting",
    ),
]


@pytest.mark.parametrize(("mutate", "named"), BAD_SEEDS)
def test_seed_refuses_a_bad_document(stytch_mock: StytchMock, mutate: Any, named: str) -> None:
    """Refused with a 400 that names the problem, and nothing of the seed is kept (not even the
    organizations before the bad entry)."""
    stytch_mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Before",
                    "members": [{"email_address": "someone@before.com"}],
                }
            ]
        }
    )
    before = state_of(stytch_mock)
    bad = mutate(copy.deepcopy(SEED))

    resp = stytch_mock.request("POST", "_mock/seed", bad)

    assert_stytch_error(resp, 400)
    assert named in f"{resp.json['error_type']} {resp.json['error_message']}", resp.json
    assert state_of(stytch_mock) == before


def test_seed_refuses_an_organization_id_already_taken(stytch_mock: StytchMock) -> None:
    stytch_mock.seed(SEED)
    before = state_of(stytch_mock)
    again = {
        "organizations": [dict(SEED["organizations"][0], organization_slug="acme-2", members=[])]
    }

    resp = stytch_mock.request("POST", "_mock/seed", again)

    assert_stytch_error(resp, 400, "invalid_argument")
    assert "organization-test-00000000-0000-4000-8000-00000000acme" in resp.json["error_message"]
    assert state_of(stytch_mock) == before


@pytest.mark.parametrize(
    "body", [b"{", b"[]", b'"acme"', b"7"], ids=["bad JSON", "array", "string", "number"]
)
def test_seed_refuses_a_body_that_is_not_an_object(stytch_mock: StytchMock, body: bytes) -> None:
    before = state_of(stytch_mock)

    resp = stytch_mock.request("POST", "_mock/seed", body=body)

    assert_stytch_error(resp, 400, "bad_request")
    assert state_of(stytch_mock) == before


# --- --seed FILE ------------------------------------------------------------------------------


def _registry_from(args: list[str]) -> Any:
    settings = settings_from_args(build_parser().parse_args(args))
    return settings, build_registry(settings)


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_seed_file_is_loaded_at_start(clean_env: Path, suffix: str) -> None:
    import yaml

    path = clean_env / f"seed{suffix}"
    text = json.dumps(SEED) if suffix == ".json" else yaml.safe_dump(SEED)
    path.write_text(text, encoding="utf-8")

    settings, registry = _registry_from(["--seed", str(path), "--port", "0"])

    project = registry.find_project(settings.primary.project_id)
    slugs = sorted(o.organization_slug for o in project.organizations)
    assert slugs == ["acme", "globex-corporation"]
    ada = project.members.find("member-test-00000000-0000-4000-8000-000000000ada")
    assert (ada.email_address, ada.status) == ("ada@acme.com", "active")
    assert sorted(m.status for m in project.members) == ["active", "invited", "pending"]


def test_seed_file_may_hold_a_list_of_documents(clean_env: Path) -> None:
    path = clean_env / "seeds.yaml"
    path.write_text(
        "- organizations:\n    - organization_name: One\n"
        "- organizations:\n    - organization_name: Two\n      members:\n"
        "        - email_address: two@two.com\n",
        encoding="utf-8",
    )

    settings, registry = _registry_from(
        ["--seed", str(path), "--project-id", "project-test-seedlist", "--secret", "s"]
    )

    project = registry.find_project("project-test-seedlist")
    assert sorted(o.organization_name for o in project.organizations) == ["One", "Two"]
    assert [m.email_address for m in project.members] == ["two@two.com"]


def test_seed_lands_in_the_first_project_of_a_config(clean_env: Path) -> None:
    config = clean_env / "mock.json"
    config.write_text(
        json.dumps(
            {
                "projects": [
                    {"project_id": "project-test-first", "secret": "one"},
                    {"project_id": "project-test-second", "secret": "two"},
                ]
            }
        ),
        encoding="utf-8",
    )
    seed = clean_env / "seed.json"
    seed.write_text(json.dumps(SEED), encoding="utf-8")

    _, registry = _registry_from(["--config", str(config), "--seed", str(seed)])

    assert len(registry.find_project("project-test-first").organizations) == 2
    assert len(registry.find_project("project-test-second").organizations) == 0


def test_bad_seed_file_is_a_clear_error(clean_env: Path) -> None:
    from mockserver.settings import ConfigError

    broken = clean_env / "seed.json"
    broken.write_text("{organizations: oops", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"seed\.json is not valid JSON: line 1"):
        _registry_from(["--seed", str(broken)])
    with pytest.raises(ConfigError, match="cannot read"):
        _registry_from(["--seed", str(clean_env / "missing.yaml")])


def test_the_readme_names_every_store_of_the_state_document(stytch_mock: StytchMock) -> None:
    """The README's row for /_mock/state lists the document's stores: every one, in order (the
    document also has its ``version`` and the clock's offset)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `GET /_mock/state`"))
    listed = row.split("one key per store (", 1)[1].split(")", 1)[0]
    names = [name.strip(" `") for name in listed.split(",")]
    assert names == [store.name for store in STORES]
    assert sorted(state_of(stytch_mock)) == sorted([*names, "clock_offset_seconds", "version"])
