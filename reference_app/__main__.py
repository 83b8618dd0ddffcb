"""``python -m reference_app``: serve the reference app (settings from the environment/.env)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from .app import create_app, listening_url
from .config import Config, ConfigError


def main() -> int:
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"reference_app: error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if config.ephemeral_app_secret:
        print(
            "reference_app: APP_SECRET is not set; using a random key "
            "(a restart logs everybody out)",
            file=sys.stderr,
        )
    target = config.api_url or "Stytch's API"
    print(f"reference_app: talking to {target}; open {listening_url(config)}", flush=True)
    web.run_app(create_app(config), host=config.host, port=config.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
