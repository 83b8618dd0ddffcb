"""docker-compose.yml and the Dockerfile agree with the code they run.

No Docker engine runs here, so these checks read the files: the mock's command line is one
the CLI accepts, the ports line up, the app's environment names are the ones it reads and
point at the mock service, the health check asks for a route the mock serves without
credentials, and everything the Dockerfile copies exists.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from aiohttp.test_utils import make_mocked_request
from aiohttp.web_urldispatcher import MatchInfoError

from mockserver.app import create_app as create_mock_app
from mockserver.cli import build_parser, settings_from_args
from mockserver.domain.registry import Registry
from mockserver.pytest_plugin import StytchMock
from reference_app.config import ENV_NAMES, Config

ROOT = Path(__file__).resolve().parents[1]
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(value: Any) -> str:
    """Compose's ``${NAME:-default}`` with nothing set in the environment: the default."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    assert set(compose["services"]) == {"mock", "app"}
    return compose["services"]


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: interpolate(value) for name, value in env.items()}


def published(service: dict[str, Any]) -> dict[int, int]:
    """``{container_port: host_port}``."""
    ports = {}
    for entry in service["ports"]:
        parts = str(entry).split(":")  # [ip:]host:container
        ports[int(parts[-1])] = int(parts[-2])
    return ports


def command_of(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def mock_args(services: dict[str, Any]) -> Any:
    command = command_of(services["mock"])
    assert command[0] == "stytch-mock"
    try:
        return build_parser().parse_args(command[1:])
    except SystemExit:
        pytest.fail(f"stytch-mock refuses the compose file's command line: {command}")


def test_mock_command_is_one_the_cli_accepts(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["stytch-mock"] == "mockserver.cli:main"
    args = mock_args(services)
    assert args.host == "0.0.0.0"  # reachable from the app's container and the host
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name, value in env_of(services["mock"]).items():
        monkeypatch.setenv(name, value)
    settings = settings_from_args(args)
    assert settings.credentials_source == "environment"
    assert settings.primary.project_id == env_of(services["mock"])["STYTCH_PROJECT_ID"]


def test_ports_match_the_commands(services: dict[str, Any]) -> None:
    args = mock_args(services)
    assert published(services["mock"]) == {args.port: 8080}
    app_port = int(env_of(services["app"])["PORT"])
    assert published(services["app"]) == {app_port: 3000}


def test_mock_accepts_the_apps_redirect_url(services: dict[str, Any]) -> None:
    host_port = published(services["app"])[int(env_of(services["app"])["PORT"])]
    assert f"http://localhost:{host_port}/authenticate" in mock_args(services).redirect_urls


def test_app_environment_is_what_the_app_reads(services: dict[str, Any]) -> None:
    app, mock = services["app"], services["mock"]
    assert command_of(app) == ["python", "-m", "reference_app"]
    assert importlib.util.find_spec("reference_app.__main__") is not None
    env = env_of(app)
    assert set(env) <= set(ENV_NAMES), set(env) - set(ENV_NAMES)
    config = Config.from_env(env, env_file=ROOT / "no-such.env")
    assert config.host == "0.0.0.0" and not config.ephemeral_app_secret
    # the app talks to the mock service, on the mock's port, with the mock's credentials
    api = urlsplit(config.api_url or "")
    assert (api.scheme, api.hostname, api.port) == ("http", "mock", mock_args(services).port)
    assert config.talks_to_mock
    mock_env = env_of(mock)
    assert (config.project_id, config.secret) == (
        mock_env["STYTCH_PROJECT_ID"],
        mock_env["STYTCH_SECRET"],
    )
    assert app["depends_on"]["mock"]["condition"] == "service_healthy"


def healthcheck_url(services: dict[str, Any]) -> str:
    test = services["mock"]["healthcheck"]["test"]
    found = re.search(r"https?://[^'\"\s]+", " ".join(test))
    assert found, test
    return found.group(0)


async def test_healthcheck_asks_the_mock_for_a_route_it_serves(
    services: dict[str, Any], stytch_mock: StytchMock
) -> None:
    url = urlsplit(healthcheck_url(services))
    assert (url.hostname, url.port) == ("127.0.0.1", mock_args(services).port)
    router = create_mock_app(Registry([])).router
    resolved = await router.resolve(make_mocked_request("GET", url.path))
    assert not isinstance(resolved, MatchInfoError), f"{url.path} is not a route of the mock"
    # and it answers without credentials (a health check has none)
    resp = stytch_mock.request("GET", url.path, auth=False)
    assert resp.status == 200, resp.json


def test_everything_the_dockerfile_copies_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copies = re.findall(r"^COPY\s+(.+)$", dockerfile, re.M)
    assert copies
    for line in copies:
        *sources, _dest = line.split()
        for source in sources:
            assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
    exposed = re.findall(r"^EXPOSE\s+(.+)$", dockerfile, re.M)
    assert {int(port) for line in exposed for port in line.split()} == {8080, 3000}


def test_the_mock_keeps_its_state_file_on_a_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    args = mock_args(services)
    assert args.state_file is not None
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in services["mock"]["volumes"]}
    folder = str(args.state_file.parent)
    assert folder in mounts and mounts[folder] in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"mkdir {folder} && chown stytch {folder}" in dockerfile
