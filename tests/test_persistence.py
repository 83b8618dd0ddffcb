"""``--state-file``: projects survive a restart, writes are atomic, a bad file is refused and
left alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mockserver import persistence
from mockserver.cli import build_registry
from mockserver.domain.project import ProjectConfig
from mockserver.domain.registry import Registry
from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from mockserver.settings import DEFAULT_PROJECT_ID, DEFAULT_SECRET, ConfigError
from tests.support import PROJECT_A, handle, log_in, org_with_member, state_of
from tests.test_cli import running_mock, settings
from tests.test_shutdown import url_of


def test_every_project_comes_back_with_its_state_key_and_clock(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with MockServer([PROJECT_A], open_projects=True) as server:
        a = handle(server, PROJECT_A)
        org, _ = org_with_member(a, "ada@acme.com")
        session = log_in(a, org.organization_id, "ada@acme.com")
        a.advance_clock(minutes=5)
        opened = StytchMock(server.url, "project-test-opened-1", "its-own-secret")
        opened.client.organizations.create(organization_name="Opened")
        before = state_of(a)
        persistence.write_atomically(path, persistence.snapshot(server.registry))

    restarted = MockServer([PROJECT_A], open_projects=True)
    assert persistence.load(path, restarted.registry)
    with restarted:
        a = handle(restarted, PROJECT_A)
        assert state_of(a) == before
        # a JWT from before the restart verifies: the signing key came back
        local = a.client.sessions.authenticate_jwt_local(session_jwt=session.session_jwt)
        assert local.member_session_id == session.member_session.member_session_id
        again = a.client.sessions.authenticate(session_token=session.session_token)
        assert again.member_session.member_session_id == session.member_session.member_session_id
        opened = StytchMock(restarted.url, "project-test-opened-1", "its-own-secret")
        names = [o.organization_name for o in opened.client.organizations.search().organizations]
        assert names == ["Opened"]


def test_a_project_not_configured_here_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    saved = Registry([PROJECT_A, ProjectConfig("project-test-gone", "s", ["http://x/"])])
    persistence.write_atomically(path, persistence.snapshot(saved))

    registry = Registry([PROJECT_A])
    assert persistence.load(path, registry)

    assert list(registry.projects) == [PROJECT_A.project_id]


CORRUPT = {
    "truncated": b'{"version": 1, "projects": [{"project_id": "project-te',
    "not JSON": b"\x00\x01garbage",
    "wrong version": json.dumps({"version": 99, "projects": []}).encode(),
    "bad state": json.dumps(
        {
            "version": 1,
            "projects": [
                {
                    "project_id": DEFAULT_PROJECT_ID,
                    "secret": DEFAULT_SECRET,
                    "redirect_urls": ["http://localhost:3000/authenticate"],
                    "state": {"members": [{"member_id": "nope"}]},
                }
            ],
        }
    ).encode(),
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_file_the_mock_cannot_use_is_refused_and_left_alone(
    clean_env: Path, content: bytes
) -> None:
    path = clean_env / "state.json"
    path.write_bytes(content)
    stamp = path.stat().st_mtime_ns

    with pytest.raises(ConfigError, match="leaves it as it is"):
        build_registry(settings("--state-file", str(path)))

    assert path.read_bytes() == content and path.stat().st_mtime_ns == stamp


@pytest.mark.slow  # real processes
def test_a_real_process_refuses_a_corrupt_file_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(CORRUPT["truncated"])
    with running_mock(tmp_path, "--state-file", str(path)) as (proc, _):
        code = proc.wait(timeout=30)
        err = proc.stderr.read().decode()

    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"stytch-mock: error: --state-file {path}: is not a state file")
    assert path.read_bytes() == CORRUPT["truncated"]


@pytest.mark.slow  # real processes
def test_a_running_server_writes_the_file_and_a_restart_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    args = ("--state-file", str(path), "--save-interval", "0.1")
    with running_mock(tmp_path, *args) as (proc, banner):
        mock = StytchMock(url_of(banner), DEFAULT_PROJECT_ID, DEFAULT_SECRET)
        mock.client.organizations.create(organization_name="Written While Running")
        deadline = time.monotonic() + 10
        while b"Written While Running" not in (path.read_bytes() if path.exists() else b""):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # no shutdown write: the periodic one must do
        proc.wait(timeout=10)

    with running_mock(tmp_path, *args) as (proc, banner):
        mock = StytchMock(url_of(banner), DEFAULT_PROJECT_ID, DEFAULT_SECRET)
        names = sorted(
            o.organization_name for o in mock.client.organizations.search().organizations
        )
        # the seed of the first start came back with it, and was not loaded a second time
        assert names == ["Seeded Co", "Written While Running"]
        mock.client.organizations.create(organization_name="Saved On Shutdown")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "state saved to" in proc.stdout.read().decode()

    assert [p.name for p in tmp_path.glob(".state.json*")] == []  # no temporary file left
    saved = json.loads(path.read_bytes())
    names = [o["organization_name"] for o in saved["projects"][0]["state"]["organizations"]]
    assert sorted(names) == ["Saved On Shutdown", "Seeded Co", "Written While Running"]


@pytest.mark.slow  # real processes
def test_kill_9_in_the_middle_of_writes_leaves_a_whole_file(tmp_path: Path) -> None:
    """A process writes big documents in a loop and is killed at once: the file is always one
    whole document, never a mix or a truncation."""
    path = tmp_path / "state.json"
    persistence.write_atomically(path, json.dumps({"n": -1, "pad": ""}).encode())
    writer = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from mockserver.persistence import write_atomically
        n, path = 0, Path({str(path)!r})
        while True:
            write_atomically(path, json.dumps({{"n": n, "pad": "x" * 4_000_000}}).encode())
            n += 1
            print(n, flush=True)
        """
    )
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", writer], stdout=subprocess.PIPE, env=dict(os.environ)
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # one write done; the next is under way
        time.sleep(0.01)
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()

        document = json.loads(path.read_bytes())
        assert document["n"] >= 0 and len(document["pad"]) == 4_000_000
