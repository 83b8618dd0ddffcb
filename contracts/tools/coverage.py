"""Regenerate the scenario list and the endpoint coverage table of contracts/README.md.

::

    python contracts/tools/coverage.py            # `make contracts-report`
    python contracts/tools/coverage.py --check    # exit 1 when the README is out of date
    python contracts/tools/coverage.py --from-json run.json   # no pytest run

It runs the contract suite on the mock (``pytest contracts``, Schemathesis left out: it fuzzes
every operation by construction) with the recorder ``contracts.tools.coverage_plugin``, then
rewrites what lies between these markers of contracts/README.md:

- ``<!-- scenarios:start -->`` / ``<!-- scenarios:end -->``: every scenario (test function,
  its sync/async and other cases folded), the targets it runs on (mock + stytch, or mock-only
  with the reason) and its result in this run;
- ``<!-- coverage:start -->`` / ``<!-- coverage:end -->``: every endpoint the mock implements
  (``mockserver.openapi.stytch_operations()``) x the scenarios whose requests
  reached it, server side (whatever sent them: the Python SDK, raw HTTP, the Node or Java
  SDK).

New test files need nothing: whatever pytest collects under contracts/ is listed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "contracts" / "README.md"
IGNORE = ["contracts/test_schemathesis.py"]
# The SDK scenarios that run in one subprocess (one `node --test`, one JVM): each scenario is a
# row of its own, named by its parameter, and their requests count together in one column.
SDK_MODULES = {
    "contracts/test_node_sdk.py": ("node", "the Node SDK scenarios (contracts/node/*.test.mjs)"),
    "contracts/test_java_sdk.py": ("java", "the Java SDK scenarios (contracts/java)"),
}
SDK_COLUMNS = [column for column, _ in SDK_MODULES.values()]
MARKERS = {
    "scenarios": ("<!-- scenarios:start -->", "<!-- scenarios:end -->"),
    "coverage": ("<!-- coverage:start -->", "<!-- coverage:end -->"),
}
OUTCOME_WORD = {
    "passed": "pass",
    "failed": "FAIL",
    "skipped": "skip",
    "xfailed": "xfail",
    "xpassed": "XPASS",
    "not run": "not run",
}


def run_suite(extra: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        env = {**os.environ, "STYTCH_COVERAGE_OUT": str(out), "STYTCH_CONTRACT_TARGET": "mock"}
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "contracts",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "contracts.tools.coverage_plugin",
            *[f"--ignore={p}" for p in IGNORE],
            *extra,
        ]
        print("coverage: " + " ".join(cmd[1:]), file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
        tail = [line for line in proc.stdout.splitlines() if line.strip()][-1:]
        print(
            "coverage: pytest: " + (tail[0] if tail else f"exit {proc.returncode}"), file=sys.stderr
        )
        if not out.exists():
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
            raise SystemExit(f"coverage: pytest wrote no report (exit {proc.returncode})")
        return json.loads(out.read_text(encoding="utf-8"))


def implemented_endpoints() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from mockserver.openapi import stytch_operations

    found = [f"{method} {path}" for method, path in stytch_operations()]
    return sorted(found, key=lambda k: (k.split(" ", 1)[1], k.split(" ", 1)[0]))


def scenario_of(nodeid: str, test: dict[str, Any] | None) -> str:
    """The row a test case folds into: ``module::function``; each Node or Java scenario by
    name."""
    module = nodeid.split("::", 1)[0]
    if module in SDK_MODULES and test is not None and "[" in test["name"]:
        return f"{module}::{test['name'].split('[', 1)[1].rstrip(']')}"
    func = test["function"] if test else nodeid.split("::", 1)[-1].split("[", 1)[0]
    return f"{module}::{func}"


def fold_outcomes(outcomes: list[str]) -> str:
    words = [OUTCOME_WORD.get(o, o) for o in outcomes]
    failed = sum(w == "FAIL" for w in words)
    if failed:
        return f"FAIL {failed}/{len(words)}"
    distinct = sorted(set(words), key=["pass", "xfail", "skip", "XPASS", "not run"].index)
    return "+".join(distinct)


def scenarios_table(data: dict[str, Any]) -> str:
    rows: dict[str, dict[str, Any]] = {}
    for nodeid, test in data["tests"].items():
        key = scenario_of(nodeid, test)
        row = rows.setdefault(key, {"outcomes": [], "targets": set(), "reasons": set()})
        row["outcomes"].append(test["outcome"])
        row["targets"].add(test["targets"])
        if test["reason"]:
            row["reasons"].add(test["reason"].removeprefix("mock-only: "))
    lines = [
        "| scenario | targets | cases | result on the mock |",
        "|---|---|---|---|",
    ]
    for key in sorted(rows):
        row = rows[key]
        module, name = key.split("::", 1)
        targets = "mock-only" if "mock-only" in row["targets"] else "mock + stytch"
        if row["reasons"]:
            targets += ": " + "; ".join(sorted(row["reasons"]))
        lines.append(
            f"| `{Path(module).stem}` {_md(name)} | {_md(targets)} | {len(row['outcomes'])} "
            f"| {fold_outcomes(row['outcomes'])} |"
        )
    return "\n".join(lines)


def _endpoint_modules(data: dict[str, Any]) -> dict[str, dict[str, set[str]]]:
    """endpoint -> module label -> scenario names whose requests reached it."""
    tests = data["tests"]
    out: dict[str, dict[str, set[str]]] = {}
    for endpoint, by_test in data["requests"].items():
        modules: dict[str, set[str]] = defaultdict(set)
        for nodeid in by_test:
            module = nodeid.split("::", 1)[0]
            if module in SDK_MODULES:
                # The Node (Java) scenarios run in one process: they are counted together.
                column, label = SDK_MODULES[module]
                modules[column].add(label)
                continue
            test = tests.get(nodeid)
            func = test["function"] if test else nodeid.split("::", 1)[-1].split("[", 1)[0]
            modules[Path(module).stem].add(func)
        out[endpoint] = modules
    return out


def coverage_table(data: dict[str, Any]) -> str:
    by_endpoint = _endpoint_modules(data)
    endpoints = implemented_endpoints()
    seen = {m for mods in by_endpoint.values() for m in mods}
    columns = sorted(seen - set(SDK_COLUMNS)) + [c for c in SDK_COLUMNS if c in seen]
    short = [c.removeprefix("test_") for c in columns]
    lines = [
        "Scenarios (test functions) whose requests reached each endpoint, per test module "
        "(`node`, `java`: the Node and the Java SDK scenarios, each counted together as one).",
        "",
        "| endpoint | total | " + " | ".join(short) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for endpoint in endpoints:
        modules = by_endpoint.get(endpoint, {})
        cells = [str(len(modules[c])) if modules.get(c) else "" for c in columns]
        total = sum(len(v) for v in modules.values())
        lines.append(f"| `{endpoint}` | {total or '**0**'} | " + " | ".join(cells) + " |")
    uncovered = [e for e in endpoints if e not in by_endpoint]
    lines += [
        "",
        f"{len(endpoints) - len(uncovered)} of {len(endpoints)} implemented endpoints are "
        "reached by at least one scenario"
        + (f"; not reached: {', '.join(f'`{e}`' for e in uncovered)}." if uncovered else "."),
        "",
        "<details><summary>Which scenarios reach each endpoint</summary>",
        "",
    ]
    for endpoint in endpoints:
        modules = by_endpoint.get(endpoint, {})
        lines.append(f"- `{endpoint}`")
        for module in columns:
            names = sorted(modules.get(module, ()))
            if names:
                lines.append(f"  - `{module}`: " + ", ".join(_md(n) for n in names))
        if not modules:
            lines.append("  - none")
    lines += ["", "</details>"]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def replace_between(text: str, start: str, end: str, body: str) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"coverage: {README} lacks the markers {start} ... {end}")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text, count=1)


def render(readme: str, data: dict[str, Any]) -> str:
    summary = _summary(data)
    readme = replace_between(
        readme, *MARKERS["scenarios"], summary + "\n\n" + scenarios_table(data)
    )
    return replace_between(readme, *MARKERS["coverage"], coverage_table(data))


def _summary(data: dict[str, Any]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for test in data["tests"].values():
        counts[OUTCOME_WORD.get(test["outcome"], test["outcome"])] += 1
    total = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    return (
        f"Generated by `make contracts-report` from a run of the suite on the mock "
        f"({len(data['tests'])} cases: {total})."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 when the README's tables differ"
    )
    parser.add_argument(
        "--from-json",
        metavar="FILE",
        help="use a recorded run (STYTCH_COVERAGE_OUT) instead of running pytest",
    )
    parser.add_argument("--save-json", metavar="FILE", help="keep the recorded run")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
    else:
        data = run_suite(args.pytest_args)
    if args.save_json:
        Path(args.save_json).write_text(json.dumps(data, indent=1, sort_keys=True))
    current = README.read_text(encoding="utf-8")
    updated = render(current, data)
    if args.check:
        if updated != current:
            print("coverage: contracts/README.md is out of date (make contracts-report)")
            return 1
        return 0
    if updated != current:
        README.write_text(updated, encoding="utf-8")
        print(f"coverage: rewrote the tables of {README.relative_to(ROOT)}")
    else:
        print(f"coverage: {README.relative_to(ROOT)} is up to date")
    if data.get("exitstatus", 0) not in (0,):
        print(
            f"coverage: note: the suite itself exited {data['exitstatus']} (see the result column)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
