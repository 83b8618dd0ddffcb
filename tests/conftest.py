"""Fixtures of the project's own tests (mock-only behaviour).

The ``stytch_mock`` fixture (the pytest plugin) gives the session-wide in-process server with
an empty project per test. Tests that need other projects use ``two_projects`` or
``open_server``: one extra MockServer each, started once per session on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockserver.domain.project import ProjectConfig
from mockserver.pytest_plugin import (
    FIXTURE_PROJECT_ID,
    FIXTURE_REDIRECT_URLS,
    FIXTURE_SECRET,
    StytchMock,
)
from mockserver.server import MockServer
from tests.support import PROJECT_A, PROJECT_B, handle


@pytest.fixture
def fresh() -> Iterator[StytchMock]:
    """The fixture's project on a server of its own, started for this test (its own signing
    key, nothing imported yet): where a state document goes in a round trip."""
    config = ProjectConfig(FIXTURE_PROJECT_ID, FIXTURE_SECRET, list(FIXTURE_REDIRECT_URLS))
    with MockServer([config]) as server:
        yield StytchMock(server.url, FIXTURE_PROJECT_ID, FIXTURE_SECRET)


@dataclass
class TwoProjects:
    server: MockServer
    a: StytchMock
    b: StytchMock


@pytest.fixture(scope="session")
def two_projects_server() -> Iterator[MockServer]:
    with MockServer([PROJECT_A, PROJECT_B]) as server:
        yield server


@pytest.fixture
def two_projects(two_projects_server: MockServer) -> TwoProjects:
    """Projects A and B of one extra server, both empty at the start of the test."""
    a = handle(two_projects_server, PROJECT_A)
    b = handle(two_projects_server, PROJECT_B)
    a.reset()
    b.reset()
    return TwoProjects(two_projects_server, a, b)


@pytest.fixture(scope="session")
def open_server() -> Iterator[MockServer]:
    """A server with open projects (and project A configured)."""
    with MockServer([PROJECT_A], open_projects=True) as server:
        yield server


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) and no STYTCH_* variables."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STYTCH_PROJECT_ID", raising=False)
    monkeypatch.delenv("STYTCH_SECRET", raising=False)
    return tmp_path


# --- a real browser: Debian's Chromium driven by Playwright --------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> Iterator[object]:
    """A headless Chromium (Debian's, never a downloaded one); skipped with the reason where
    it or Playwright is missing (.ci/run installs Chromium with apt-get)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
