"""Sign in with SSO: the organization's SAML or OIDC connection, through Stytch's browser
route ``GET /v1/public/sso/start`` (https://stytch.com/docs/api-reference/b2b/api/sso/shared/start-sso-authenticate).

``GET /sso/start?organization=<slug>`` sends the browser to Stytch with the project's public
token and this app's ``/authenticate`` as both redirect URLs; Stytch sends it on to the
organization's identity provider and back to ``/authenticate?stytch_token_type=sso&token=…``,
where ``app.authenticate`` calls ``sso.authenticate``.

The public token comes from ``STYTCH_PUBLIC_TOKEN``; against the mock, unset means the mock's
own (``GET /_mock/project``).
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import aiohttp

from .config import Config, origin

STYTCH_TEST_API = "https://test.stytch.com/"
STYTCH_LIVE_API = "https://api.stytch.com/"


def api_base(config: Config) -> str:
    """Where the browser goes for Stytch's public routes: ``STYTCH_BROWSER_API_URL`` when the
    browser reaches the API at another address than the app does (Docker: the app talks to
    ``http://mock:8080/``, the browser to ``http://localhost:8080/``), else the API's URL."""
    if config.api_url or config.browser_api_url:
        return config.browser_api_base
    return STYTCH_LIVE_API if config.project_id.startswith("project-live-") else STYTCH_TEST_API


def form_action_origin(config: Config) -> str:
    """The origin a form on this app may lead to besides the app itself (the SSO start)."""
    return origin(api_base(config))


async def public_token(config: Config, http: aiohttp.ClientSession) -> str | None:
    """STYTCH_PUBLIC_TOKEN, else (against the mock) the mock's own, else None."""
    if config.public_token:
        return config.public_token
    if not config.talks_to_mock:
        return None
    credentials = base64.b64encode(f"{config.project_id}:{config.secret}".encode()).decode()
    async with http.get(
        config.api_base + "_mock/project", headers={"Authorization": f"Basic {credentials}"}
    ) as resp:
        if resp.status == 200:
            body = await resp.json(content_type=None)
            if isinstance(body, dict) and body.get("public_token"):
                return str(body["public_token"])
    return None


def start_url(config: Config, token: str, organization: str, redirect_url: str) -> str:
    query = {
        "organization_id": organization,
        "public_token": token,
        "login_redirect_url": redirect_url,
        "signup_redirect_url": redirect_url,
    }
    return api_base(config) + "v1/public/sso/start?" + urlencode(query)
