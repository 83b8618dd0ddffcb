"""Settings of the reference app, read from the environment, then from a ``.env`` file.

=================== ======================================================================
STYTCH_PROJECT_ID   the Stytch project id (required)
STYTCH_SECRET       the project's secret (required)
STYTCH_API_URL      where the Stytch API is: the mock's URL (``http://127.0.0.1:8080/``);
                    unset means Stytch's own test (or live) environment
STYTCH_PUBLIC_TOKEN the project's public token: turns on "Continue with Google / Microsoft"
                    (OAuth through Stytch's start URLs; the mock's own provider offline) and
                    the frontend SDK login page (/sdk-login); unset turns both off
STYTCH_BROWSER_API_URL  the API's URL as the browser reaches it, for those start URLs
                    (default STYTCH_API_URL; e.g. http://localhost:8080/ under Docker)
APP_SECRET          the key that signs and encrypts the session cookie; unset means a random
                    key per process (every restart logs everybody out)
APP_URL             the app's public base URL, used for the magic links' redirect URL;
                    unset means the URL the browser used (``http://localhost:3000``)
HOST                address to bind (default 127.0.0.1; 0.0.0.0 inside a container)
PORT                port to listen on (default 3000)
=================== ======================================================================
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

ENV_NAMES = (
    "STYTCH_PROJECT_ID",
    "STYTCH_SECRET",
    "STYTCH_API_URL",
    "STYTCH_PUBLIC_TOKEN",
    "STYTCH_BROWSER_API_URL",
    "APP_SECRET",
    "APP_URL",
    "HOST",
    "PORT",
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


class ConfigError(ValueError):
    """A missing or malformed setting, worth a one-line message rather than a traceback."""


@dataclass(frozen=True)
class Config:
    project_id: str
    secret: str
    api_url: str | None = None
    app_secret: str = ""
    public_token: str | None = None
    app_url: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: True when APP_SECRET was not set and ``app_secret`` is a random per-process key
    ephemeral_app_secret: bool = False
    browser_api_url: str | None = None

    @property
    def talks_to_mock(self) -> bool:
        """True when the API is not Stytch's own (so ``/_mock/outbox`` is there to read)."""
        if not self.api_url:
            return False
        host = urlsplit(self.api_url).hostname or ""
        return not (host == "stytch.com" or host.endswith(".stytch.com"))

    @property
    def api_base(self) -> str:
        """The API base URL with a trailing slash (the SDK's ``environment`` value)."""
        assert self.api_url
        return self.api_url if self.api_url.endswith("/") else self.api_url + "/"

    @property
    def browser_api_base(self) -> str:
        """Where the browser starts OAuth: the API's base URL as the browser sees it."""
        url = self.browser_api_url or self.api_url
        if not url:  # Stytch itself, picked by the public token as the SDKs do
            live = (self.public_token or "").startswith("public-token-live-")
            return "https://api.stytch.com/" if live else "https://test.stytch.com/"
        return url if url.endswith("/") else url + "/"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None
    ) -> Config:
        """Values from ``environ`` (default ``os.environ``) win over those of ``env_file``
        (default ``./.env`` when it exists)."""
        environ = os.environ if environ is None else environ
        env_file = Path(".env") if env_file is None else env_file
        file_values = dotenv_values(env_file) if env_file.is_file() else {}

        def get(name: str) -> str | None:
            value = environ.get(name) or file_values.get(name)
            return value.strip() if value and value.strip() else None

        project_id, secret = get("STYTCH_PROJECT_ID"), get("STYTCH_SECRET")
        missing = [
            n for n, v in (("STYTCH_PROJECT_ID", project_id), ("STYTCH_SECRET", secret)) if not v
        ]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} must be set (environment or .env)")
        api_url = get("STYTCH_API_URL")
        if api_url and urlsplit(api_url).scheme not in ("http", "https"):
            raise ConfigError(f"STYTCH_API_URL must be an http(s) URL, not {api_url!r}")
        app_url = get("APP_URL")
        if app_url and urlsplit(app_url).scheme not in ("http", "https"):
            raise ConfigError(f"APP_URL must be an http(s) URL, not {app_url!r}")
        raw_port = get("PORT") or str(DEFAULT_PORT)
        try:
            port = int(raw_port)
        except ValueError:
            raise ConfigError(f"PORT must be a number, not {raw_port!r}") from None
        if not 0 <= port <= 65535:
            raise ConfigError(f"PORT must be between 0 and 65535, not {port}")
        app_secret = get("APP_SECRET")
        browser_api_url = get("STYTCH_BROWSER_API_URL")
        if browser_api_url and urlsplit(browser_api_url).scheme not in ("http", "https"):
            raise ConfigError(
                f"STYTCH_BROWSER_API_URL must be an http(s) URL, not {browser_api_url!r}"
            )
        return cls(
            project_id=project_id or "",
            secret=secret or "",
            api_url=api_url,
            public_token=get("STYTCH_PUBLIC_TOKEN"),
            app_secret=app_secret or secrets.token_urlsafe(32),
            app_url=app_url.rstrip("/") if app_url else None,
            host=get("HOST") or DEFAULT_HOST,
            port=port,
            ephemeral_app_secret=app_secret is None,
            browser_api_url=browser_api_url,
        )


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (for the Content-Security-Policy)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
