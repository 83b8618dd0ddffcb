"""Response bodies, one per operation, as the Python SDK's response models declare them.

Every body carries ``status_code`` and ``request_id`` (``ResponseBase`` in the SDK).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from .objects import (
    AuthorizationVerdictObject,
    DiscoveredOrganizationObject,
    JWKObject,
    MemberObject,
    MemberSessionObject,
    MfaRequiredObject,
    OrganizationObject,
    OrgPolicyObject,
    PolicyObject,
    PrimaryRequiredObject,
    ResultsMetadataObject,
)


class ResponseBase(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status_code: int = 200
    request_id: str


class EmptyResponse(ResponseBase):
    """Discovery send, login/signup-less calls, revoke: nothing but the base fields."""


class DiscoveryAuthenticateResponse(ResponseBase):
    intermediate_session_token: str
    email_address: str
    discovered_organizations: list[DiscoveredOrganizationObject]
    intermediate_session_token_expires_at: datetime | None = None


class DiscoveredOrganizationsResponse(ResponseBase):
    email_address: str
    discovered_organizations: list[DiscoveredOrganizationObject]
    organization_id_hint: str | None = None


class AuthResultResponse(ResponseBase):
    """The shared auth result (the SDK's ``ExchangeResponse`` models,
    https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/): exchange,
    discovery create, session exchange. Session strings are ``""`` when the member is not yet
    authenticated."""

    member_id: str
    member: MemberObject
    organization: OrganizationObject
    member_authenticated: bool
    session_token: str
    session_jwt: str
    intermediate_session_token: str
    member_session: MemberSessionObject | None = None
    mfa_required: MfaRequiredObject | None = None
    primary_required: PrimaryRequiredObject | None = None
    intermediate_session_token_expires_at: datetime | None = None


class MagicLinkAuthenticateResponse(AuthResultResponse):
    method_id: str
    organization_id: str
    reset_sessions: bool


class SessionAuthenticateResponse(ResponseBase):
    member_session: MemberSessionObject
    session_token: str
    session_jwt: str
    member: MemberObject
    organization: OrganizationObject
    verdict: AuthorizationVerdictObject | None = None


class SessionsGetResponse(ResponseBase):
    member_sessions: list[MemberSessionObject]


class JWKSResponse(ResponseBase):
    keys: list[JWKObject]


class OrganizationResponse(ResponseBase):
    organization: OrganizationObject


class OrganizationDeleteResponse(ResponseBase):
    organization_id: str


class OrganizationSearchResponse(ResponseBase):
    organizations: list[OrganizationObject]
    results_metadata: ResultsMetadataObject


class MemberResponse(ResponseBase):
    member_id: str
    member: MemberObject
    organization: OrganizationObject


class LoginOrSignupResponse(MemberResponse):
    member_created: bool


class MemberDeleteResponse(ResponseBase):
    member_id: str


class MemberSearchResponse(ResponseBase):
    members: list[MemberObject]
    results_metadata: ResultsMetadataObject
    organizations: dict[str, OrganizationObject]


class PolicyResponse(ResponseBase):
    policy: PolicyObject


class OrgPolicyResponse(ResponseBase):
    org_policy: OrgPolicyObject
