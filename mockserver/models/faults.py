"""Bodies of ``/_mock/faults`` (the mock's own control API, not Stytch's)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .requests import JSONBody
from .responses import ResponseBase

FaultError = Literal["too_many_requests", "internal_server_error", "server_unavailable"]


class FaultRequest(JSONBody):
    """Program a fault: ``operation`` is an SDK method path (``magic_links.email.discovery.
    send``) or ``METHOD /path`` as in the OpenAPI document."""

    operation: str
    error: FaultError | None = None
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    # absent: once (no limit with a rate); null: no limit
    times: int | None = Field(default=None, ge=1, le=1_000_000)
    rate: float | None = Field(default=None, gt=0, le=1)
    email_address: str | None = None
    organization_id: str | None = None


class Fault(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fault_id: str
    operation: str
    error: FaultError | None = None
    latency_ms: int
    remaining: int | None = None
    rate: float
    email_address: str | None = None
    organization_id: str | None = None
    hits: int


class FaultResponse(ResponseBase):
    fault: Fault


class FaultsResponse(ResponseBase):
    faults: list[Fault]
