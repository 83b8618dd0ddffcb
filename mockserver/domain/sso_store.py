"""SSO state: the connection objects, logins under way, SSO tokens, and their store.

The objects are Stytch's SAMLConnection, OIDCConnection and (external) Connection, field for
field as the Python SDK models them (``stytch/b2b/models/sso.py``); the rules live in
:mod:`mockserver.domain.sso`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..idp.saml import EMAIL_NAMEID
from .entities import ACTIVE

MAX_PENDING = 10_000


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
    status: str = ACTIVE
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


class SSOStore:
    """A project's connections (by id and by organization), logins under way, SSO tokens,
    SSO registrations ((connection_id, external_id) -> member_id) and seen SAML assertion ids."""

    def __init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self.by_org: dict[str, dict[str, None]] = {}
        self.starts: dict[str, SSOStart] = {}
        self.tokens: dict[str, SSOToken] = {}
        self.registrations: dict[tuple[str, str], str] = {}
        self.seen_assertions: dict[str, datetime] = {}

    def add(self, conn: Connection) -> None:
        self.connections[conn.connection_id] = conn
        self.by_org.setdefault(conn.organization_id, {})[conn.connection_id] = None

    def remove(self, conn: Connection) -> None:
        del self.connections[conn.connection_id]
        self.by_org.get(conn.organization_id, {}).pop(conn.connection_id, None)

    def of_org(self, organization_id: str) -> list[Connection]:
        return [self.connections[c] for c in self.by_org.get(organization_id, ())]

    def forget_organization(self, organization_id: str) -> None:
        for conn in self.of_org(organization_id):
            self.remove(conn)
        self.by_org.pop(organization_id, None)

    def sweep(self, now: datetime) -> None:
        """Drop expired logins, tokens and assertion ids once there are many."""
        for store in (self.starts, self.tokens):
            if len(store) >= MAX_PENDING:
                for key in [k for k, v in store.items() if now >= v.expires_at]:
                    del store[key]
                if len(store) >= MAX_PENDING:
                    for key in list(store)[: MAX_PENDING // 2]:
                        del store[key]
        if len(self.seen_assertions) >= MAX_PENDING:
            for key in [k for k, until in self.seen_assertions.items() if now >= until]:
                del self.seen_assertions[key]
