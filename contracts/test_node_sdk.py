"""The Node scenarios (contracts/node/*.test.mjs, the official npm ``stytch`` SDK) against the
in-process mock, driven from pytest.

``node --test`` runs once per session (module fixture) with the mock's URL and the fixture
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

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT = 120  # seconds, for the whole `node --test` run (it takes about one)
NPM_TIMEOUT = 300


def node_dir() -> Path:
    return Path(os.environ.get("STYTCH_NODE_DIR") or NODE_DIR).resolve()


def scenario_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.test.*js") if p.suffix in (".mjs", ".js"))


_TEST_CALL = re.compile(r"""^\s*test\(\s*(["'`])((?:\\.|(?!\1).)*)\1""", re.MULTILINE)


def scenario_names(directory: Path | None = None) -> list[str]:
    """The top-level ``test("...")`` names of the Node scenario files, in file order."""
    names = []
    for path in scenario_files(directory or node_dir()):
        for match in _TEST_CALL.finditer(path.read_text(encoding="utf-8")):
            names.append(match.group(2).encode().decode("unicode_escape"))
    return names


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


_TAP_LINE = re.compile(r"^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b.*)?$")


def parse_tap(output: str) -> dict[str, NodeResult]:
    """Top-level results of Node's TAP reporter (subtests are indented, and ignored)."""
    results: dict[str, NodeResult] = {}
    lines = output.splitlines()
    for i, line in enumerate(lines):
        match = _TAP_LINE.match(line)
        if not match:
            continue
        status, name, directive = match.groups()
        name = name.replace("\\#", "#").replace("\\\\", "\\")
        details = []
        for follow in lines[i + 1 :]:  # the YAML block of this result
            if not follow.startswith("  "):
                break
            details.append(follow)
        results[name] = NodeResult(name, status == "ok", directive == "SKIP", "\n".join(details))
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


def run_node_scenarios(directory: Path, url: str, project_id: str, secret: str) -> NodeRun:
    node = _tool("node")
    files = [str(p) for p in scenario_files(directory)]
    env = {
        **os.environ,
        "STYTCH_MOCK_URL": url,
        "STYTCH_PROJECT_ID": project_id,
        "STYTCH_SECRET": secret,
        "NO_COLOR": "1",
    }
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


pytestmark = [
    pytest.mark.mock_only(reason="the Node scenarios read the mock's outbox"),
    pytest.mark.slow,  # a Node process per scenario
]


@pytest.fixture(scope="module")
def node_run(stytch_mock_server: Any) -> NodeRun:
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
    from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, FIXTURE_SECRET, StytchMock

    StytchMock(stytch_mock_server.url, FIXTURE_PROJECT_ID, FIXTURE_SECRET).reset()
    return run_node_scenarios(directory, stytch_mock_server.url, FIXTURE_PROJECT_ID, FIXTURE_SECRET)


def test_node_test_runner_exits_cleanly(node_run: NodeRun) -> None:
    assert node_run.returncode == 0, (
        f"`node --test` exited {node_run.returncode}:\n{node_run.output}"
    )
    assert set(node_run.results) == set(scenario_names()), (
        "the scenarios Node ran differ from the test(...) names in the files:\n" + node_run.output
    )


@pytest.mark.parametrize("scenario", scenario_names() or ["(no Node scenario files)"])
def test_node_sdk_scenario(node_run: NodeRun, scenario: str) -> None:
    result = node_run.results.get(scenario)
    if result is None:
        pytest.fail(f"Node did not report the scenario {scenario!r}:\n{node_run.output}")
    if result.skipped:
        pytest.skip(f"skipped in Node: {result.details}")
    assert result.ok, f"Node scenario failed: {scenario}\n{result.details}"
