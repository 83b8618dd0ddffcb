"""Run the contract suite against other versions of the official SDKs.

::

    python contracts/tools/sdk_matrix.py contracts --sdk 15.3.0     # `make contracts SDK=15.3.0`
    python contracts/tools/sdk_matrix.py matrix                     # `make sdk-matrix`
    python contracts/tools/sdk_matrix.py matrix --python 14.4.0 --node 13.2.5 --markdown out.md
    python contracts/tools/sdk_matrix.py matrix --python --node --frontend --java 11.1.0

Python: each version gets a virtual environment ``.venv-sdk-<version>/`` (gitignored, reused
while pyproject.toml and the version are unchanged) with the project's dependencies and dev
test dependencies (Playwright left out), ``stytch==<version>``, and the project itself
(editable, ``--no-deps``: the project's own ``stytch>=`` floor is for the reference app, and
would otherwise refuse older SDKs); ``pytest contracts`` then runs in it
against the in-process mock. The Schemathesis and Node tests do not use the Python SDK and are
left out of the matrix (``contracts`` runs everything).

Node: each version of the npm ``stytch`` package gets ``.venv-sdk-node-<version>/`` (also
gitignored): a package.json pinning it, ``npm install``, and copies of contracts/node/*.mjs;
``contracts/test_node_sdk.py`` then runs them there (``STYTCH_NODE_DIR``).

Java: each release of ``com.stytch.java:sdk`` (Maven Central) runs ``contracts/test_java_sdk.py``
with ``STYTCH_JAVA_SDK=<version>``: Maven resolves that release's classpath into
``contracts/java/target/classpath-<version>.txt`` and the same scenarios run with it.

Frontend: each package version in ``FRONTEND_PACKAGES`` (``@stytch/vanilla-js``, and
``@stytch/react``'s client factory) gets ``.venv-sdk-frontend-<name>-<version>/`` (gitignored):
the package (React as its peer for ``@stytch/react``) and esbuild from npm, and ``bundle.js``
built from tests/frontend_sdk/<package>.mjs; ``FRONTEND_TESTS`` (the discovery UI and headless
client, then the factor calls) then drive it in Debian's Chromium (``STYTCH_FRONTEND_DIR``).

Per-scenario results come from pytest's JUnit XML; ``matrix`` prints a table, version x
scenario (one row per test function, its sync/async and other cases folded: pass / FAIL n/m /
skip / xfail / - for absent; ``--per-case`` for a row per case), and exits 1 when a version in
``SUPPORTED_*`` fails a scenario.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
NODE_SRC = CONTRACTS / "node"
FRONTEND_SRC = ROOT / "tests" / "frontend_sdk"
# The prebuilt UI and headless discovery, then the factor calls (passwords, SMS MFA, TOTP,
# recovery codes, OAuth) through the same bundle.
FRONTEND_TESTS = [
    "tests/test_frontend_sdk_versions.py",
    "tests/test_frontend_sdk_factors_browser.py",
]

# Oldest to newest: the latest patch of each major the suite is run against.
PYTHON_VERSIONS = ["13.28.1", "14.4.0", "15.0.0", "15.3.0"]
NODE_VERSIONS = ["12.43.1", "13.2.5", "14.2.0"]
# The versions that must pass every scenario (checked by `matrix`'s exit code). Keep in step
# with the table in contracts/README.md.
SUPPORTED_PYTHON = list(PYTHON_VERSIONS)
SUPPORTED_NODE = list(NODE_VERSIONS)
# Every release of com.stytch.java:sdk that Maven Central serves (its maven-metadata.xml lists
# only 11.1.0).
JAVA_VERSIONS = ["11.1.0"]
SUPPORTED_JAVA = list(JAVA_VERSIONS)
# Frontend SDK packages (npm name@version), newest first; README "Frontend SDK offline" has the
# table of what works with each.
FRONTEND_PACKAGES = [
    "@stytch/vanilla-js@6.3.0",
    "@stytch/vanilla-js@5.45.1",
    "@stytch/react@20.1.0",
]
SUPPORTED_FRONTEND = list(FRONTEND_PACKAGES)
ESBUILD_VERSION = "0.25.12"
REACT_VERSION = "19.2.0"

# Not Python-SDK scenarios: excluded from the Python columns of the matrix.
MATRIX_IGNORE = [
    "contracts/test_schemathesis.py",
    "contracts/test_node_sdk.py",
    "contracts/test_java_sdk.py",
]
# Dev dependencies a contract run does not need (the browser test's driver).
SKIP_DEV_DEPS = {"playwright"}


@dataclass
class Run:
    kind: str  # "python", "node", "java" or "frontend"
    version: str
    returncode: int
    results: dict[str, str] = field(default_factory=dict)  # scenario -> outcome
    error: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.version}"

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for outcome in self.results.values():
            out[outcome] = out.get(outcome, 0) + 1
        return out


def log(message: str) -> None:
    print(f"sdk-matrix: {message}", file=sys.stderr, flush=True)


def sh(
    cmd: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=quiet, check=False)


# --- Python SDK ---------------------------------------------------------------------------


def _name(req: str) -> str:
    for sep in "[=<>~!; ":
        req = req.split(sep, 1)[0]
    return req.strip().lower()


def requirements(version: str) -> list[str]:
    """The project's dependencies and its dev extra, with ``stytch`` pinned to ``version``
    (the project itself is then installed with ``--no-deps``, so an SDK older than the
    project's own ``stytch>=`` floor, which only the reference app needs, can be tried)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = [f"stytch=={version}"]
    for req in [*project.get("dependencies", []), *project["optional-dependencies"]["dev"]]:
        if _name(req) in ("stytch", *SKIP_DEV_DEPS):
            continue
        reqs.append(req)
    return reqs


def python_venv(version: str) -> Path:
    """``.venv-sdk-<version>`` with the project and ``stytch==<version>``, (re)built when
    pyproject.toml or the version changed since the last install."""
    venv = ROOT / f".venv-sdk-{version}"
    py = venv / "bin" / "python"
    reqs = requirements(version)
    stamp_value = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + "\n".join(reqs).encode()
    ).hexdigest()
    stamp = venv / ".sdk-matrix-stamp"
    if py.exists() and stamp.exists() and stamp.read_text() == stamp_value:
        return venv
    if not py.exists():
        log(f"creating {venv.name}")
        proc = sh([sys.executable, "-m", "venv", str(venv)])
        if proc.returncode != 0:
            raise RuntimeError(f"python -m venv {venv} failed:\n{proc.stderr}")
    log(f"installing the project and stytch=={version} into {venv.name}")
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for cmd in ([*pip, *reqs], [*pip, "--no-deps", "-e", str(ROOT)]):
        proc = sh(cmd)
        if proc.returncode != 0:
            raise RuntimeError(f"pip install into {venv} failed:\n{proc.stdout}\n{proc.stderr}")
    installed = sh([str(py), "-c", "import importlib.metadata as m; print(m.version('stytch'))"])
    if installed.stdout.strip() != version:
        raise RuntimeError(f"{venv} has stytch {installed.stdout.strip()!r}, not {version}")
    stamp.write_text(stamp_value)
    return venv


