"""Wire models of the mock's test helpers: the request log and the session shortcut."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .objects import MemberObject, MemberSessionObject, OrganizationObject
from .requests import JSONBody, Query
from .responses import ResponseBase


class RequestsQuery(Query):
    since: int = Field(default=0, ge=0, description="only entries numbered after this")
    limit: int = Field(default=100, ge=1, le=500, description="at most this many, the newest")


class LoggedRequestObject(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    method: str
    path: str
    status: int
    error_type: str | None = None
    duration_ms: float
    user_agent: str


class RequestsResponse(ResponseBase):
    requests: list[LoggedRequestObject]
    last_seq: int


class SessionForRequest(JSONBody):
    email_address: str
    organization: str | None = Field(
        default=None,
        description="an organization id, slug or external id; a slug that names nothing makes "
        "that organization; none: the one discovery would derive from the email",
    )
    roles: list[str] | None = None
    session_duration_minutes: int | None = None


class SessionForResponse(ResponseBase):
    member_session: MemberSessionObject
    session_token: str
    session_jwt: str
    member: MemberObject
    organization: OrganizationObject
