"""``stytch-mock`` / ``python -m mockserver``: flags, where credentials come from, config files,
and a real start and stop of the process."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mockserver.cli import build_parser, build_registry, main, settings_from_args
from mockserver.pytest_plugin import StytchMock
from mockserver.settings import DEFAULT_PROJECT_ID, DEFAULT_SECRET, ConfigError, Settings
from tests.support import discovery_token, http

FLAGS = [
    "--host",
    "--port",
    "--project-id",
    "--secret",
    "--redirect-url",
    "--config",
    "--open-projects",
    "--seed",
    "--jwt-signer",
]


def settings(*argv: str) -> Settings:
    return settings_from_args(build_parser().parse_args(list(argv)))


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STYTCH_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m mockserver ARGS`` to completion in a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=subprocess_env(),
    )


# --- help ---


@pytest.mark.slow  # a real process
def test_help_documents_every_flag_and_the_defaults(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "--help")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("usage: stytch-mock")
    for flag in FLAGS:
        assert re.search(rf"^\s+{re.escape(flag)}\b", out, re.M), f"{flag} is not documented"
    for needle in (
        "STYTCH_PROJECT_ID",
        "STYTCH_SECRET",
        ".env",
        DEFAULT_PROJECT_ID,
        DEFAULT_SECRET,
        "8080",
        "/_mock/outbox",
    ):
        assert needle in out, needle


# --- where credentials come from ---


def test_documented_defaults_without_flags_env_or_dotenv(clean_env: Path) -> None:
    s = settings()

    assert (s.primary.project_id, s.primary.secret) == (DEFAULT_PROJECT_ID, DEFAULT_SECRET)
    assert s.credentials_source == "defaults"
    assert (s.host, s.port, s.open_projects) == ("127.0.0.1", 8080, False)
    assert s.primary.redirect_urls == ["http://localhost:3000/authenticate"]


def test_dotenv_in_the_working_directory_beats_the_defaults(clean_env: Path) -> None:
    (clean_env / ".env").write_text(
        "# app settings\nSTYTCH_PROJECT_ID=project-test-from-dotenv\n"
        'STYTCH_SECRET="secret-test-from-dotenv"\nOTHER=1\n',
        encoding="utf-8",
    )

    s = settings()

    assert (s.primary.project_id, s.primary.secret) == (
        "project-test-from-dotenv",
        "secret-test-from-dotenv",
    )
    assert s.credentials_source.endswith(".env")


def test_environment_beats_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "STYTCH_PROJECT_ID=project-test-from-dotenv\nSTYTCH_SECRET=from-dotenv\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-test-from-env")
    monkeypatch.setenv("STYTCH_SECRET", "secret-from-env")

    s = settings()

    assert (s.primary.project_id, s.primary.secret) == ("project-test-from-env", "secret-from-env")
    assert s.credentials_source == "environment"


def test_flags_beat_environment_and_dotenv(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text(
        "STYTCH_PROJECT_ID=project-test-from-dotenv\nSTYTCH_SECRET=from-dotenv\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-test-from-env")
    monkeypatch.setenv("STYTCH_SECRET", "secret-from-env")

    s = settings("--project-id", "project-test-from-flag", "--secret", "secret-from-flag")

    assert (s.primary.project_id, s.primary.secret) == (
        "project-test-from-flag",
        "secret-from-flag",
    )
    assert s.credentials_source == "command line"


def test_a_single_flag_overrides_only_its_own_value(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-test-from-env")
    monkeypatch.setenv("STYTCH_SECRET", "secret-from-env")

    s = settings("--secret", "secret-from-flag")

    assert (s.primary.project_id, s.primary.secret) == ("project-test-from-env", "secret-from-flag")


def test_dotenv_elsewhere_is_not_read(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = clean_env / "elsewhere"
    sub.mkdir()
    (sub / ".env").write_text(
        "STYTCH_PROJECT_ID=project-test-elsewhere\nSTYTCH_SECRET=x\n", encoding="utf-8"
    )

    assert settings().primary.project_id == DEFAULT_PROJECT_ID
    monkeypatch.chdir(sub)
    assert settings().primary.project_id == "project-test-elsewhere"


def test_flags_set_host_port_redirect_urls_and_open_projects(clean_env: Path) -> None:
    s = settings(
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--open-projects",
        "--redirect-url",
        "http://localhost:5173/cb",
        "--redirect-url",
        "http://localhost:*/*",
    )

    assert (s.host, s.port, s.open_projects) == ("0.0.0.0", 0, True)
    assert s.primary.redirect_urls == ["http://localhost:5173/cb", "http://localhost:*/*"]
    registry = build_registry(s)
    assert registry.open_projects is True
    assert list(registry.projects) == [DEFAULT_PROJECT_ID]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--project-id", "my-project"], "must start with project-test- or project-live-"),
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--port", "-1"], "--port must be between 0 and 65535"),
    ],
)
def test_bad_flags_are_a_clear_error(clean_env: Path, argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings(*argv)


# --- config files ---

CONFIG = {
    "projects": [
        {
            "project_id": "project-test-11111111-aaaa-4aaa-8aaa-000000000001",
            "secret": "secret-one",
            "redirect_urls": ["http://localhost:3000/authenticate", "http://localhost:*/*"],
        },
        {"project_id": "project-live-22222222-bbbb-4bbb-8bbb-000000000002", "secret": "two"},
    ],
    "open_projects": True,
}


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_config_file_with_several_projects(clean_env: Path, suffix: str) -> None:
    import yaml

    path = clean_env / f"mock{suffix}"
    path.write_text(
        json.dumps(CONFIG) if suffix == ".json" else yaml.safe_dump(CONFIG), encoding="utf-8"
    )

    s = settings("--config", str(path))

    assert [(p.project_id, p.secret) for p in s.projects] == [
        ("project-test-11111111-aaaa-4aaa-8aaa-000000000001", "secret-one"),
        ("project-live-22222222-bbbb-4bbb-8bbb-000000000002", "two"),
    ]
    assert s.projects[0].redirect_urls == CONFIG["projects"][0]["redirect_urls"]
    assert s.projects[1].redirect_urls == ["http://localhost:3000/authenticate"]
    assert s.open_projects is True
    assert s.credentials_source == str(path)
    registry = build_registry(s)
    assert set(registry.projects) == {p["project_id"] for p in CONFIG["projects"]}
    assert registry.find_project(CONFIG["projects"][1]["project_id"]).env == "live"


def test_config_and_credential_flags_do_not_mix(clean_env: Path) -> None:
    path = clean_env / "mock.json"
    path.write_text(json.dumps(CONFIG), encoding="utf-8")

    with pytest.raises(ConfigError, match="either --config or --project-id/--secret"):
        settings("--config", str(path), "--project-id", "project-test-x")


BAD_CONFIGS = [
    pytest.param(
        "mock.yaml",
        "projects: [\n",
        "is not valid YAML: line 2, column 1: ",
        id="broken YAML",
    ),
    pytest.param(
        "mock.json", '{"projects": [}', "is not valid JSON: line 1, column 15: ", id="broken JSON"
    ),
    pytest.param("mock.json", "{}", "projects", id="no projects"),
    pytest.param("mock.json", '{"projects": []}', "projects", id="empty projects"),
    pytest.param(
        "mock.json",
        '{"projects": [{"project_id": "nope", "secret": "s"}]}',
        "projects.0.project_id",
        id="bad project id",
    ),
    pytest.param(
        "mock.json",
        '{"projects": [{"project_id": "project-test-x"}]}',
        "projects.0.secret",
        id="no secret",
    ),
    pytest.param(
        "mock.json",
        json.dumps({"projects": [CONFIG["projects"][0]] * 2}),
        "a project_id appears twice",
        id="duplicate project",
    ),
    pytest.param(
        "mock.json",
        '{"projects": [{"project_id": "project-test-x", "secret": "s"}], "colour": "red"}',
        "colour",
        id="unknown key",
    ),
    pytest.param("mock.yaml", "- just\n- a list\n", "", id="a list"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_CONFIGS)
def test_bad_config_file_is_one_line_and_exit_code_2(
    clean_env: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    path = clean_env / name
    path.write_text(text, encoding="utf-8")

    with pytest.raises(SystemExit) as exc:
        main(["--config", str(path), "--port", "0"])

    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("stytch-mock: error: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and message in err


def test_missing_config_file_is_one_line_and_exit_code_2(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(clean_env / "absent.yaml")])

    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == f"stytch-mock: error: cannot read {clean_env / 'absent.yaml'}: " + (
        "No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("flag", "name", "text", "named"),
    [
        pytest.param(
            "--config",
            "mock.yaml",
            "projects:\n  - project_id: nope\n    secret: s\n",
            "projects.0.project_id",
            id="bad config file",
        ),
        pytest.param(
            "--seed",
            "seed.yaml",
            "organizations:\n  - organization_slug: no-name\n",
            "organizations.0.organization_name",
            id="invalid seed file",
        ),
    ],
)
@pytest.mark.slow  # a real process
def test_bad_file_from_a_real_process_is_a_one_line_error(
    tmp_path: Path, flag: str, name: str, text: str, named: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    done = run_cli(tmp_path, flag, str(path), "--port", "0")

    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"stytch-mock: error: {path}: {named}")


def test_a_port_in_use_is_a_clear_error(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        code = main(["--port", str(port)])

    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"stytch-mock: error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in err


# --- a real process ---


def read_banner(proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    """stdout up to the banner's last line, without blocking past the timeout."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    out = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while b"Ctrl-C stops it." not in out:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
    return out.decode()