def pytest_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("STYTCH_CONTRACT_TARGET", "mock")
    return env


def run_python(version: str, extra: list[str], *, matrix: bool) -> Run:
    try:
        venv = python_venv(version)
    except RuntimeError as exc:
        return Run("python", version, 2, error=str(exc))
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [
            str(venv / "bin" / "python"),
            "-m",
            "pytest",
            "contracts",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit2",
        ]
        if matrix:
            cmd += ["-q", *[f"--ignore={p}" for p in MATRIX_IGNORE]]
        cmd += extra
        log(f"python stytch {version}: {' '.join(cmd[1:])}")
        proc = sh(cmd, env=pytest_env(), quiet=matrix)
        return Run(
            "python",
            version,
            proc.returncode,
            parse_junit(junit),
            error=_tail(proc) if matrix and proc.returncode not in (0, 1) else "",
        )


# --- Node SDK -----------------------------------------------------------------------------


def node_dir(version: str) -> Path:
    """``.venv-sdk-node-<version>``: package.json pinning ``stytch``, node_modules, and fresh
    copies of the scenario files."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH")
    target = ROOT / f".venv-sdk-node-{version}"
    target.mkdir(exist_ok=True)
    manifest = json.loads((NODE_SRC / "package.json").read_text(encoding="utf-8"))
    manifest["name"] = f"stytch-b2b-mock-node-contracts-sdk-{version}"
    manifest["dependencies"] = {**manifest.get("dependencies", {}), "stytch": version}
    (target / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    installed = target / "node_modules" / "stytch" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != version:
        log(f"npm install stytch@{version} into {target.name}")
        proc = sh([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target)
        if proc.returncode != 0:
            raise RuntimeError(f"npm install stytch@{version} failed:\n{proc.stderr}")
    for old in target.glob("*.mjs"):
        old.unlink()
    for src in NODE_SRC.glob("*.mjs"):  # the scenarios and their helpers.mjs
        shutil.copy2(src, target / src.name)
    return target


def run_node(version: str, extra: list[str]) -> Run:
    try:
        directory = node_dir(version)
    except RuntimeError as exc:
        return Run("node", version, 2, error=str(exc))
    return run_pytest(
        "node", version, ["contracts/test_node_sdk.py"], "STYTCH_NODE_DIR", directory, extra
    )


# --- Java SDK -----------------------------------------------------------------------------


def run_java(version: str, extra: list[str]) -> Run:
    return run_pytest(
        "java", version, ["contracts/test_java_sdk.py"], "STYTCH_JAVA_SDK", version, extra
    )


def run_pytest(
    kind: str,
    version: str,
    tests: list[str],
    env_name: str,
    directory: Path | str,
    extra: list[str],
) -> Run:
    """``pytest *tests`` with ``env_name`` naming the prepared ``directory`` (or the version);
    results per case."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            *tests,
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit2",
            *extra,
        ]
        env = {**pytest_env(), env_name: str(directory)}
        log(f"{kind} {version}: pytest {' '.join(tests)}")
        proc = sh(cmd, env=env)
        results = parse_junit(junit)
        errored = any(o == "ERROR" for o in results.values())
        return Run(
            kind,
            version,
            proc.returncode,
            results,
            error=_tail(proc) if proc.returncode not in (0, 1) or errored else "",
        )


