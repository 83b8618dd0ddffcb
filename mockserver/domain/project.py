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
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from .. import errors
from ..clock import Clock
from .faults import Faults
from .frontend import FrontendSettings
from .keys import SigningKey
from .mfa import MfaSettings
from .passwords.policy import DEFAULT_POLICY, PasswordPolicy
from .rate_limits import RateLimits
from .request_log import RequestLog
from .stores import (
    STORES,
    BuiltInIdentityProvider,
    ImpersonationTokens,
    IntermediateSessions,
    M2MClients,
    MagicLinks,
    MemberPasswords,
    Members,
    OAuthProviderTokens,
    OAuthRequests,
    OAuthTokens,
    OneTimeCodes,
    Organizations,
    Outbox,
    RBACPolicy,
    SCIMConnections,
    SCIMGroups,
    Sessions,
    SigningKeys,
    SSOConnections,
    SSOStarts,
    SSOTokens,
    Store,
    TotpRegistrations,
)
from .stores.outbox import DEFAULT_MAX_MESSAGES

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
    # The project's RBAC policy document (domain/rbac.py); None is Stytch's default policy.
    rbac_policy: dict[str, Any] | None = None
    # Password settings (strength policy, breach check, locks, hashing cost).
    passwords: PasswordPolicy = DEFAULT_POLICY
    # Messages the outbox keeps (the oldest dropped past it): the server's --outbox-max.
    outbox_max: int = DEFAULT_MAX_MESSAGES
    # MFA choices where Stytch publishes nothing (mfa.MfaSettings, PUT /_mock/settings/mfa).
    mfa: MfaSettings = field(default_factory=MfaSettings)
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
    oauth_requests: OAuthRequests
    oauth_tokens: OAuthTokens
    oauth_provider_tokens: OAuthProviderTokens
    outbox: Outbox
    signing_keys: SigningKeys
    rbac_policy: RBACPolicy
    member_passwords: MemberPasswords
    one_time_codes: OneTimeCodes
    totp_registrations: TotpRegistrations
    identity_provider: BuiltInIdentityProvider
    sso_connections: SSOConnections
    sso_starts: SSOStarts
    sso_tokens: SSOTokens
    scim_connections: SCIMConnections
    scim_groups: SCIMGroups
    m2m_clients: M2MClients
    impersonation_tokens: ImpersonationTokens

    def __init__(self, config: ProjectConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        # Diagnostics, not state: neither exported nor cleared by a reset.
        self.request_log = RequestLog()
        for store_type in STORES:
            setattr(self, store_type.name, store_type.empty(config))
        self.faults = Faults()  # programmed through /_mock/faults; not part of the state
        self.rate_limits = RateLimits()  # on with --rate-limits (Registry)

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

    @property
    def has_key(self) -> bool:
        return len(self.signing_keys) > 0

    def set_key(self, key: SigningKey) -> None:
        """The signing key, made elsewhere (mockserver.keypool), before first use."""
        self.signing_keys.provide(key)

    # --- state --------------------------------------------------------------------------

    @property
    def stores(self) -> list[Store[Any]]:
        """The project's stores, in the order of stores.STORES."""
        return [getattr(self, store_type.name) for store_type in STORES]

    def sweep(self, keep: timedelta) -> int:
        """Forget what expired or was used more than ``keep`` ago (each store its own)."""
        now = self.now()
        return sum(store.sweep(now, keep) for store in self.stores)

    def reset(self) -> None:
        """Forget every object, empty the outbox and put the clock back; keep the signing keys."""
        for store in self.stores:
            if not store.kept_on_reset:
                store.clear()
        self.faults.clear()
        self.rate_limits.clear()
        self.clock.reset()

    def adopt_stores(self, other: Project) -> None:
        """Take over ``other``'s stores (see state.import_state)."""
        for store_type in STORES:
            setattr(self, store_type.name, getattr(other, store_type.name))

    def now(self) -> datetime:
        return self.clock.now()

    # --- redirect URLs ------------------------------------------------------------------

    def resolve_redirect_url(self, url: str | None, field: str = "redirect_url") -> str:
        """The URL a link points at: the one given, if registered, else the default.
        ``field`` names the request's field (``login_redirect_url``...) for the error a URL
        that is not a URL at all gets (``invalid_login_redirect_url``...)."""
        if url is None or url == "":
            return self.config.redirect_urls[0]
        # Exact match (``www.`` ignored, as Stytch does); ``*`` in a registered URL matches any
        # run of characters within a host, port or path segment (Stytch allows it in Test);
        # ``**`` (the mock's own, for test fixtures) any run of characters at all, across path
        # segments and the query string.
        try:
            normalised = _normalise_url(url)
        except ValueError:  # urlsplit refuses it: an unclosed IPv6 bracket, a fullwidth "/"
            raise errors.invalid_redirect_url(field) from None
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
    escaped = re.escape(_normalise_url(pattern))
    return re.compile(escaped.replace(r"\*\*", ".*").replace(r"\*", r"[^/?#]*"))


__all__ = ["Project", "ProjectConfig", "DEFAULT_REDIRECT_URL", "default_public_token"]
