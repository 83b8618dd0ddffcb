"""Bodies of the mock's own control API under ``/_mock/`` (not part of Stytch's API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.entities import Channel, MessageKind
from ..domain.frontend import DEFAULT_AUTHORIZED_DOMAINS, FrontendSettings
from ..domain.rbac import PolicyDocument
from .requests import OrganizationCreateRequest
from .responses import ResponseBase


class OutboxMessageObject(BaseModel):
    """A message in the outbox: by ``channel`` (email, sms) to ``to``, of ``kind``, carrying
    a ``link`` and its ``token`` or a one-time ``code``; ``subject`` and ``html`` for email."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    channel: Channel
    to: str
    from_: str = Field(alias="from", serialization_alias="from")
    subject: str | None = None
    kind: MessageKind
    token: str | None = None
    link: str | None = None
    code: str | None = None
    created_at: datetime
    expires_at: datetime
    text: str
    html: str | None = None


class OutboxResponse(ResponseBase):
    messages: list[OutboxMessageObject]
    # messages the outbox dropped (oldest first) to stay within --outbox-max
    dropped: int = 0


class OpenAPIDocument(BaseModel):
    """``GET /openapi.json``: an OpenAPI 3.1 document (not a Stytch response: no request id)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


class FrontendSDKObject(BaseModel):
    """A project's frontend-SDK settings: ``frontend_sdk`` in the config file, and in
    ``GET /_mock/project``."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    project_name: str = "stytch-b2b-mock"
    #: hosts (any scheme and port) or origins (``https://app.example.com``) whose pages may use
    #: the frontend SDK
    authorized_domains: list[str] = Field(
        default_factory=lambda: [*DEFAULT_AUTHORIZED_DOMAINS], min_length=1
    )
    create_organization_enabled: bool = True
    pkce_required_for_email_magic_links: bool = False
    disable_sdk_watermark: bool = True

    def settings(self) -> FrontendSettings:
        return FrontendSettings(**self.model_dump())


class ProjectResponse(ResponseBase):
    """``GET /_mock/project``: the project's settings (never its secret)."""

    project_id: str
    public_token: str
    redirect_urls: list[str]
    env: Literal["test", "live"]
    frontend_sdk: FrontendSDKObject


class ClockResponse(ResponseBase):
    now: datetime
    offset_seconds: float


class HealthResponse(ResponseBase):
    status: Literal["ok"] = "ok"
    projects: int


class StateRequest(BaseModel):
    """``{"state": …}``: a document from ``GET /_mock/state``."""

    state: dict[str, Any]


class StateResponse(ResponseBase):
    state: dict[str, Any]


class SeededMember(BaseModel):
    member_id: str
    email_address: str


class SeededOrganization(BaseModel):
    organization_id: str
    organization_slug: str
    members: list[SeededMember]


class SeedResponse(ResponseBase):
    organizations: list[SeededOrganization]


class SeedMember(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email_address: str
    member_id: str | None = None
    name: str | None = None
    status: Literal["active", "pending", "invited"] = "active"
    email_address_verified: bool = True
    roles: list[str] | None = None
    trusted_metadata: dict[str, Any] | None = None
    untrusted_metadata: dict[str, Any] | None = None
    is_breakglass: bool | None = None
    mfa_phone_number: str | None = None
    mfa_enrolled: bool | None = None
    external_id: str | None = None
    # Stored only as a hash (argon2id), like a password set through the API.
    password: str | None = None


class SeedOrganization(OrganizationCreateRequest):
    """An organization to seed: the fields of Stytch's create organization call, an optional
    fixed ``organization_id``, and its ``members``. Unlike the API's body, an unknown key is an
    error: a fixture file with a typo should not load quietly."""

    model_config = ConfigDict(extra="forbid")

    organization_id: str | None = None
    members: list[SeedMember] = Field(default_factory=list)


class SeedDocument(BaseModel):
    """The ``--seed`` file, ``POST /_mock/seed`` and ``stytch_mock.seed(...)`` document."""

    model_config = ConfigDict(extra="forbid", strict=True)

    organizations: list[SeedOrganization] = Field(default_factory=list)
    # Replaces the project's RBAC policy (the config file's rbac_policy format).
    rbac_policy: PolicyDocument | None = None

    def policy(self) -> dict[str, Any] | None:
        return self.rbac_policy.model_dump() if self.rbac_policy is not None else None

    def entries(self) -> list[dict[str, Any]]:
        """Plain values for the domain (unset fields left out)."""
        return [org.model_dump(exclude_none=True) for org in self.organizations]
