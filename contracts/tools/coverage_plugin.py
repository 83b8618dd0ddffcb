"""pytest plugin: which contract scenario sent which request to the mock.

Load it with ``-p contracts.tools.coverage_plugin`` and ``STYTCH_COVERAGE_OUT=<file.json>``
(contracts/tools/coverage.py does both). It changes nothing in a run; it records:

- every request the in-process mock serves, server side (an ``on_response_prepare`` signal on
  each app :class:`mockserver.server.MockServer` builds), as ``METHOD /route/{template}``,
  attributed to the test running at that moment: whatever sent it (the Python SDK, sync or
  async, raw HTTP, the Node or Java SDK in a subprocess), it is counted;
- every collected contract test: its module, function, the targets it runs on, and its outcome.

A test is *mock-only* when it carries ``@pytest.mark.mock_only(reason)`` (a module's
``pytestmark`` too) or uses the ``mock``/``stytch_mock``/``stytch_mock_server`` fixture (the
reason then is the conftest's ``MOCK_ONLY``); any other runs on both targets.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from typing import Any

import pytest

MOCK_FIXTURES = ("mock", "stytch_mock", "stytch_mock_server")

_lock = threading.Lock()
_current: dict[str, str | None] = {"nodeid": None}
_requests: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_tests: dict[str, dict[str, Any]] = {}


def _route_key(request: Any) -> str | None:
    info = getattr(request, "match_info", None)
    route = getattr(info, "route", None)
    resource = getattr(route, "resource", None)
    if resource is None:
        return None
    return f"{request.method} {resource.canonical}"


async def _on_response_prepare(request: Any, response: Any) -> None:
    key = _route_key(request)
    nodeid = _current["nodeid"]
    if key is None or nodeid is None:
        return
    with _lock:
        _requests[key][nodeid] += 1


def _install() -> None:
    import mockserver.server as server_module

    original = server_module.create_app
    if getattr(original, "_coverage_wrapped", False):
        return

    def create_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        app.on_response_prepare.append(_on_response_prepare)
        return app

    create_app._coverage_wrapped = True  # type: ignore[attr-defined]
    server_module.create_app = create_app


def pytest_configure(config: pytest.Config) -> None:
    _install()


def _targets(item: pytest.Item) -> tuple[str, str]:
    marker = item.get_closest_marker("mock_only")
    if marker is not None:
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
        return "mock-only", str(reason)
    if any(name in item.fixturenames for name in MOCK_FIXTURES):
        try:
            from contracts.conftest import MOCK_ONLY

            reason = MOCK_ONLY
        except Exception:  # the conftest renamed it
            reason = "uses the mock's control handle"
        return "mock-only", reason
    return "mock + stytch", ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        targets, reason = _targets(item)
        func = getattr(item, "originalname", None) or item.name.split("[", 1)[0]
        _tests[item.nodeid] = {
            "module": item.nodeid.split("::", 1)[0],
            "function": func,
            "name": item.name,
            "doc": (getattr(getattr(item, "function", None), "__doc__", None) or "").strip(),
            "targets": targets,
            "reason": reason,
            "outcome": "not run",
        }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    _current["nodeid"] = item.nodeid
    try:
        yield
    finally:
        _current["nodeid"] = None


_RANK = {"not run": 0, "passed": 1, "skipped": 2, "xfailed": 3, "xpassed": 4, "failed": 5}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _tests.get(report.nodeid)
    if entry is None:
        return
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    elif report.failed:
        outcome = "failed"
    elif report.skipped:
        outcome = "skipped"
    elif report.when == "call":
        outcome = "passed"
    else:
        return
    if _RANK[outcome] > _RANK[entry["outcome"]]:
        entry["outcome"] = outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out = os.environ.get("STYTCH_COVERAGE_OUT")
    if not out:
        return
    with _lock:
        data = {
            "exitstatus": int(exitstatus),
            "tests": _tests,
            "requests": {key: dict(by_test) for key, by_test in _requests.items()},
        }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
