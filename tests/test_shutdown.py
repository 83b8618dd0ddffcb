"""A real ``stytch-mock`` process stops quickly even with a client stuck mid-body, and at once
on a second signal."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockserver.settings import DEFAULT_PROJECT_ID, DEFAULT_SECRET
from tests import raw
from tests.support import basic
from tests.test_cli import read_banner, running_mock, subprocess_env

pytestmark = pytest.mark.slow  # real processes


def stuck_client(url: str) -> raw.socket.socket:
    """A connection whose request body stops half-way (the server waits for the rest)."""
    sock = raw.connect(url)
    host = raw.host_header(url)
    sock.sendall(
        (
            f"POST /v1/b2b/magic_links/email/discovery/send HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: {basic(DEFAULT_PROJECT_ID, DEFAULT_SECRET)}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        ).encode()
        + b'{"email_address": '
    )
    return sock


def url_of(banner: str) -> str:
    match = re.search(r"listening on (http://\S+/)", banner)
    assert match, banner
    return match.group(1)


def wait_exit(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, float]:
    start = time.monotonic()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    return code, time.monotonic() - start


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stuck_client_does_not_hold_up_the_shutdown(tmp_path: Path, sig: signal.Signals) -> None:
    with running_mock(tmp_path, "--shutdown-timeout", "0.5") as (proc, banner):
        sock = stuck_client(url_of(banner))
        time.sleep(0.1)  # the server is reading the body

        proc.send_signal(sig)
        code, took = wait_exit(proc, 10)
        sock.close()

        assert code == 0 and took < 4, (code, took)
        assert "Traceback" not in proc.stderr.read().decode()


def test_a_second_signal_stops_at_once(tmp_path: Path) -> None:
    args = ("--shutdown-timeout", "60", "--body-timeout", "60")
    with running_mock(tmp_path, *args) as (proc, banner):
        sock = stuck_client(url_of(banner))
        time.sleep(0.1)

        proc.send_signal(signal.SIGINT)
        still_running, _ = wait_exit(proc, 0.5)  # waiting for the stuck request, as told
        proc.send_signal(signal.SIGINT)
        code, took = wait_exit(proc, 10)
        sock.close()

        assert still_running is None
        assert code == 1 and took < 2, (code, took)
        assert "stopped at once" in proc.stdout.read().decode()


def test_a_low_file_descriptor_limit_never_locks_everyone_out(tmp_path: Path) -> None:
    """With 64 file descriptors, 40 idle connections (the cap is then 24): the ones past the
    cap get a 503 and are closed, the log stays quiet, and the server answers again once they
    go."""
    import resource

    from mockserver.pytest_plugin import send_http

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    seed = tmp_path / "seed.yaml"
    seed.write_text("organizations: []\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", "0", "--jwt-signer", "inline"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=subprocess_env(),
        preexec_fn=low_limit,
    )
    held: list[raw.socket.socket] = []
    try:
        url = url_of(read_banner(proc))
        refused = 0
        for _ in range(40):
            sock = raw.connect(url)
            held.append(sock)
        for sock in held:
            sock.settimeout(0.05)
            try:
                refused += b"server_unavailable" in sock.recv(65536)
            except TimeoutError:
                pass
        assert refused == 40 - 24
        for sock in held:
            sock.close()
        held.clear()
        deadline = time.monotonic() + 10
        while (status := send_http(url + "_mock/health").status) != 200:
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
    finally:
        for sock in held:
            sock.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    err = proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    assert "Too many open files" not in err and "Traceback" not in err, err
    assert err.count("out of file descriptors") <= 1, err
