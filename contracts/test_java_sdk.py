"""The Java scenarios (contracts/java, the official Java/Kotlin SDK ``com.stytch.java:sdk`` from
Maven Central) against the contract target (the in-process mock, or a remote server with
``STYTCH_CONTRACT_TARGET=stytch``: there the scenarios that read the mock's outbox skip
themselves), driven from pytest like the Node ones (contracts/test_node_sdk.py).

One JVM runs every scenario once per session (module fixture), with the target's URL and the
project's credentials in its environment, and prints one JSON line per scenario
(``{"scenario", "status": pass|fail|skip, "details"}``); each scenario is then one pytest test
that passes, fails or skips with that scenario's own result and output.

- Skipped with the reason when ``java`` (17 or newer) is not on PATH, or when the scenarios
  need building and ``mvn`` is not on PATH or cannot resolve the SDK and its dependencies.
- ``make install`` builds them (``mvn compile dependency:build-classpath`` in contracts/java,
  Maven's local repository in ``contracts/java/.m2``, gitignored); this module rebuilds when the
  build is missing or older than pom.xml or a source file, offline first, then online (Maven
  Central).
- ``STYTCH_JAVA_SDK=<version>`` runs the same scenarios with another ``com.stytch.java:sdk``
  release (its classpath resolved into ``target/classpath-<version>.txt``; sdk_matrix uses it).
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

JAVA_DIR = Path(__file__).resolve().parent / "java"
SOURCES = JAVA_DIR / "src" / "main" / "java"
SCENARIOS_SOURCE = SOURCES / "contracts" / "Scenarios.java"
MAIN_CLASS = "contracts.Scenarios"
BUILT_STAMP = JAVA_DIR / "target" / ".built"
JAVA_TIMEOUT = 180  # seconds, for the whole JVM run (it takes about two)
MVN_TIMEOUT = 600
MIN_JAVA = 17
# What Maven prints when it cannot get an artifact (offline, or no registry): a skip, not a fail.
_UNRESOLVED = re.compile(
    r"Could not resolve|Could not transfer|Non-resolvable|Cannot access|offline mode|"
    r"could not be resolved|Unknown host|Connection refused|Network is unreachable",
    re.IGNORECASE,
)

# Each scenario is declared on one line of Scenarios.java: mockOnly("name", ...) or
# anywhere("name", ...).
_DECLARATION = re.compile(r"""^\s*(mockOnly|anywhere)\(\s*"((?:\\.|[^"\\])*)\"""", re.MULTILINE)
JAVA_MOCK_ONLY = "the mock's outbox"


def sdk_version() -> str | None:
    """The ``com.stytch.java:sdk`` release asked for (``STYTCH_JAVA_SDK``), or None: the pom's."""
    return os.environ.get("STYTCH_JAVA_SDK", "").strip() or None


def classpath_file(version: str | None) -> Path:
    name = f"classpath-{version}.txt" if version else "classpath.txt"
    return JAVA_DIR / "target" / name


def scenarios() -> list[tuple[str, bool]]:
    """The scenario names of Scenarios.java, in order, each with whether it is mock-only."""
    text = SCENARIOS_SOURCE.read_text(encoding="utf-8")
    return [
        (m.group(2).encode().decode("unicode_escape"), m.group(1) == "mockOnly")
        for m in _DECLARATION.finditer(text)
    ]


def scenario_names() -> list[str]:
    return [name for name, _ in scenarios()]


def scenario_params() -> list[Any]:
    mock_only = pytest.mark.mock_only(reason=f"needs {JAVA_MOCK_ONLY}")
    params = [pytest.param(name, marks=mock_only) if only else name for name, only in scenarios()]
    return params or ["(no Java scenario)"]


@dataclass
class JavaResult:
    name: str
    status: str  # pass, fail or skip
    details: str


@dataclass
class JavaRun:
    returncode: int
    output: str
    results: dict[str, JavaResult] = field(default_factory=dict)


def parse_report(stdout: str) -> dict[str, JavaResult]:
    """The JSON result lines of the Java run (anything else on stdout is ignored)."""
    results: dict[str, JavaResult] = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "scenario" in data:
            name = str(data["scenario"])
            results[name] = JavaResult(name, str(data.get("status")), str(data.get("details", "")))
    return results


def _tool(name: str, why: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"`{name}` is not on PATH: {why}")
    return path


def _java_major(java: str) -> int:
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def maven_command(version: str | None, *, offline: bool) -> list[str]:
    """The build: compile the scenarios, write the SDK's classpath (the Makefile runs the same
    goals for the pom's version)."""
    command = [
        "mvn",
        "-q",
        "-B",
        "-Dstyle.color=never",
        f"-Dmaven.repo.local={JAVA_DIR / '.m2' / 'repository'}",
        "compile",
        "dependency:build-classpath",
        f"-Dmdep.outputFile={classpath_file(version)}",
    ]
    if version:
        command.append(f"-Dstytch.sdk.version={version}")
    if offline:
        command.insert(1, "-o")
    return command


