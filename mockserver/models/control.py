"""Bodies of the mock's own control API under ``/_mock/`` (not part of Stytch's API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .responses import ResponseBase


class OutboxMessage(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    to: str
    from_: str = Field(alias="from", serialization_alias="from")
    subject: str
    kind: Literal["discovery", "login", "signup", "invite"]
    token: str
    link: str
    created_at: datetime
    expires_at: datetime
    text: str
    html: str


class OutboxResponse(ResponseBase):
    messages: list[OutboxMessage]


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
