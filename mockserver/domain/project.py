"""One Stytch project's state, and the registry of projects.

A :class:`Project` holds everything one project owns (organizations, members, tokens,
sessions, outbox, clock, signing key) in dicts keyed by id, token and email, so every lookup
the API needs is O(1). The API families live in sibling modules as functions over a Project.

Atomicity: the server runs the domain on one asyncio event loop, and no domain function awaits,
so a check-then-consume on a token can never interleave with another request.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from .. import errors
from ..clock import Clock
from .entities import (
    DELETED,
    IntermediateSession,
    MagicLinkToken,
    Member,
    MemberSession,
    Organization,
)
from .frontend import FrontendSettings
from .keys import SessionJWT, SigningKey
from .outbox import Outbox

DEFAULT_REDIRECT_URL = "http://localhost:3000/authenticate"


@dataclass
class ProjectConfig:
    project_id: str
    secret: str
    redirect_urls: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URL])
    #: the frontend SDK's token; by default the project id with ``public-token-`` in front
    #: of its environment (``project-test-X`` -> ``public-token-test-X``)
    public_token: str = ""
    frontend: FrontendSettings = field(default_factory=FrontendSettings)

    def __post_init__(self) -> None:
        if not self.public_token:
            self.public_token = "public-token-" + self.project_id.removeprefix("project-")

    @property
    def env(self) -> str:
        return "live" if self.project_id.startswith("project-live-") else "test"


class Project:
    def __init__(
        self, config: ProjectConfig, clock: Clock | None = None, key: SigningKey | None = None
    ) -> None:
        self.config = config
        self.clock = clock or Clock()
        self._key = key
        self.outbox = Outbox()
        self._clear_state()

    # --- identity ---------------------------------------------------------------------

    @property
    def project_id(self) -> str:
        return self.config.project_id

    @property
    def env(self) -> str:
        return self.config.env

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(secret.encode(), self.config.secret.encode())

    @property
    def key(self) -> SigningKey:
        """The project's RS256 signing key, made on first use (about 50 ms) and kept across resets,
        because SDKs cache the JWKS for 5 to 10 minutes."""
        if self._key is None:
            self._key = SigningKey.generate(self.env)
        return self._key

    # --- state --------------------------------------------------------------------------

    def _clear_state(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self.org_by_slug: dict[str, str] = {}
        self.org_by_external_id: dict[str, str] = {}
        self.org_seq: dict[str, int] = {}
        self.members: dict[str, Member] = {}
        # organization_id -> {member_id: Member}, in creation order
        self.org_members: dict[str, dict[str, Member]] = {}
        # (organization_id, lowercased email) -> member_id
        self.member_by_org_email: dict[tuple[str, str], str] = {}
        # (organization_id, external_id) -> member_id
        self.member_by_org_external_id: dict[tuple[str, str], str] = {}
        # lowercased email -> {member_id: None} (every organization)
        self.members_by_email: dict[str, dict[str, None]] = {}
        # lowercased domain -> {organization_id: None} for email_allowed_domains
        self.orgs_by_allowed_domain: dict[str, dict[str, None]] = {}
        # lowercased domain -> {organization_id: None} for claimed_email_domains
        self.orgs_by_claimed_domain: dict[str, dict[str, None]] = {}
        self.magic_links: dict[str, MagicLinkToken] = {}
        # member_id -> {token: None}: a member's organization links, revoked when it is deleted
        self.links_by_member: dict[str, dict[str, None]] = {}
        self.intermediate_sessions: dict[str, IntermediateSession] = {}
        self.sessions: dict[str, MemberSession] = {}
        self.session_by_token: dict[str, str] = {}
        self.sessions_by_member: dict[str, dict[str, None]] = {}
        # member_session_id -> (claims fingerprint, JWT): see sessions.mint_jwt
        self.jwt_cache: dict[str, tuple[object, SessionJWT]] = {}
        self._seq = 0

    def reset(self) -> None:
        """Forget every object, empty the outbox and put the clock back; keep the signing key."""
        self._clear_state()
        self.outbox.clear()
        self.clock.reset()

    def adopt_state(self, other: Project) -> None:
        """Take over ``other``'s objects, indexes and outbox (see state.import_state)."""
        for name, value in vars(other).items():
            if name not in ("config", "clock", "_key"):
                setattr(self, name, value)

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def now(self) -> datetime:
        return self.clock.now()

    # --- lookups shared by the families -------------------------------------------------

    def find_organization(self, organization_id: str) -> Organization | None:
        """By id, slug or external id, as Stytch accepts all three wherever an id is expected."""
        org = self.organizations.get(organization_id)
        if org is None:
            oid = self.org_by_slug.get(organization_id.lower()) or self.org_by_external_id.get(
                organization_id
            )
            org = self.organizations.get(oid) if oid else None
        return org

    def get_organization(self, organization_id: str) -> Organization:
        org = self.find_organization(organization_id)
        if org is None:
            raise errors.organization_not_found()
        return org

    def member_in_org_by_email(self, organization_id: str, email: str) -> Member | None:
        member_id = self.member_by_org_email.get((organization_id, email.lower()))
        return self.members.get(member_id) if member_id else None

    def get_member(
        self,
        organization_id: str,
        member_id: str,
        *,
        allow_external_id: bool = True,
        include_deleted: bool = False,
    ) -> Member:
        """A member of the organization by id (or external id); deleted members only when
        asked for (reactivate), as get by email and dangerously_get also hide them."""
        member = self.members.get(member_id)
        if member is None and allow_external_id:
            mid = self.member_by_org_external_id.get((organization_id, member_id))
            member = self.members.get(mid) if mid else None
        if member is None or member.organization_id != organization_id:
            raise errors.member_not_found()
        if member.status == DELETED and not include_deleted:
            raise errors.member_not_found()
        return member

    def live_members_for_email(self, email: str) -> list[Member]:
        """Non-deleted members with this email in any organization (unordered)."""
        return [
            m
            for mid in self.members_by_email.get(email.lower(), ())
            if (m := self.members[mid]).status != DELETED
        ]

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


__all__ = ["Project", "ProjectConfig", "DEFAULT_REDIRECT_URL"]
