"""Bodies of the impersonation family: ``/v1/b2b/impersonation/authenticate`` field for field as
the Python SDK sends and parses it (``stytch/b2b/api/impersonation.py`` and
``stytch/b2b/models/impersonation.py``, stytch 15.3.0), and the mock's control route that mints
the tokens the Stytch Dashboard would (``POST /_mock/impersonation_tokens``)."""

from __future__ import annotations

from datetime import datetime

from .objects import MemberObject, MemberSessionObject, MfaRequiredObject, OrganizationObject
from .requests import JSONBody
from .responses import ResponseBase


class ImpersonationAuthenticateRequest(JSONBody):
    impersonation_token: str


class ImpersonationAuthenticateResponse(ResponseBase):
    member_id: str
    organization_id: str
    member: MemberObject
    session_token: str
    session_jwt: str
    organization: OrganizationObject
    intermediate_session_token: str
    member_authenticated: bool
    member_session: MemberSessionObject | None = None
    mfa_required: MfaRequiredObject | None = None
    intermediate_session_token_expires_at: datetime | None = None


# --- the mock's control route ---------------------------------------------------------------


class ImpersonationTokenRequest(JSONBody):
    """``POST /_mock/impersonation_tokens``: what the Dashboard's "Impersonate Member" button
    knows (``member_id`` may also be the member's external id)."""

    organization_id: str
    member_id: str
    impersonator_email_address: str


class ImpersonationTokenResponse(ResponseBase):
    impersonation_token: str
    organization_id: str
    member_id: str
    impersonator_id: str
    impersonator_email_address: str
    expires_at: datetime
