"""The quickstart examples (examples/): each one's discovery login, end to end through the
mock's outbox, as a person would do it in a browser: email, link, dashboard, logout; then a
second login of the same email joins the organization the first one made."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mockserver.pytest_plugin import StytchMock

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.slow


def _start(command: list[str], cwd: Path, mock: StytchMock, pattern: str) -> Iterator[str]:
    env = {
        **os.environ,
        "STYTCH_PROJECT_ID": mock.project_id,
        "STYTCH_SECRET": mock.secret,
        "STYTCH_API_URL": mock.url,
        "PORT": "0",
    }
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                yield match.group(1)
                return
        pytest.fail("the example did not start:\n" + "".join(seen))
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def flask_app(stytch_mock: StytchMock) -> Iterator[str]:
    pytest.importorskip("flask", reason="the Flask example needs flask (the dev extra has it)")
    yield from _start(
        [sys.executable, "app.py"],
        EXAMPLES / "python-flask",
        stytch_mock,
        r"Running on (http://127\.0\.0\.1:\d+)",
    )


@pytest.fixture
def express_app(stytch_mock: StytchMock) -> Iterator[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the Express example needs Node.js and npm on PATH")
    directory = EXAMPLES / "node-express"
    if not (directory / "node_modules" / "express").is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if installed.returncode != 0:
            pytest.skip(
                f"npm ci failed (is the npm registry reachable?): {installed.stderr[-500:]}"
            )
    yield from _start([node, "app.mjs"], directory, stytch_mock, r"listening on (http://\S+?)/?$")


def _log_in(mock: StytchMock, app_url: str, email: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    sent = browser.post(app_url + "/login", data={"email": email}, timeout=30)
    assert sent.status_code == 200 and "Check" in sent.text
    link = mock.outbox.latest_link(email)
    assert link.startswith(app_url + "/authenticate?"), link
    dashboard = browser.get(link, timeout=30)  # follows the redirect to /dashboard
    assert dashboard.url == app_url + "/dashboard", dashboard.url
    return browser, dashboard.text


@pytest.mark.parametrize("app", ["flask_app", "express_app"])
def test_the_example_logs_in_joins_and_logs_out(
    app: str, stytch_mock: StytchMock, request: pytest.FixtureRequest
) -> None:
    app_url = request.getfixturevalue(app).rstrip("/")
    browser, page = _log_in(stytch_mock, app_url, "ada@acme-widgets.com")
    assert "<b id=member>ada@acme-widgets.com</b>" in page
    assert "<b id=organization>acme-widgets</b>" in page  # made through discovery create

    # The same email again: discovery finds the organization and the example joins it.
    _, again = _log_in(stytch_mock, app_url, "ada@acme-widgets.com")
    assert "<b id=organization>acme-widgets</b>" in again
    orgs = stytch_mock.client.organizations.search()
    assert [o.organization_slug for o in orgs.organizations] == ["acme-widgets"]

    out = browser.post(app_url + "/logout", timeout=30)
    assert out.url == app_url + "/"  # back at the login form
    assert 'name="email"' in out.text
    sessions = stytch_mock.client.sessions.get(
        organization_id=orgs.organizations[0].organization_id,
        member_id=stytch_mock.client.organizations.members.search(
            organization_ids=[orgs.organizations[0].organization_id]
        )
        .members[0]
        .member_id,
    )
    assert len(sessions.member_sessions) == 1  # the first login's session was revoked
