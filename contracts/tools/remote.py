"""The contract suite against a remote target, rehearsed offline; recordings and the fidelity
report.

    python contracts/tools/remote.py rehearse [--runs 2] [-- PYTEST_ARGS]
        (make contracts-remote) Starts a separate ``stytch-mock`` process and runs the suite
        against it as against Stytch (``STYTCH_CONTRACT_TARGET=stytch``: black box, no outbox,
        no clock, no reset), several times in a row without restarting it. Every run must pass,
        and after every run the target must hold no organization the run made.

    python contracts/tools/remote.py report RECORDING [--strict] [-- PYTEST_ARGS]
        (make fidelity-report RECORDING=DIR) Replays the scenarios of a recording (made with
        ``STYTCH_CONTRACT_RECORD=DIR`` against Stytch) against a fresh ``stytch-mock`` process,
        and prints, per operation, every difference in status code, error type and response
        shape between the recording and the mock. ``--strict`` exits 1 when there is one.

The mock process listens on a free port of 127.0.0.1 with the fixture credentials below (or
``STYTCH_PROJECT_ID`` / ``STYTCH_SECRET`` when both are set to ``project-test-…`` values).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from contracts import recording  # noqa: E402

PROJECT_ID = "project-test-5e7a7c0d-7e57-4e57-8e57-7e57c0de7e57"
SECRET = "secret-test-contract-rehearsal"
# Stytch's own sandbox organization: real Stytch has it in every Test project; the mock makes
# it on first use. It is not the run's to delete.
SANDBOX_ORGANIZATION_ID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"
START_TIMEOUT = 30  # seconds for the mock process to print its banner


@dataclass
class RemoteMock:
    url: str
    project_id: str
    secret: str

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "STYTCH_CONTRACT_TARGET": "stytch",
            "STYTCH_API_URL": self.url,
            "STYTCH_PROJECT_ID": self.project_id,
            "STYTCH_SECRET": self.secret,
            **extra,
        }


def credentials() -> tuple[str, str]:
    project_id, secret = os.environ.get("STYTCH_PROJECT_ID"), os.environ.get("STYTCH_SECRET")
    if project_id and secret and project_id.startswith("project-test-"):
        return project_id, secret
    return PROJECT_ID, SECRET


@contextmanager
def mock_process(extra_args: Sequence[str] = ()) -> Iterator[RemoteMock]:
    """``stytch-mock`` in its own process on a free port; stopped (SIGTERM) on exit."""
    project_id, secret = credentials()
    # --rate-limits: as on Stytch, one email send per second per address, so a run that does
    # not pace its sends (contracts.support.Pacer) fails here as it would there.
    args = [sys.executable, "-m", "mockserver", "--port", "0", "--jwt-signer", "inline"]
    args += ["--rate-limits"]
    args += ["--project-id", project_id, "--secret", secret, *extra_args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STYTCH_CONTRACT")}
    with tempfile.TemporaryDirectory() as cwd:  # no .env of the caller's is read
        proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            yield RemoteMock(_read_url(proc), project_id, secret)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _read_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(r"listening on (\S+)", line)
        if match:
            return match.group(1)
    raise SystemExit("stytch-mock did not start:\n" + "".join(seen))


def organization_ids(mock: RemoteMock) -> set[str]:
    """Every organization the target holds, through the public search API (black box)."""
    found: set[str] = set()
    cursor = None
    while True:
        body: dict[str, object] = {"limit": 1000}
        if cursor:
            body["cursor"] = cursor
        response = requests.post(
            mock.url.rstrip("/") + "/v1/b2b/organizations/search",
            json=body,
            auth=(mock.project_id, mock.secret),
            timeout=30,
        )
        response.raise_for_status()
        data = response.json()
        found.update(org["organization_id"] for org in data["organizations"])
        cursor = data.get("results_metadata", {}).get("next_cursor")
        if not cursor:
            return found


def leftovers(mock: RemoteMock, before: set[str]) -> set[str]:
    """Organizations the target holds now and did not before (Stytch's sandbox organization,
    which a Test project always has, left out)."""
    return organization_ids(mock) - before - {SANDBOX_ORGANIZATION_ID}


def run_pytest(
    mock: RemoteMock, pytest_args: Sequence[str], tests: Sequence[str] = ("contracts",), **env: str
) -> int:
    command = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
    return subprocess.call([*command, *pytest_args], cwd=ROOT, env=mock.env(**env))


def rehearse(runs: int, pytest_args: Sequence[str]) -> int:
    with mock_process() as mock:
        print(f"remote target: stytch-mock at {mock.url} (a separate process)", flush=True)
        for run in range(1, runs + 1):
            before = organization_ids(mock)
            print(f"--- run {run} of {runs} against the same server ---", flush=True)
            code = run_pytest(mock, pytest_args)
            if code != 0:
                print(f"run {run} failed (pytest exit {code})")
                return code
            left = leftovers(mock, before)
            if left:
                print(f"run {run} left {len(left)} organization(s) behind: {sorted(left)}")
                return 1
            print(f"run {run}: passed, and left no organization behind", flush=True)
    return 0


def fidelity_report(recorded_dir: Path, strict: bool, pytest_args: Sequence[str]) -> int:
    recorded = recording.load(recorded_dir)
    if not recorded:
        print(f"{recorded_dir} holds no recording (*.json made with STYTCH_CONTRACT_RECORD)")
        return 2
    with tempfile.TemporaryDirectory() as replay_dir, mock_process() as mock:
        # Scenarios that fail on the mock still count: their exchanges are compared.
        run_pytest(mock, pytest_args, sorted(recorded), STYTCH_CONTRACT_RECORD=replay_dir)
        replayed = recording.load(Path(replay_dir))
    differences = recording.compare(recorded, replayed)
    text = recording.report(differences)
    scenarios = len(recorded)
    if not text:
        print(f"fidelity report: {scenarios} scenario(s), no difference")
        return 0
    print(f"fidelity report: {scenarios} scenario(s), {len(differences)} difference(s)")
    print(text, end="")
    return 1 if strict else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rehearse_cmd = sub.add_parser("rehearse", help="run the suite against a mock process")
    rehearse_cmd.add_argument("--runs", type=int, default=2)
    report_cmd = sub.add_parser("report", help="compare a recording with the mock")
    report_cmd.add_argument("recording", type=Path)
    report_cmd.add_argument("--strict", action="store_true", help="exit 1 on any difference")
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1 :]
    args = parser.parse_args(argv)
    if args.command == "rehearse":
        return rehearse(args.runs, pytest_args)
    return fidelity_report(args.recording, args.strict, pytest_args)


if __name__ == "__main__":
    sys.exit(main())
