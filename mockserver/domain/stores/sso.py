"""SSO state: the connections, the logins under way at an IdP and the SSO tokens.

The connections are Stytch's SAMLConnection, OIDCConnection and (external) Connection, field for
field as the Python SDK models them (``stytch/b2b/models/sso.py``); the rules live in
:mod:`mockserver.domain.sso` and :mod:`mockserver.domain.sso_login`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ...idp.saml import EMAIL_NAMEID
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


class ConnectionStatus(StrEnum):
    """A connection's ``status``: ``pending`` until its IdP settings are complete."""

    PENDING = "pending"
    ACTIVE = "active"


@dataclass(slots=True)
class SAMLConnection:
    """Stytch's SAMLConnection. Bookkeeping: ``signing_private_key`` (PEM of the key behind the
    newest signing certificate)."""

    organization_id: str
    connection_id: str
    status: str
    acs_url: str
    audience_uri: str
    display_name: str = ""
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    signing_certificates: list[dict[str, Any]] = field(default_factory=list)
    verification_certificates: list[dict[str, Any]] = field(default_factory=list)
    encryption_private_keys: list[dict[str, Any]] = field(default_factory=list)
    saml_connection_implicit_role_assignments: list[dict[str, str]] = field(default_factory=list)
    saml_group_implicit_role_assignments: list[dict[str, str]] = field(default_factory=list)
    alternative_audience_uri: str = ""
    identity_provider: str = ""
    nameid_format: str = EMAIL_NAMEID
    alternative_acs_url: str = ""
    idp_initiated_auth_disabled: bool = False
    allow_gateway_callback: bool = False
    attribute_mapping: dict[str, Any] | None = None
    signing_private_key: str = ""

    kind = "saml"


@dataclass(slots=True)
class OIDCConnection:
    """Stytch's OIDCConnection."""

    organization_id: str
    connection_id: str
    status: str
    redirect_url: str
    display_name: str = ""
    client_id: str = ""
    client_secret: str = ""
    issuer: str = ""
    authorization_url: str = ""
    token_url: str = ""
    userinfo_url: str = ""
    jwks_url: str = ""
    identity_provider: str = ""
    custom_scopes: str = ""
    attribute_mapping: dict[str, Any] | None = None

    kind = "oidc"


@dataclass(slots=True)
class ExternalConnection:
    """Stytch's (external) Connection: another organization's SAML/OIDC connection, shared."""

    organization_id: str
    connection_id: str
    external_organization_id: str
    external_connection_id: str
    display_name: str = ""
    status: str = "active"
    external_connection_implicit_role_assignments: list[dict[str, str]] = field(
        default_factory=list
    )
    external_group_implicit_role_assignments: list[dict[str, str]] = field(default_factory=list)

    kind = "external"


Connection = SAMLConnection | OIDCConnection | ExternalConnection


@dataclass(slots=True)
class SSOStart:
    """A login sent to the IdP, waiting for its answer (keyed by ``state`` / RelayState)."""

    state: str
    connection_id: str  # the connection the login is for (may be external)
    idp_connection_id: str  # the SAML/OIDC connection whose IdP answers
    organization_id: str
    login_redirect_url: str
    signup_redirect_url: str
    pkce_code_challenge: str | None
    expires_at: datetime
    nonce: str = ""
    code_verifier: str = ""  # the relying party's own PKCE towards the IdP
    saml_request_id: str = ""


@dataclass(slots=True)
class SSOProfile:
    """What the IdP said about the user, after the connection's attribute mapping."""

    external_id: str
    email: str
    name: str
    groups: list[str]
    custom: dict[str, Any]
    attributes: dict[str, Any]


@dataclass(slots=True)
class SSOToken:
    token: str
    organization_id: str
    connection_id: str
    delivery_method: str  # sso_saml / sso_oidc
    profile: SSOProfile
    pkce_code_challenge: str | None
    expires_at: datetime


# A flood of logins that never finish, or tokens never spent, is dropped oldest first.
MAX_PENDING = 10_000