def frontend_dir(spec: str) -> Path:
    """``.venv-sdk-frontend-<name>-<version>``: the package and esbuild from npm, and
    ``bundle.js`` (tests/frontend_sdk/<package>.mjs bundled for the browser)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH")
    package, _, version = spec.rpartition("@")
    short = package.rsplit("/", 1)[-1]
    target = ROOT / f".venv-sdk-frontend-{short}-{version}"
    target.mkdir(exist_ok=True)
    deps = {package: version, "esbuild": ESBUILD_VERSION}
    if short == "react":
        deps |= {"react": REACT_VERSION, "react-dom": REACT_VERSION}
    manifest = {"name": f"sdk-matrix-frontend-{short}-{version}", "private": True}
    (target / "package.json").write_text(json.dumps({**manifest, "dependencies": deps}) + "\n")
    installed = target / "node_modules" / package / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != version:
        log(f"npm install {spec} into {target.name}")
        proc = sh([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target)
        if proc.returncode != 0:
            raise RuntimeError(f"npm install {spec} failed:\n{proc.stderr}")
    shutil.copy2(FRONTEND_SRC / f"{short}.mjs", target / "entry.mjs")
    esbuild = target / "node_modules" / ".bin" / "esbuild"
    proc = sh(
        [
            str(esbuild),
            "entry.mjs",
            "--bundle",
            "--format=iife",
            "--platform=browser",
            "--define:process.env.NODE_ENV='production'",
            "--outfile=bundle.js",
            "--log-level=error",
        ],
        cwd=target,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"esbuild of {spec} failed:\n{proc.stderr}")
    (target / "package.txt").write_text(spec + "\n", encoding="utf-8")
    return target


def run_frontend(spec: str) -> Run:
    try:
        directory = frontend_dir(spec)
    except RuntimeError as exc:
        return Run("frontend", spec, 2, error=str(exc))
    return run_pytest("frontend", spec, FRONTEND_TESTS, "STYTCH_FRONTEND_DIR", directory, [])


# --- results ------------------------------------------------------------------------------


def _tail(proc: subprocess.CompletedProcess[str]) -> str:
    return ((proc.stdout or "") + (proc.stderr or ""))[-3000:]


def parse_junit(path: Path) -> dict[str, str]:
    """``{scenario id: pass|FAIL|skip|xfail|error}`` from pytest's JUnit XML."""
    if not path.exists():
        return {}
    results: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        module = classname.rsplit(".", 1)[-1] if classname else ""
        name = case.get("name", "")
        key = f"{module}::{name}" if module else name
        if case.find("failure") is not None:
            outcome = "FAIL"
        elif case.find("error") is not None:
            outcome = "ERROR"
        elif (skipped := case.find("skipped")) is not None:
            outcome = "xfail" if skipped.get("type") == "pytest.xfail" else "skip"
        else:
            outcome = "pass"
        # A test that passed and then failed at teardown appears twice: the worst one wins.
        if results.get(key) not in ("FAIL", "ERROR"):
            results[key] = outcome
    return results


