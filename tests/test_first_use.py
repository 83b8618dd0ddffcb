"""Rough edges a new user met, each with the behaviour a user expects (issue: "the mock you can
see and steer"): redirect URLs for open projects and checked flags, where credentials come
from, seed files and their errors, YAML seeds over HTTP, the banner of a server bound to every
interface, and no "Unclosed client session" after async tests through the fixture."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mockserver.cli import banner, build_parser, build_registry, settings_from_args
from mockserver.domain.project import DEFAULT_REDIRECT_URL
from mockserver.errors import StytchError
from mockserver.pytest_plugin import StytchMock
from mockserver.settings import ConfigError, Settings, credentials_from_environment, load_seed_file
from tests.support import assert_stytch_error


def settings(*argv: str) -> Settings:
    return settings_from_args(build_parser().parse_args(list(argv)))


def test_open_projects_accept_the_redirect_urls_given(clean_env: Path) -> None:
    made = settings("--open-projects", "--redirect-url", "http://localhost:5173/callback")
    registry = build_registry(made)
    project = registry.authenticate("project-test-open-1", "any-secret")
    assert project.config.redirect_urls == ["http://localhost:5173/callback"]
    assert project.resolve_redirect_url(None) == "http://localhost:5173/callback"
    default = build_registry(settings("--open-projects"))
    assert default.authenticate("project-test-open-2", "s").config.redirect_urls == [
        DEFAULT_REDIRECT_URL
    ]


@pytest.mark.parametrize("url", ["notaurl", "localhost:3000/authenticate", "ftp://x/y", "http://"])
def test_a_redirect_url_that_is_not_a_url_is_refused(clean_env: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="must be absolute"):
        settings("--redirect-url", url)
    with pytest.raises(ConfigError, match="must be absolute"):
        settings("--open-projects", "--config", str(_config(clean_env)), "--redirect-url", url)


def _config(directory: Path, redirect: str = "http://localhost:3000/authenticate") -> Path:
    path = directory / "mock.yaml"
    path.write_text(
        "projects:\n  - project_id: project-test-c0nf1g\n    secret: s\n"
        f"    redirect_urls: [{redirect}]\n",
        encoding="utf-8",
    )
    return path


def test_config_with_redirect_url_is_refused_unless_it_is_for_open_projects(
    clean_env: Path,
) -> None:
    config = _config(clean_env)
    with pytest.raises(ConfigError, match="applies only to the projects --open-projects makes"):
        settings("--config", str(config), "--redirect-url", "http://localhost:4000/cb")
    made = settings(
        "--config", str(config), "--open-projects", "--redirect-url", "http://localhost:4000/cb"
    )
    assert made.primary.redirect_urls == ["http://localhost:3000/authenticate"]  # the file's
    assert made.open_project_redirect_urls == ["http://localhost:4000/cb"]
    with pytest.raises(ConfigError, match="must be absolute"):
        settings("--config", str(_config(clean_env, redirect="nope")))


def test_credentials_split_between_environment_and_dotenv_say_so(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text("STYTCH_SECRET=secret-from-file\n", encoding="utf-8")
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-test-from-env")
    project_id, secret, source = credentials_from_environment()
    assert (project_id, secret) == ("project-test-from-env", "secret-from-file")
    assert source == f"environment and {clean_env / '.env'}"
    monkeypatch.setenv("STYTCH_SECRET", "secret-from-env")
    assert credentials_from_environment()[2] == "environment"


def test_a_seed_file_that_is_a_list_of_organizations_gets_a_helpful_error(
    clean_env: Path,
) -> None:
    path = clean_env / "seed.yaml"
    path.write_text("- organization_name: Acme\n  organization_slug: acme\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="put it under `organizations:`"):
        load_seed_file(path)


def test_a_refused_seed_entry_is_named(clean_env: Path) -> None:
    path = clean_env / "seed.yaml"
    path.write_text(
        "organizations:\n  - organization_name: Acme\n    organization_slug: acme\n"
        "    members:\n      - email_address: ok@acme.co\n      - email_address: not-an-email\n",
        encoding="utf-8",
    )
    with pytest.raises(StytchError) as refused:
        build_registry(settings("--seed", str(path)))
    assert refused.value.error_type == "invalid_email"
    assert refused.value.error_message.startswith("organization 'Acme', member 'not-an-email': ")


def test_the_seed_endpoint_takes_yaml_too(stytch_mock: StytchMock) -> None:
    document = textwrap.dedent(
        """\
        organizations:
          - organization_name: Yaml Co
            organization_slug: yaml-co
            members:
              - email_address: ada@yaml.co
        """
    )
    made = stytch_mock.request(
        "POST",
        "_mock/seed",
        body=document.encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert made.status == 200, made.json
    assert made.json["organizations"][0]["organization_slug"] == "yaml-co"
    broken = stytch_mock.request(
        "POST", "_mock/seed", body=b"organizations: [", headers={"Content-Type": "text/yaml"}
    )
    assert_stytch_error(broken, 400, "bad_request")
    wrong = stytch_mock.request(
        "POST", "_mock/seed", body=b"organizations: 5", headers={"Content-Type": "text/yaml"}
    )
    assert_stytch_error(wrong, 400)


def test_a_server_on_every_interface_shows_an_address_clients_can_use(clean_env: Path) -> None:
    text = banner(settings("--host", "0.0.0.0", "--port", "8080"), "http://0.0.0.0:8080/")
    first = text.splitlines()[0]
    assert "listening on all interfaces, http://127.0.0.1:8080/ from this machine" in first
    assert "0.0.0.0" not in text


ASYNC_TEST = """
import asyncio


