"""The reference app's frontend-SDK pages without a browser: what the server side does (the
browser runs are in test_frontend_sdk_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.pytest_plugin import StytchMock
from reference_app import Config, create_app
from reference_app.frontend_sdk import BUNDLE_DIR, BUNDLES, SESSION_COOKIE
from tests.support import log_in, org_with_member
from tests.test_reference_app import app_config

installed = pytest.mark.skipif(
    not (BUNDLE_DIR / BUNDLES["b2b.js"]).is_file(),
    reason="`make install` fetches @stytch/vanilla-js with npm",
)


async def _client(aiohttp_client: Any, config: Config) -> Any:
    return await aiohttp_client(create_app(config))


@installed
async def test_login_page_wires_the_sdk_to_the_mock(
    stytch_mock: StytchMock, aiohttp_client: Any
) -> None:
    client = await _client(
        aiohttp_client, app_config(stytch_mock, public_token=stytch_mock.public_token)
    )
    resp = await client.get("/sdk-login")
    html = await resp.text()
    assert resp.status == 200
    assert f'data-public-token="{stytch_mock.public_token}"' in html
    assert f'data-api-url="{stytch_mock.url.rstrip("/")}"' in html
    assert 'data-redirect-url="http://127.0.0.1:' in html and '/sdk-login"' in html
    csp = resp.headers["Content-Security-Policy"]
    assert f"connect-src 'self' {stytch_mock.url.rstrip('/')};" in csp
    assert "script-src" not in csp and "'unsafe-eval'" not in csp  # scripts: 'self' only
    bundle = await client.get("/static/stytch/b2b.js")
    assert bundle.status == 200
    assert bundle.headers["Content-Type"].startswith("text/javascript")
    assert (await bundle.read()).startswith(b"var stytch=")
    assert (await client.get("/static/stytch/../../app.py")).status == 404
    assert (await client.get("/static/stytch/other.js")).status == 404


async def test_login_page_is_off_without_a_public_token(
    stytch_mock: StytchMock, aiohttp_client: Any
) -> None:
    client = await _client(aiohttp_client, app_config(stytch_mock))
    resp = await client.get("/sdk-login")
    assert resp.status == 404
    assert "STYTCH_PUBLIC_TOKEN" in await resp.text()


@installed
async def test_dashboard_checks_the_sdks_session_cookie(
    stytch_mock: StytchMock, aiohttp_client: Any
) -> None:
    client = await _client(
        aiohttp_client, app_config(stytch_mock, public_token=stytch_mock.public_token)
    )
    resp = await client.get("/sdk-dashboard", allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (303, "/sdk-login")

    org, _ = org_with_member(stytch_mock, "ada@acme.com", name="Acme Co")
    token = log_in(stytch_mock, org.organization_id, "ada@acme.com").session_token
    resp = await client.get("/sdk-dashboard", cookies={SESSION_COOKIE: token})
    html = await resp.text()
    assert resp.status == 200
    assert "ada@acme.com" in html and "Acme Co" in html
    assert '<button type="button" id="logout">' in html

    stytch_mock.client.sessions.revoke(session_token=token)
    resp = await client.get(
        "/sdk-dashboard", cookies={SESSION_COOKIE: token}, allow_redirects=False
    )
    assert (resp.status, resp.headers["Location"]) == (303, "/sdk-login")


def test_config_reads_the_public_token(tmp_path: Any) -> None:
    config = Config.from_env(
        {
            "STYTCH_PROJECT_ID": "project-test-x",
            "STYTCH_SECRET": "s",
            "STYTCH_PUBLIC_TOKEN": "public-token-test-x",
        },
        env_file=tmp_path / "none",
    )
    assert config.public_token == "public-token-test-x"
