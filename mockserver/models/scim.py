"""SCIM connections on the wire: objects, request bodies and responses, field for field as the
Python SDK declares them (``stytch/b2b/models/scim.py`` and ``scim_connection.py``,
``stytch/b2b/api/scim_connection.py`` of stytch 15.3.0). Nothing is added."""

from __future__ import annotations

from datetime import datetime

from .objects import WireModel
from .requests import JSONBody, Query
from .responses import ResponseBase

# --- objects ---------------------------------------------------------------------------------


class SCIMGroupImplicitRoleAssignmentObject(WireModel):
    role_id: str
    group_id: str
    group_name: str


class SCIMGroupObject(WireModel):
    group_id: str
    group_name: str
    organization_id: str
    connection_id: str


class _SCIMConnectionFields(WireModel):
    organization_id: str
    connection_id: str
    status: str
    display_name: str
    identity_provider: str
    base_url: str
    scim_group_implicit_role_assignments: list[SCIMGroupImplicitRoleAssignmentObject]
    bearer_token_expires_at: datetime | None = None


class SCIMConnectionObject(_SCIMConnectionFields):
    """``SCIMConnection``: the connection without its token (get, update, rotate complete
    and cancel)."""

    bearer_token_last_four: str
    next_bearer_token_last_four: str
    next_bearer_token_expires_at: datetime | None = None


class SCIMConnectionWithTokenObject(_SCIMConnectionFields):
    """``SCIMConnectionWithToken``: what create returns, the only time the token is shown."""

    bearer_token: str


class SCIMConnectionWithNextTokenObject(_SCIMConnectionFields):
    """``SCIMConnectionWithNextToken``: what rotate start returns."""

    bearer_token_last_four: str
    next_bearer_token: str
    next_bearer_token_expires_at: datetime | None = None


# --- requests --------------------------------------------------------------------------------


class SCIMGroupImplicitRoleAssignmentRequest(JSONBody):
    role_id: str
    group_id: str


class CreateSCIMConnectionRequest(JSONBody):
    display_name: str | None = None
    identity_provider: str | None = None


class UpdateSCIMConnectionRequest(JSONBody):
    display_name: str | None = None
    identity_provider: str | None = None
    scim_group_implicit_role_assignments: list[SCIMGroupImplicitRoleAssignmentRequest] | None = None


class GetSCIMGroupsQuery(Query):
    cursor: str | None = None
    limit: int | None = None


# --- responses -------------------------------------------------------------------------------


class CreateSCIMConnectionResponse(ResponseBase):
    connection: SCIMConnectionWithTokenObject | None = None


class SCIMConnectionResponse(ResponseBase):
    """get, update, rotate complete and rotate cancel."""

    connection: SCIMConnectionObject | None = None


class RotateStartSCIMConnectionResponse(ResponseBase):
    connection: SCIMConnectionWithNextTokenObject | None = None


class DeleteSCIMConnectionResponse(ResponseBase):
    connection_id: str


class GetSCIMGroupsResponse(ResponseBase):
    scim_groups: list[SCIMGroupObject]
    next_cursor: str | None = None
