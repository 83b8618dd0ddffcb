"""The Node scenarios (contracts/node/*.test.mjs, the official npm ``stytch`` SDK) against the
contract target (the in-process mock, or a remote server with ``STYTCH_CONTRACT_TARGET=stytch``:
there the scenarios that read the mock's outbox skip themselves), driven from pytest.

``node --test`` runs once per session (module fixture) with the target's URL and the
project's credentials in its environment; each Node scenario is then one pytest test that
passes or fails with that scenario's own result and output, so the SDK matrix and the coverage
report see them by name.

- Skipped with the reason when ``node`` or ``npm`` is not on PATH, or Node is older than 18.
- ``contracts/node/node_modules`` (gitignored) is installed with ``npm ci`` from the committed
  package-lock.json when missing or when it holds another ``stytch`` than the lock; an install
  that cannot reach the npm registry skips with npm's message.
- ``STYTCH_NODE_DIR=<dir>`` runs the scenarios of another, already installed directory
  instead (contracts/tools/sdk_matrix.py uses it to run other ``stytch`` versions).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from contracts.support import Target

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT = 120  # seconds, for the whole `node --test` run (it takes about one)
NPM_TIMEOUT = 300


def node_dir() -> Path:
    return Path(os.environ.get("STYTCH_NODE_DIR") or NODE_DIR).resolve()


def scenario_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.test.*js") if p.suffix in (".mjs", ".js"))


_TEST_CALL = re.compile(
    r"""^\s*test\(\s*(["'`])((?:\\.|(?!\1).)*)\1(\s*,\s*\{\s*skip:\s*MOCK_ONLY\s*\})?""",
    re.MULTILINE,
)
# What a scenario declared `test("...", { skip: MOCK_ONLY }, ...)` needs (helpers.mjs).
NODE_MOCK_ONLY = "the mock's outbox, its /_mock control API or one of its fixtures"


def scenarios(directory: Path | None = None) -> list[tuple[str, bool]]:
    """The top-level ``test("...")`` names of the Node scenario files, in file order, each
    with whether it is declared mock-only (``{ skip: MOCK_ONLY }``)."""
    found = []
    for path in scenario_files(directory or node_dir()):
        for match in _TEST_CALL.finditer(path.read_text(encoding="utf-8")):
            name = match.group(2).encode().decode("unicode_escape")
            found.append((name, match.group(3) is not None))
    return found


def scenario_names(directory: Path | None = None) -> list[str]:
    return [name for name, _ in scenarios(directory)]


def scenario_params() -> list[Any]:
    """One pytest parameter per Node scenario; the mock-only ones carry ``mock_only`` (so the
    coverage report lists their targets; Node skips them itself on a remote target too)."""
    mock_only = pytest.mark.mock_only(reason=f"needs {NODE_MOCK_ONLY}")
    params = [pytest.param(name, marks=mock_only) if only else name for name, only in scenarios()]
    return params or ["(no Node scenario files)"]


@dataclass
class NodeResult:
    name: str
    ok: bool
    skipped: bool
    details: str


@dataclass
class NodeRun:
    returncode: int
    output: str
    results: dict[str, NodeResult] = field(default_factory=dict)


_TAP_LINE = re.compile(r"^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b\s*(.*))?$")


def parse_tap(output: str) -> dict[str, NodeResult]:
    """Top-level results of Node's TAP reporter (subtests are indented, and ignored)."""
    results: dict[str, NodeResult] = {}
    lines = output.splitlines()
    for i, line in enumerate(lines):
        match = _TAP_LINE.match(line)
        if not match:
            continue
        status, name, directive, reason = match.groups()
        name = name.replace("\\#", "#").replace("\\\\", "\\")
        details = []
        for follow in lines[i + 1 :]:  # the YAML block of this result
            if not follow.startswith("  "):
                break
            details.append(follow)
        skipped = directive == "SKIP"
        text = reason if skipped and reason else "\n".join(details)  # a skip: its reason
        results[name] = NodeResult(name, status == "ok", skipped, text)
    return results


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"`{name}` is not on PATH: the Node SDK scenarios need Node.js >= 18 and npm")
    return path


def _check_node_version(node: str) -> None:
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    match = re.match(r"v(\d+)", version.stdout.strip())
    if not match or int(match.group(1)) < 18:
        pytest.skip(f"Node.js {version.stdout.strip()} is too old: the scenarios need >= 18")


def _installed_version(directory: Path) -> str | None:
    manifest = directory / "node_modules" / "stytch" / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8"))["version"]


def _locked_version(directory: Path) -> str | None:
    lock = directory / "package-lock.json"
    if not lock.is_file():
        return None
    data = json.loads(lock.read_text(encoding="utf-8"))
    return data.get("packages", {}).get("node_modules/stytch", {}).get("version")


def ensure_installed(directory: Path) -> None:
    """``npm ci`` when node_modules is missing or holds another stytch than the lock."""
    npm = _tool("npm")
    locked = _locked_version(directory)
    if locked is not None and _installed_version(directory) == locked:
        return
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT,
    )
    if proc.returncode != 0:
        pytest.skip(
            "`npm ci` could not install the Node SDK (is the npm registry reachable?):\n"
            + (proc.stderr or proc.stdout)[-2000:]
        )