@contextmanager
def running_mock(tmp_path: Path, *extra_args: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``python -m mockserver`` on a free port with a seed file (one organization, "seeded",
    with ada@seeded.com) and ``extra_args``; yields (process, banner), and kills it after."""
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "organizations:\n  - organization_name: Seeded Co\n    organization_slug: seeded\n"
        "    members:\n      - email_address: ada@seeded.com\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", "0", "--seed", str(seed), *extra_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    try:
        yield proc, read_banner(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The mock started with its defaults; (process, banner)."""
    with running_mock(tmp_path) as running:
        yield running


def _check_running_server(banner: str) -> str:
    match = re.search(r"listening on (http://127\.0\.0\.1:(\d+)/)", banner)
    assert match, banner
    url, port = match.group(1), int(match.group(2))
    assert port != 0
    assert f"project_id  {DEFAULT_PROJECT_ID}" in banner
    assert f"secret      {DEFAULT_SECRET}" in banner
    assert "(credentials from defaults)" in banner
    assert (
        f'B2BClient(project_id="{DEFAULT_PROJECT_ID}", secret="{DEFAULT_SECRET}", '
        f'environment="{url}")' in banner
    )
    assert f'env: "{url}"' in banner
    health = http(url + "_mock/health")
    assert health.status == 200 and health.json["status"] == "ok"
    client = StytchMock(url, DEFAULT_PROJECT_ID, DEFAULT_SECRET).client
    orgs = client.organizations.search().organizations
    assert [o.organization_slug for o in orgs] == ["seeded"]
    return url


def children(pid: int) -> list[str]:
    """Command lines of the live child processes of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(cmdline)
    return found


def _check_session_jwt_verifies_locally(url: str) -> None:
    """A discovery login on the running server; its session JWT verifies offline."""
    mock = StytchMock(url, DEFAULT_PROJECT_ID, DEFAULT_SECRET)
    client = mock.client
    token = discovery_token(mock, "ada@seeded.com")
    found = client.magic_links.discovery.authenticate(discovery_magic_links_token=token)
    org = found.discovered_organizations[0].organization
    session = client.discovery.intermediate_sessions.exchange(
        intermediate_session_token=found.intermediate_session_token,
        organization_id=org.organization_id,
    )
    local = client.sessions.authenticate_jwt_local(session_jwt=session.session_jwt)
    assert local is not None
    assert local.member_session_id == session.member_session.member_session_id


@pytest.mark.slow  # a real process
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_real_process_serves_and_stops_cleanly(started, sig: signal.Signals) -> None:
    proc, banner = started
    url = _check_running_server(banner)
    # Session JWTs are signed by one helper process (mockserver.signer), and verify.
    assert children(proc.pid) == [f"{sys.executable} -m mockserver.signer"]
    _check_session_jwt_verifies_locally(url)

    proc.send_signal(sig)
    code = proc.wait(timeout=30)

    assert code == 0
    rest = proc.stdout.read().decode()
    assert "shutting down" in rest
    err = proc.stderr.read().decode()
    assert "Traceback" not in err, err
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/"))), 1).close()
    assert children(proc.pid) == []


@pytest.mark.slow  # a real process
def test_jwt_signer_inline_signs_on_the_server_itself(tmp_path: Path) -> None:
    with running_mock(tmp_path, "--jwt-signer", "inline") as (proc, banner):
        url = _check_running_server(banner)
        assert children(proc.pid) == []
        _check_session_jwt_verifies_locally(url)


@pytest.mark.parametrize("variable", ["STYTCH_PROJECT_ID", "STYTCH_SECRET"])
def test_half_the_credentials_in_the_environment_is_a_clear_error(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "project-test-half" if variable == "STYTCH_PROJECT_ID" else "x")

    with pytest.raises(ConfigError, match=f"{variable} is set \\(from environment\\) but"):
        settings()
