"""The Stytch B2B reference app: the quickstart's discovery login as a small aiohttp app.

Run it against the mock with ``make run`` (or ``python -m reference_app.devserver``), or on
its own with ``python -m reference_app`` (settings: see :mod:`reference_app.config`).
"""

from .app import create_app
from .config import Config, ConfigError

__all__ = ["Config", "ConfigError", "create_app"]
