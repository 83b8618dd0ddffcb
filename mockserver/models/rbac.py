"""The body of ``PUT /v1/b2b/rbac/organizations/{organization_id}`` (the project policy
document of the config file, seeds and saved states is ``domain.rbac.PolicyDocument``)."""

from __future__ import annotations

from pydantic import Field

from ..domain.rbac import PermissionIn, PolicyDocument
from .requests import JSONBody

__all__ = ["PolicyDocument", "SetOrgPolicyRequest"]


class _RoleBody(JSONBody):
    role_id: str
    description: str | None = None
    permissions: list[PermissionIn] = Field(default_factory=list)


class OrgPolicyIn(JSONBody):
    roles: list[_RoleBody] = Field(default_factory=list)


class SetOrgPolicyRequest(JSONBody):
    org_policy: OrgPolicyIn