def by_function(results: dict[str, str]) -> dict[str, str]:
    """Fold the parametrized cases of a test (``[sync]``/``[async]``, ...) into one row:
    ``pass``, ``skip``, ``xfail``, or ``FAIL 2/6`` (failed cases / cases)."""
    groups: dict[str, list[str]] = {}
    for name, outcome in results.items():
        per_scenario = name.startswith(("test_node_sdk::", "test_java_sdk::"))
        base = name if per_scenario else name.split("[", 1)[0]
        groups.setdefault(base, []).append(outcome)
    folded = {}
    for base, outcomes in groups.items():
        failed = sum(o in ("FAIL", "ERROR") for o in outcomes)
        if failed:
            folded[base] = f"FAIL {failed}/{len(outcomes)}"
        elif all(o == "pass" for o in outcomes):
            folded[base] = "pass"
        elif any(o == "pass" for o in outcomes):
            rest = sorted({o for o in outcomes if o != "pass"})
            folded[base] = "pass+" + "+".join(rest)
        else:
            folded[base] = "+".join(sorted(set(outcomes)))
    return folded


def table(runs: list[Run], *, markdown: bool, per_case: bool = False) -> str:
    cells = [run.results if per_case else by_function(run.results) for run in runs]
    scenarios = sorted({s for c in cells for s in c})
    headers = ["scenario", *[run.label for run in runs]]
    rows = [[s, *[c.get(s, "-") for c in cells]] for s in scenarios]
    totals = []
    for run in runs:
        counts = run.counts()
        totals.append(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no result")
    rows.append(["(total)", *totals])
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*["-" * w for w in widths])]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(lines)


def version_summary(runs: list[Run]) -> str:
    lines = []
    for run in runs:
        counts = run.counts()
        failed = counts.get("FAIL", 0) + counts.get("ERROR", 0)
        verdict = "passes" if run.results and failed == 0 and run.returncode == 0 else "FAILS"
        if run.error and not run.results:
            verdict = "could not run"
        lines.append(
            f"{run.label}: {verdict} ({', '.join(f'{n} {k}' for k, n in sorted(counts.items()))})"
        )
        if run.error:
            lines.append("    " + run.error.strip().replace("\n", "\n    "))
    return "\n".join(lines)


# --- commands -----------------------------------------------------------------------------


def cmd_contracts(args: argparse.Namespace) -> int:
    if not args.sdk:
        log("no --sdk: running the contract suite with the project's own .venv")
        return subprocess.call(
            [sys.executable, "-m", "pytest", "contracts", *args.pytest_args],
            cwd=ROOT,
            env=pytest_env(),
        )
    run = run_python(args.sdk, args.pytest_args, matrix=False)
    if run.error:
        print(run.error, file=sys.stderr)
    return run.returncode


