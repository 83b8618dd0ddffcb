"""The objects one project holds. Plain dataclasses: no aiohttp, no wire models.

Field names are Stytch's own (the wire models in :mod:`mockserver.models` read them by
attribute), so an Organization here renders as Stytch's Organization object without a
mapping table. Fields that exist only for the mock's bookkeeping start with an underscore-free
name that Stytch does not use and are listed in each class's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MemberStatus(StrEnum):
    """A member's status (https://stytch.com/docs/b2b/api/member-object)."""

    ACTIVE = "active"
    PENDING = "pending"
    INVITED = "invited"
    DELETED = "deleted"


class MessageKind(StrEnum):
    """What a message in the outbox carries: the domain, the control API's model
    (``GET /_mock/outbox``) and the message templates (outbox.TEMPLATES) share this one list.
    A new kind is a member here plus its template."""

    DISCOVERY = "discovery"
    LOGIN = "login"
    SIGNUP = "signup"
    INVITE = "invite"
    RESET_PASSWORD = "reset_password"
    DISCOVERY_RESET_PASSWORD = "discovery_reset_password"
    SMS_OTP = "sms_otp"
    EMAIL_OTP_LOGIN = "email_otp_login"
    EMAIL_OTP_SIGNUP = "email_otp_signup"
    EMAIL_OTP_DISCOVERY = "email_otp_discovery"


class Channel(StrEnum):
    """How a message would have been delivered."""

    EMAIL = "email"
    SMS = "sms"


STYTCH_MEMBER = "stytch_member"
STYTCH_ADMIN = "stytch_admin"


@dataclass(slots=True)
class Organization:
    organization_id: str
    organization_name: str
    organization_slug: str
    created_at: datetime
    updated_at: datetime
    organization_logo_url: str = ""
    sso_jit_provisioning: str = "ALL_ALLOWED"
    sso_jit_provisioning_allowed_connections: list[str] = field(default_factory=list)
    sso_active_connections: list[dict[str, Any]] = field(default_factory=list)
    email_allowed_domains: list[str] = field(default_factory=list)
    email_jit_provisioning: str = "NOT_ALLOWED"
    email_invites: str = "ALL_ALLOWED"
    auth_methods: str = "ALL_ALLOWED"
    allowed_auth_methods: list[str] = field(default_factory=list)
    mfa_policy: str = "OPTIONAL"
    rbac_email_implicit_role_assignments: list[dict[str, str]] = field(default_factory=list)
    mfa_methods: str = "ALL_ALLOWED"
    allowed_mfa_methods: list[str] = field(default_factory=list)
    oauth_tenant_jit_provisioning: str = "NOT_ALLOWED"
    claimed_email_domains: list[str] = field(default_factory=list)
    first_party_connected_apps_allowed_type: str = "ALL_ALLOWED"
    allowed_first_party_connected_apps: list[str] = field(default_factory=list)
    third_party_connected_apps_allowed_type: str = "ALL_ALLOWED"
    allowed_third_party_connected_apps: list[str] = field(default_factory=list)
    custom_roles: list[dict[str, Any]] = field(default_factory=list)
    trusted_metadata: dict[str, Any] = field(default_factory=dict)
    organization_external_id: str | None = None
    sso_default_connection_id: str | None = None
    allowed_oauth_tenants: dict[str, Any] = field(default_factory=dict)
    # {connection_id, display_name, bearer_token_last_four, bearer_token_expires_at}, kept by
    # domain.scim while the organization has a SCIM connection.
    scim_active_connection: dict[str, Any] | None = None


@dataclass(slots=True)
class Member:
    """A Member of one organization.

    Bookkeeping beyond Stytch's fields: ``email_id`` (the id of the member's email, used in
    authentication factors), ``explicit_roles`` (the directly assigned role ids, from which
    ``roles`` is derived), ``sso_roles`` (role grants from SSO connections, kept by
    ``domain.sso`` on each SSO login), ``scim_roles`` (grants from the SCIM groups the Member
    is in, kept by ``domain.scim``) and ``scim_resource`` (the SCIM User resource the IdP
    last sent, as the SCIM routes give it back).
    """

    organization_id: str
    member_id: str
    email_address: str
    status: MemberStatus
    created_at: datetime
    updated_at: datetime
    email_id: str
    name: str = ""
    email_address_verified: bool = False
    is_breakglass: bool = False
    mfa_enrolled: bool = False
    mfa_phone_number: str = ""
    mfa_phone_number_verified: bool = False
    default_mfa_method: str = ""
    member_password_id: str = ""
    totp_registration_id: str = ""
    is_locked: bool = False
    lock_created_at: datetime | None = None
    lock_expires_at: datetime | None = None
    sso_registrations: list[dict[str, Any]] = field(default_factory=list)
    oauth_registrations: list[dict[str, Any]] = field(default_factory=list)
    retired_email_addresses: list[dict[str, str]] = field(default_factory=list)
    explicit_roles: list[str] = field(default_factory=list)
    implicit_roles: list[dict[str, Any]] = field(default_factory=list)
    sso_roles: list[dict[str, Any]] = field(default_factory=list)
    scim_roles: list[dict[str, Any]] = field(default_factory=list)
    scim_registration: dict[str, Any] | None = None
    scim_resource: dict[str, Any] | None = None
    trusted_metadata: dict[str, Any] = field(default_factory=dict)
    untrusted_metadata: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None

    @property
    def roles(self) -> list[dict[str, Any]]:
        """Stytch's ``roles``: ``stytch_member`` for everyone, then direct and implicit roles."""
        # [chosen] stytch_member shows a direct_assignment source (Stytch documents that every
        # member has the role, not which source it lists); direct assignments have no details.
        by_id: dict[str, list[dict[str, Any]]] = {STYTCH_MEMBER: [{"type": "direct_assignment"}]}
        for role_id in self.explicit_roles:
            by_id.setdefault(role_id, [])
            if role_id != STYTCH_MEMBER:
                by_id[role_id].append({"type": "direct_assignment"})
        for grant in (*self.implicit_roles, *self.sso_roles, *self.scim_roles):
            by_id.setdefault(grant["role_id"], []).append(grant["source"])
        return [{"role_id": role_id, "sources": sources} for role_id, sources in by_id.items()]

    @property
    def is_admin(self) -> bool:
        if STYTCH_ADMIN in self.explicit_roles:
            return True
        for grant in (*self.implicit_roles, *self.sso_roles, *self.scim_roles):
            if grant["role_id"] == STYTCH_ADMIN:
                return True
        return False

    @property
    def role_ids(self) -> list[str]:
        return [role["role_id"] for role in self.roles]


