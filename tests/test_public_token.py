"""Public tokens: every project has one (for the frontend SDKs), GET /_mock/project shows it
with the project's other settings, and the registry finds a project by it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockserver.cli import banner, build_parser, build_registry, settings_from_args
from mockserver.domain.project import ProjectConfig, default_public_token
from mockserver.domain.registry import Registry
from mockserver.pytest_plugin import (
    FIXTURE_PROJECT_ID,
    FIXTURE_REDIRECT_URLS,
    FIXTURE_SECRET,
    StytchMock,
)
from mockserver.server import MockServer
from mockserver.settings import ConfigError
from tests.support import assert_stytch_error


def test_get_project_gives_the_settings_and_never_the_secret(stytch_mock: StytchMock) -> None:
    body = stytch_mock.control("GET", "_mock/project")

    assert body["project_id"] == FIXTURE_PROJECT_ID
    assert body["public_token"] == default_public_token(FIXTURE_PROJECT_ID)
    assert re.fullmatch(r"public-token-test-[0-9a-f-]{36}", body["public_token"])
    assert body["redirect_urls"] == FIXTURE_REDIRECT_URLS
    assert body["env"] == "test"
    assert FIXTURE_SECRET not in json.dumps(body)
    assert stytch_mock.public_token == body["public_token"]


def test_get_project_needs_the_projects_credentials(stytch_mock: StytchMock) -> None:
    resp = stytch_mock.request("GET", "_mock/project", auth=False)

    assert_stytch_error(resp, 401, "unauthorized_credentials")


def test_a_configured_projects_token_is_the_same_on_every_start() -> None:
    one = Registry(
        [ProjectConfig("project-test-one", "s1"), ProjectConfig("project-test-two", "s2")]
    )
    again = Registry([ProjectConfig("project-test-one", "s1")])

    token = one.projects["project-test-one"].public_token
    assert token == again.projects["project-test-one"].public_token
    assert token != one.projects["project-test-two"].public_token
    assert one.find_project_by_public_token(token) is one.projects["project-test-one"]
    assert one.find_project_by_public_token("public-token-test-nobody") is None


def test_open_projects_get_a_token_of_their_own(open_server: MockServer) -> None:
    tokens = []
    for n in (1, 2):
        mock = StytchMock(open_server.url, f"project-test-public-token-{n}", "any-secret")
        tokens.append(mock.public_token)
        project = open_server.registry.find_project_by_public_token(mock.public_token)
        assert project is not None and project.project_id == mock.project_id
    assert tokens[0] != tokens[1]
    assert all(re.fullmatch(r"public-token-test-[0-9a-f-]{36}", t) for t in tokens)


def test_config_file_sets_the_public_token_and_the_banner_prints_it(clean_env: Path) -> None:
    token = "public-token-test-0b0a6b8e-6f0e-4a59-9a8b-6c2d2f3e4d5c"
    config = clean_env / "mock.json"
    config.write_text(
        json.dumps(
            {
                "projects": [
                    {"project_id": "project-test-first", "secret": "one", "public_token": token},
                    {"project_id": "project-test-second", "secret": "two"},
                ]
            }
        ),
        encoding="utf-8",
    )
    settings = settings_from_args(build_parser().parse_args(["--config", str(config)]))
    registry = build_registry(settings)

    assert registry.find_project_by_public_token(token) is registry.find_project(
        "project-test-first"
    )
    second = registry.find_project("project-test-second")
    assert second is not None
    assert second.public_token == default_public_token("project-test-second")
    assert f"public      {token}" in banner(settings, "http://127.0.0.1:8080/")


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (["pk-nope", None], "public_token"),
        (["public-token-test-0b0a6b8e-6f0e-4a59-9a8b-6c2d2f3e4d5c"] * 2, "appears twice"),
    ],
    ids=["not like Stytch's", "twice"],
)
def test_a_bad_public_token_in_the_config_file_is_a_clear_error(
    clean_env: Path, tokens: list[str | None], message: str
) -> None:
    projects = []
    for n, token in enumerate(tokens):
        entry = {"project_id": f"project-test-{n}", "secret": "s"}
        if token is not None:
            entry["public_token"] = token
        projects.append(entry)
    config = clean_env / "mock.json"
    config.write_text(json.dumps({"projects": projects}), encoding="utf-8")

    with pytest.raises(ConfigError, match=message):
        settings_from_args(build_parser().parse_args(["--config", str(config)]))