async def test_async_client(stytch_mock):
    found = await stytch_mock.client.organizations.search_async()
    assert found.status_code == 200


def test_asyncio_run(stytch_mock):
    async def go():
        return await stytch_mock.client.organizations.search_async()

    assert asyncio.run(go()).status_code == 200
"""


@pytest.mark.slow  # a pytest process
def test_async_tests_through_the_fixture_leave_no_unclosed_session(tmp_path: Path) -> None:
    (tmp_path / "test_async.py").write_text(ASYNC_TEST, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"]
        + ["-o", "asyncio_mode=auto", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert "Unclosed client session" not in run.stdout + run.stderr


def test_an_unknown_role_is_refused_and_a_custom_one_is_not(stytch_mock: StytchMock) -> None:
    client = stytch_mock.client
    org = client.organizations.create(organization_name="Roles", organization_slug="roles")
    org_id = org.organization.organization_id
    refused = stytch_mock.request(
        "POST",
        f"v1/b2b/organizations/{org_id}/members",
        {"email_address": "ada@roles.example", "roles": ["admni"]},
    )
    assert_stytch_error(refused, 400, "invalid_role")
    assert client.organizations.members.search(organization_ids=[org_id]).members == []
    client.rbac.organizations.set_org_policy(
        organization_id=org_id,
        org_policy={
            "roles": [
                {
                    "role_id": "reviewer",
                    "description": "Reads",
                    "permissions": [{"resource_id": "stytch.member", "actions": ["search"]}],
                }
            ]
        },
    )
    made = client.organizations.members.create(
        organization_id=org_id, email_address="ada@roles.example", roles=["reviewer"]
    )
    assert "reviewer" in [r.role_id for r in made.member.roles]
    update = stytch_mock.request(
        "PUT",
        f"v1/b2b/organizations/{org_id}/members/{made.member.member_id}",
        {"roles": ["stytch_admin", "nope"]},
    )
    assert_stytch_error(update, 400, "invalid_role")


def test_the_fixture_project_takes_any_local_redirect_url_and_more_on_request(
    stytch_mock: StytchMock,
) -> None:
    client = stytch_mock.client
    for url in (
        "http://localhost:5173/api/auth/callback?next=%2Fhome",
        "http://localhost/authenticate",
        "http://127.0.0.1:8000/a/b/c",
    ):
        client.magic_links.email.discovery.send(
            email_address="ada@example.com", discovery_redirect_url=url
        )
        assert stytch_mock.outbox.latest_link("ada@example.com").startswith(url)
    refused = stytch_mock.request(
        "POST",
        "v1/b2b/magic_links/email/discovery/send",
        {"email_address": "ada@example.com", "discovery_redirect_url": "https://app.example/cb"},
    )
    assert_stytch_error(refused, 400, "no_match_for_provided_magic_link_url")
    assert stytch_mock.set_redirect_urls(["https://app.example/**"]) == ["https://app.example/**"]
    client.magic_links.email.discovery.send(
        email_address="ada@example.com", discovery_redirect_url="https://app.example/cb"
    )
    bad = stytch_mock.request("PUT", "_mock/project/redirect_urls", {"redirect_urls": ["nope"]})
    assert_stytch_error(bad, 400)