def cmd_matrix(args: argparse.Namespace) -> int:
    python_versions = args.python if args.python is not None else PYTHON_VERSIONS
    node_versions = args.node if args.node is not None else NODE_VERSIONS
    runs = [run_python(v, args.pytest_args, matrix=True) for v in python_versions]
    if node_versions and shutil.which("node") and shutil.which("npm"):
        node_runs = [run_node(v, []) for v in node_versions]
    else:
        node_runs = []
        if node_versions:
            log("node/npm not on PATH: the Node SDK columns are left out")
    java_versions = args.java if args.java is not None else JAVA_VERSIONS
    if java_versions and shutil.which("java") and shutil.which("mvn"):
        java_runs = [run_java(v, []) for v in java_versions]
    else:
        java_runs = []
        if java_versions:
            log("java/mvn not on PATH: the Java SDK column is left out")
    frontend_specs = args.frontend if args.frontend is not None else FRONTEND_PACKAGES
    if frontend_specs and shutil.which("npm"):
        frontend_runs = [run_frontend(spec) for spec in frontend_specs]
    else:
        frontend_runs = []
        if frontend_specs:
            log("npm not on PATH: the frontend SDK columns are left out")
    out = []
    if runs:
        out += [
            "Python SDK (stytch on PyPI) x contract scenario",
            "",
            table(runs, markdown=args.markdown_stdout, per_case=args.per_case),
            "",
        ]
    if node_runs:
        out += [
            "Node SDK (stytch on npm) x Node scenario",
            "",
            table(node_runs, markdown=args.markdown_stdout, per_case=args.per_case),
            "",
        ]
    if java_runs:
        out += [
            "Java SDK (com.stytch.java:sdk on Maven Central) x Java scenario",
            "",
            table(java_runs, markdown=args.markdown_stdout, per_case=args.per_case),
            "",
        ]
    if frontend_runs:
        out += [
            "Frontend SDK (npm, in Chromium) x browser scenario",
            "",
            table(frontend_runs, markdown=args.markdown_stdout, per_case=args.per_case),
            "",
        ]
    out += ["Summary", "", version_summary(runs + node_runs + java_runs + frontend_runs)]
    text = "\n".join(out)
    print(text)
    if args.markdown:
        md = ["### Python SDK", "", table(runs, markdown=True, per_case=args.per_case), ""]
        if node_runs:
            md += ["### Node SDK", "", table(node_runs, markdown=True, per_case=args.per_case), ""]
        if java_runs:
            md += ["### Java SDK", "", table(java_runs, markdown=True, per_case=args.per_case), ""]
        if frontend_runs:
            md += [
                "### Frontend SDK",
                "",
                table(frontend_runs, markdown=True, per_case=args.per_case),
                "",
            ]
        md += ["```", version_summary(runs + node_runs + java_runs + frontend_runs), "```", ""]
        Path(args.markdown).write_text("\n".join(md), encoding="utf-8")
    bad = [
        r.label
        for r in runs + node_runs + java_runs + frontend_runs
        if (
            r.kind == "python"
            and r.version in SUPPORTED_PYTHON
            or r.kind == "node"
            and r.version in SUPPORTED_NODE
            or r.kind == "java"
            and r.version in SUPPORTED_JAVA
            or r.kind == "frontend"
            and r.version in SUPPORTED_FRONTEND
        )
        and (r.returncode != 0 or not r.results)
    ]
    if bad:
        log(f"supported versions that fail: {', '.join(bad)}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("contracts", help="run `pytest contracts` with one Python SDK version")
    one.add_argument("--sdk", help="stytch version from PyPI (default: the .venv's own)")
    one.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    one.set_defaults(func=cmd_contracts)
    many = sub.add_parser("matrix", help="run the suite for several SDK versions, print a table")
    many.add_argument(
        "--python",
        nargs="*",
        metavar="VERSION",
        help=f"PyPI stytch versions (default: {' '.join(PYTHON_VERSIONS)})",
    )
    many.add_argument(
        "--node",
        nargs="*",
        metavar="VERSION",
        help=f"npm stytch versions (default: {' '.join(NODE_VERSIONS)}; none with an empty --node)",
    )
    many.add_argument(
        "--java",
        nargs="*",
        metavar="VERSION",
        help=f"com.stytch.java:sdk versions (default: {' '.join(JAVA_VERSIONS)}; none with an "
        "empty --java)",
    )
    many.add_argument(
        "--frontend",
        nargs="*",
        metavar="PACKAGE@VERSION",
        help=f"frontend SDK packages (default: {' '.join(FRONTEND_PACKAGES)}; none with an "
        "empty --frontend)",
    )
    many.add_argument("--markdown", metavar="FILE", help="also write the tables as Markdown")
    many.add_argument(
        "--markdown-stdout", action="store_true", help="print Markdown tables instead of plain text"
    )
    many.add_argument(
        "--per-case",
        action="store_true",
        help="one row per parametrized case instead of per test function",
    )
    many.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    many.set_defaults(func=cmd_matrix)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