def is_built(version: str | None) -> bool:
    """The classes and the classpath exist, are newer than pom.xml and every source, and every
    jar of the classpath is still in the local repository."""
    cp = classpath_file(version)
    if not (BUILT_STAMP.is_file() and cp.is_file()):
        return False
    built = min(BUILT_STAMP.stat().st_mtime, cp.stat().st_mtime)
    inputs = [JAVA_DIR / "pom.xml", *SOURCES.rglob("*.java")]
    if any(p.stat().st_mtime > built for p in inputs):
        return False
    jars = [j for j in cp.read_text(encoding="utf-8").strip().split(os.pathsep) if j]
    return bool(jars) and all(Path(j).is_file() for j in jars)


def ensure_built(version: str | None) -> None:
    """``mvn compile dependency:build-classpath`` when the build is missing or stale: offline
    first (``make install`` resolved everything), then online; a resolution failure skips with
    Maven's message, a compile error fails."""
    if is_built(version):
        return
    _tool("mvn", "the Java SDK scenarios need Maven to build (make install)")
    proc = None
    for offline in (True, False):
        proc = subprocess.run(
            maven_command(version, offline=offline),
            cwd=JAVA_DIR,
            capture_output=True,
            text=True,
            timeout=MVN_TIMEOUT,
        )
        if proc.returncode == 0:
            BUILT_STAMP.touch()
            return
        if not _UNRESOLVED.search(proc.stdout + proc.stderr):
            break  # not a missing artifact (a compile error): going online would not help
    assert proc is not None
    output = (proc.stdout + proc.stderr)[-3000:]
    if _UNRESOLVED.search(output):
        pytest.skip(
            "Maven could not resolve the Java SDK or its dependencies (is Maven Central "
            "reachable?):\n" + output
        )
    pytest.fail("building contracts/java failed:\n" + output)


def run_java_scenarios(
    url: str, project_id: str, secret: str, *, remote: bool = False, version: str | None = None
) -> JavaRun:
    java = _tool("java", "the Java SDK scenarios need a JDK")
    jars = classpath_file(version).read_text(encoding="utf-8").strip()
    classpath = os.pathsep.join([str(JAVA_DIR / "target" / "classes"), jars])
    env = {
        **os.environ,
        "STYTCH_MOCK_URL": url,
        "STYTCH_PROJECT_ID": project_id,
        "STYTCH_SECRET": secret,
    }
    if remote:
        env.update(STYTCH_CONTRACT_TARGET="stytch", STYTCH_API_URL=url)
    else:
        env.pop("STYTCH_CONTRACT_TARGET", None)
    proc = subprocess.run(
        # One short-lived JVM: no JIT warm-up worth paying for.
        [java, "-XX:TieredStopAtLevel=1", "-cp", classpath, MAIN_CLASS],
        cwd=JAVA_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=JAVA_TIMEOUT,
    )
    output = proc.stdout + ("\n--- stderr ---\n" + proc.stderr if proc.stderr.strip() else "")
    return JavaRun(proc.returncode, output, parse_report(proc.stdout))


pytestmark = pytest.mark.slow  # a JVM per run


@pytest.fixture(scope="module")
def java_run(target: Target, request: pytest.FixtureRequest) -> JavaRun:
    java = _tool("java", "the Java SDK scenarios need a JDK (17 or newer) and Maven")
    if _java_major(java) < MIN_JAVA:
        pytest.skip(f"`java` is older than {MIN_JAVA}: the Java SDK scenarios need JDK 17+")
    if not scenario_names():
        pytest.fail(f"no scenario declared in {SCENARIOS_SOURCE}")
    version = sdk_version()
    ensure_built(version)
    if not target.is_mock:
        return run_java_scenarios(
            target.url, target.project_id, target.secret, remote=True, version=version
        )
    from mockserver.pytest_plugin import StytchMock

    server = request.getfixturevalue("stytch_mock_server")
    StytchMock(server.url, target.project_id, target.secret).reset()
    return run_java_scenarios(server.url, target.project_id, target.secret, version=version)


def test_java_runner_exits_cleanly(java_run: JavaRun) -> None:
    assert java_run.returncode == 0, (
        f"the Java run exited {java_run.returncode}:\n{java_run.output}"
    )
    assert set(java_run.results) == set(scenario_names()), (
        "the scenarios Java ran differ from those declared in Scenarios.java:\n" + java_run.output
    )


@pytest.mark.parametrize("scenario", scenario_params())
def test_java_sdk_scenario(java_run: JavaRun, scenario: str) -> None:
    result = java_run.results.get(scenario)
    if result is None:
        pytest.fail(f"Java did not report the scenario {scenario!r}:\n{java_run.output}")
    if result.status == "skip":
        pytest.skip(f"skipped in Java: {result.details}")
    assert result.status == "pass", f"Java scenario failed: {scenario}\n{result.details}"
