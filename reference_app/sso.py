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
import os
from urllib.parse import urlencode, urlsplit

from aiohttp import web

STYTCH_TEST_API = "https://test.stytch.com/"
STYTCH_LIVE_API = "https://api.stytch.com/"


def api_base(config: object) -> str:
    """Where the browser goes for Stytch's public routes."""
    if getattr(config, "api_url", None):
        return config.api_base  # type: ignore[attr-defined]
    project_id = getattr(config, "project_id", "")
    return STYTCH_LIVE_API if project_id.startswith("project-live-") else STYTCH_TEST_API


def form_action_origin(config: object) -> str:
    """The origin a form on this app may lead to besides the app itself (the SSO start)."""
    parts = urlsplit(api_base(config))
    return f"{parts.scheme}://{parts.netloc}"


async def public_token(app: web.Application, config: object, http: object) -> str | None:
    configured = getattr(config, "public_token", None) or os.environ.get("STYTCH_PUBLIC_TOKEN")
    if configured:
        return str(configured)
    if not getattr(config, "talks_to_mock", False):
        return None
    project_id = config.project_id  # type: ignore[attr-defined]
    secret = config.secret  # type: ignore[attr-defined]
    credentials = base64.b64encode(f"{project_id}:{secret}".encode()).decode()
    async with http.get(  # type: ignore[attr-defined]
        api_base(config) + "_mock/project", headers={"Authorization": f"Basic {credentials}"}
    ) as resp:
        if resp.status == 200:
            body = await resp.json(content_type=None)
            if isinstance(body, dict) and body.get("public_token"):
                return str(body["public_token"])
    return None


def start_url(config: object, token: str, organization: str, redirect_url: str) -> str:
    query = {
        "organization_id": organization,
        "public_token": token,
        "login_redirect_url": redirect_url,
        "signup_redirect_url": redirect_url,
    }
    return api_base(config) + "v1/public/sso/start?" + urlencode(query)
