"""One Stytch project's state.

A :class:`Project` is its configuration, its clock and its stores (:mod:`.stores`): one store
per collection (organizations, members, sessions, magic links, intermediate sessions, outbox,
signing keys), each the only owner of its dicts and indexes, so every lookup the API needs is
O(1). The API families live in sibling modules as functions over a Project.

Atomicity: the server runs the domain on one asyncio event loop, and no domain function awaits,
so a check-then-consume on a token can never interleave with another request.
"""

from __future__ import annotations

import hmac
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from .. import errors
from ..clock import Clock
from .frontend import FrontendSettings
from .keys import SigningKey
from .stores import (
    STORES,
    IntermediateSessions,
    MagicLinks,
    Members,
    Organizations,
    Outbox,
    Sessions,
    SigningKeys,
    Store,
)

DEFAULT_REDIRECT_URL = "http://localhost:3000/authenticate"
# Public tokens of configured projects are derived from the project id (the same on every
# start, so a frontend's config keeps working); open projects get a random one.
_PUBLIC_TOKENS = uuid.UUID("6d6f636b-7075-4262-8c69-632d746f6b65")
PUBLIC_TOKEN = re.compile(r"public-token-(test|live)-[0-9a-f-]{36}")


def default_public_token(project_id: str) -> str:
    env = "live" if project_id.startswith("project-live-") else "test"
    return f"public-token-{env}-{uuid.uuid5(_PUBLIC_TOKENS, project_id)}"


def random_public_token() -> str:
    return f"public-token-test-{uuid.uuid4()}"


@dataclass
class ProjectConfig:
    project_id: str
    secret: str
    redirect_urls: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URL])
    # The token the frontend SDKs identify the project with (``public-token-test-<uuid>``).
    public_token: str = ""
    # What the frontend SDK may do and reads from its bootstrap object (domain.frontend).
    frontend: FrontendSettings = field(default_factory=FrontendSettings)

    def __post_init__(self) -> None:
        if not self.public_token:
            self.public_token = default_public_token(self.project_id)

    @property
    def env(self) -> str:
        return "live" if self.project_id.startswith("project-live-") else "test"


class Project:
    # One attribute per store of stores.STORES (set by __init__ from that list).
    organizations: Organizations
    members: Members
    sessions: Sessions
    magic_links: MagicLinks
    intermediate_sessions: IntermediateSessions
    outbox: Outbox
    signing_keys: SigningKeys

    def __init__(self, config: ProjectConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        for store_type in STORES:
            setattr(self, store_type.name, store_type.empty(config))

    # --- identity ---------------------------------------------------------------------

    @property
    def project_id(self) -> str:
        return self.config.project_id

    @property
    def public_token(self) -> str:
        return self.config.public_token

    @property
    def env(self) -> str:
        return self.config.env

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(secret.encode(), self.config.secret.encode())

    @property
    def key(self) -> SigningKey:
        """The project's current RS256 signing key (signing_keys.current)."""
        return self.signing_keys.current

    # --- state --------------------------------------------------------------------------

    @property
    def stores(self) -> list[Store[Any]]:
        """The project's stores, in the order of stores.STORES."""
        return [getattr(self, store_type.name) for store_type in STORES]

    def reset(self) -> None:
        """Forget every object, empty the outbox and put the clock back; keep the signing keys."""
        for store in self.stores:
            if not store.kept_on_reset:
                store.clear()
        self.clock.reset()

    def adopt_stores(self, other: Project) -> None:
        """Take over ``other``'s stores (see state.import_state)."""
        for store_type in STORES:
            setattr(self, store_type.name, getattr(other, store_type.name))

    def now(self) -> datetime:
        return self.clock.now()

    # --- redirect URLs ------------------------------------------------------------------

    def resolve_redirect_url(self, url: str | None) -> str:
        """The URL a link points at: the one given, if registered, else the default."""
        if url is None or url == "":
            return self.config.redirect_urls[0]
        # Exact match (``www.`` ignored, as Stytch does); ``*`` in a registered URL matches any
        # run of characters within a host, port or path segment (Stytch allows it in Test).
        normalised = _normalise_url(url)
        if not any(
            _registered(pattern).fullmatch(normalised) for pattern in self.config.redirect_urls
        ):
            raise errors.no_match_for_provided_magic_link_url()
        return url


def _normalise_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    return f"{parts.scheme.lower()}://{host}{parts.path or '/'}" + (
        f"?{parts.query}" if parts.query else ""
    )


@lru_cache(maxsize=256)
def _registered(pattern: str) -> re.Pattern[str]:
    """A registered URL as a regular expression, made once per URL."""
    return re.compile(re.escape(_normalise_url(pattern)).replace(r"\*", r"[^/?#]*"))


__all__ = ["Project", "ProjectConfig", "DEFAULT_REDIRECT_URL", "default_public_token"]