def run_node_scenarios(
    directory: Path, url: str, project_id: str, secret: str, *, remote: bool = False
) -> NodeRun:
    node = _tool("node")
    files = [str(p) for p in scenario_files(directory)]
    env = {
        **os.environ,
        "STYTCH_MOCK_URL": url,
        "STYTCH_PROJECT_ID": project_id,
        "STYTCH_SECRET": secret,
        "NO_COLOR": "1",
    }
    if remote:
        env.update(STYTCH_CONTRACT_TARGET="stytch", STYTCH_API_URL=url)
    else:
        env.pop("STYTCH_CONTRACT_TARGET", None)
    proc = subprocess.run(
        [node, "--test", "--test-reporter=tap", *files],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
    )
    output = proc.stdout + ("\n--- stderr ---\n" + proc.stderr if proc.stderr.strip() else "")
    return NodeRun(proc.returncode, output, parse_tap(proc.stdout))


pytestmark = pytest.mark.slow  # a Node process per run


@pytest.fixture(scope="module")
def node_run(target: Target, request: pytest.FixtureRequest) -> NodeRun:
    node = _tool("node")
    _tool("npm")
    _check_node_version(node)
    directory = node_dir()
    if not scenario_files(directory):
        pytest.fail(f"no *.test.mjs scenario files in {directory}")
    if "STYTCH_NODE_DIR" not in os.environ:
        ensure_installed(directory)
    elif _installed_version(directory) is None:
        pytest.fail(f"STYTCH_NODE_DIR={directory} has no node_modules/stytch installed")
    if not target.is_mock:
        return run_node_scenarios(
            directory, target.url, target.project_id, target.secret, remote=True
        )
    from mockserver.pytest_plugin import StytchMock

    server = request.getfixturevalue("stytch_mock_server")
    StytchMock(server.url, target.project_id, target.secret).reset()
    return run_node_scenarios(directory, server.url, target.project_id, target.secret)


def test_node_test_runner_exits_cleanly(node_run: NodeRun) -> None:
    assert node_run.returncode == 0, (
        f"`node --test` exited {node_run.returncode}:\n{node_run.output}"
    )
    assert set(node_run.results) == set(scenario_names()), (
        "the scenarios Node ran differ from the test(...) names in the files:\n" + node_run.output
    )


@pytest.mark.parametrize("scenario", scenario_params())
def test_node_sdk_scenario(node_run: NodeRun, scenario: str) -> None:
    result = node_run.results.get(scenario)
    if result is None:
        pytest.fail(f"Node did not report the scenario {scenario!r}:\n{node_run.output}")
    if result.skipped:
        pytest.skip(f"skipped in Node: {result.details}")
    assert result.ok, f"Node scenario failed: {scenario}\n{result.details}"