@dataclass(slots=True)
class AuthenticationFactor:
    """A factor in a session. An OAuth factor keeps its ``{id, provider_subject, email_id}`` in
    ``oauth_factor`` and shows it as Stytch's ``<provider>_oauth_factor`` (the properties below).

    Bookkeeping beyond Stytch's fields: ``email_verified`` (false for an OAuth login that did
    not prove the email address, see domain/oauth.py) and ``provider_tenant_ids`` (the OAuth
    tenants it proved, for tenant JIT provisioning).
    """

    type: str
    delivery_method: str
    created_at: datetime
    last_authenticated_at: datetime
    updated_at: datetime
    email_factor: dict[str, str] | None = None
    oauth_factor: dict[str, str] | None = None
    email_verified: bool = True
    provider_tenant_ids: list[str] = field(default_factory=list)

    def _oauth(self, delivery_method: str) -> dict[str, str] | None:
        return self.oauth_factor if self.delivery_method == delivery_method else None

    @property
    def google_oauth_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_google")

    @property
    def microsoft_oauth_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_microsoft")

    @property
    def github_oauth_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_github")

    @property
    def slack_oauth_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_slack")

    @property
    def hubspot_oauth_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_hubspot")

    # A non-verifying OAuth factor carried into another organization (sessions.exchange):
    # ``oauth_exchange_<provider>`` with ``<provider>_oauth_exchange_factor {email_id}``.
    @property
    def google_oauth_exchange_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_exchange_google")

    @property
    def github_oauth_exchange_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_exchange_github")

    @property
    def slack_oauth_exchange_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_exchange_slack")

    @property
    def hubspot_oauth_exchange_factor(self) -> dict[str, str] | None:
        return self._oauth("oauth_exchange_hubspot")

    @property
    def oauth_factor_name(self) -> str:
        """The wire name of ``oauth_factor``: ``oauth_google`` -> ``google_oauth_factor``,
        ``oauth_exchange_google`` -> ``google_oauth_exchange_factor``."""
        provider = self.delivery_method.removeprefix("oauth_")
        if provider.startswith("exchange_"):
            return f"{provider.removeprefix('exchange_')}_oauth_exchange_factor"
        return f"{provider}_oauth_factor"

    phone_number_factor: dict[str, str] | None = None
    authenticator_app_factor: dict[str, str] | None = None
    recovery_code_factor: dict[str, str] | None = None
    saml_sso_factor: dict[str, str] | None = None
    oidc_sso_factor: dict[str, str] | None = None
    impersonated_factor: dict[str, str] | None = None


@dataclass(slots=True)
class MemberSession:
    """A member session. ``session_token`` is its secret; ``revoked`` marks a revoked one."""

    member_session_id: str
    member_id: str
    organization_id: str
    session_token: str
    started_at: datetime
    last_accessed_at: datetime
    expires_at: datetime
    authentication_factors: list[AuthenticationFactor]
    custom_claims: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MagicLinkToken:
    """A magic-link token: ``kind`` is ``discovery``, ``login``, ``signup`` or ``invite``."""

    token: str
    kind: MessageKind
    email_address: str
    expires_at: datetime
    organization_id: str | None = None
    member_id: str | None = None
    pkce_code_challenge: str | None = None
    used: bool = False


@dataclass(slots=True)
class IntermediateSession:
    """An intermediate session: the factors one email holds, not yet tied to a member."""

    token: str
    email_address: str
    expires_at: datetime
    authentication_factors: list[AuthenticationFactor]
    organization_id_hint: str | None = None


@dataclass(slots=True)
class OutboxMessage:
    """A message the project would have sent: by ``channel`` to ``to`` (an email address or a
    phone number), carrying either a ``link`` with its ``token`` or a one-time ``code``.
    ``subject`` is for email only. The bodies are made from the kind's template when read."""

    id: str
    to: str
    sender: str
    kind: MessageKind
    created_at: datetime
    expires_at: datetime
    channel: Channel = Channel.EMAIL
    subject: str | None = None
    token: str | None = None
    link: str | None = None
    code: str | None = None
    organization_id: str | None = None
    organization_name: str | None = None