class SSOConnections(Store[Connection]):
    """Connections by id and by organization (in creation order); the SSO registrations
    ((connection_id, external_id) -> member_id, from the members' ``sso_registrations``); the
    ids of SAML assertions already used (replays), until they expire."""

    name = "sso_connections"
    record = Connection

    def __init__(self) -> None:
        self._by_id: dict[str, Connection] = {}
        self._by_org: dict[str, dict[str, None]] = {}
        self._registrations: dict[tuple[str, str], str] = {}
        self._seen_assertions: dict[str, datetime] = {}

    def add(self, conn: Connection) -> None:
        self._by_id[conn.connection_id] = conn
        self._by_org.setdefault(conn.organization_id, {})[conn.connection_id] = None

    def forget(self, conn: Connection) -> None:
        del self._by_id[conn.connection_id]
        in_org = self._by_org.get(conn.organization_id, {})
        in_org.pop(conn.connection_id, None)
        if not in_org:
            self._by_org.pop(conn.organization_id, None)
        for key in [k for k in self._registrations if k[0] == conn.connection_id]:
            del self._registrations[key]

    def forget_organization(self, organization_id: str) -> list[Connection]:
        """Forget the organization's connections; the ones forgotten."""
        gone = self.of_organization(organization_id)
        for conn in gone:
            self.forget(conn)
        return gone

    def registered_member(self, connection_id: str, external_id: str) -> str | None:
        """The member id of the connection's SSO registration for the IdP's user id."""
        return self._registrations.get((connection_id, external_id))

    def register(
        self, connection_id: str, external_id: str, member_id: str, old_external_id: str | None
    ) -> None:
        """A member's registration with the connection now has ``external_id`` (it had
        ``old_external_id``, or none)."""
        if old_external_id is not None:
            self._registrations.pop((connection_id, old_external_id), None)
        self._registrations[(connection_id, external_id)] = member_id

    def find(self, connection_id: str) -> Connection | None:
        return self._by_id.get(connection_id)

    def of_organization(self, organization_id: str) -> list[Connection]:
        return [self._by_id[c] for c in self._by_org.get(organization_id, ())]

    def assertion_seen(self, assertion_id: str, now: datetime) -> bool:
        until = self._seen_assertions.get(assertion_id)
        return until is not None and now < until

    def remember_assertion(self, assertion_id: str, until: datetime, now: datetime) -> None:
        if len(self._seen_assertions) >= MAX_PENDING:
            for key in [k for k, t in self._seen_assertions.items() if now >= t]:
                del self._seen_assertions[key]
        self._seen_assertions[assertion_id] = until

    def clear(self) -> None:
        self._by_id.clear()
        self._by_org.clear()
        self._registrations.clear()
        self._seen_assertions.clear()

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, records: list[Connection], project: Project) -> None:
        for conn in records:
            if conn.connection_id in self._by_id:
                raise bad_state(f"connection {conn.connection_id} appears twice")
            if conn.organization_id not in project.organizations:
                raise bad_state(f"connection {conn.connection_id} names an unknown organization")
            self.add(conn)
        for member in project.members:
            for registration in member.sso_registrations:
                key = (registration["connection_id"], registration["external_id"])
                self._registrations[key] = member.member_id


class _Expiring(Store[Any]):
    """Records keyed by a secret, each with ``expires_at``; swept when there are many."""

    key: str

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}

    def add(self, item: Any, now: datetime) -> None:
        if len(self._items) >= MAX_PENDING:
            for key in [k for k, v in self._items.items() if now >= v.expires_at]:
                del self._items[key]
            if len(self._items) >= MAX_PENDING:
                for key in list(self._items)[: MAX_PENDING // 2]:
                    del self._items[key]
        self._items[getattr(item, self.key)] = item

    def find(self, key: str, now: datetime) -> Any:
        """The live record (an expired one is dropped and not found)."""
        item = self._items.get(key)
        if item is not None and now >= item.expires_at:
            del self._items[key]
            return None
        return item

    def take(self, key: str, now: datetime) -> Any:
        """The live record, removed (single use)."""
        item = self._items.pop(key, None)
        return item if item is not None and now < item.expires_at else None

    def forget_where(self, **match: str) -> None:
        """Forget the records whose fields have these values (an organization or connection
        that is deleted); a scan, as deletions are rare and the store is bounded."""
        for key in [
            k
            for k, item in self._items.items()
            if all(getattr(item, name) == value for name, value in match.items())
        ]:
            del self._items[key]

    def clear(self) -> None:
        self._items.clear()

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def load(self, records: list[Any], project: Project) -> None:
        for item in records:
            if getattr(item, self.key) in self._items:
                raise bad_state(f"{self.name}: a record appears twice")
            if item.organization_id not in project.organizations:
                raise bad_state(f"{self.name}: a record names an unknown organization")
            if project.sso_connections.find(item.connection_id) is None:
                raise bad_state(f"{self.name}: a record names an unknown connection")
            self._items[getattr(item, self.key)] = item


class SSOStarts(_Expiring):
    """Logins sent to an IdP, by ``state`` (the OIDC state / SAML RelayState)."""

    name = "sso_starts"
    record = SSOStart
    key = "state"


class SSOTokens(_Expiring):
    """SSO tokens the app has not spent yet, by token."""

    name = "sso_tokens"
    record = SSOToken
    key = "token"
