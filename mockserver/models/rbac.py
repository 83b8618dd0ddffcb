"""RBAC policy documents as they come in: the project policy of the config file and of a seed
document (the wire shape of ``GET /v1/b2b/rbac/policy``'s ``policy``) and the body of
``PUT /v1/b2b/rbac/organizations/{organization_id}``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .requests import JSONBody


class _Strict(BaseModel):
    # A policy written by hand: an unknown key is a typo worth an error.
    model_config = ConfigDict(extra="forbid", strict=True)


class PermissionIn(_Strict):
    resource_id: str
    actions: list[str]


class RoleIn(_Strict):
    role_id: str
    description: str | None = None
    permissions: list[PermissionIn] = Field(default_factory=list)


class ResourceIn(_Strict):
    resource_id: str
    description: str = ""
    actions: list[str]


class ScopeIn(_Strict):
    scope: str
    description: str = ""
    permissions: list[PermissionIn] = Field(default_factory=list)


class PolicyDocument(_Strict):
    """A project's RBAC policy: custom ``resources``, custom ``roles`` and entries for
    ``stytch_member`` / ``stytch_admin`` that replace those roles' permissions."""

    resources: list[ResourceIn] = Field(default_factory=list)
    roles: list[RoleIn] = Field(default_factory=list)
    scopes: list[ScopeIn] = Field(default_factory=list)


class _RoleBody(JSONBody):
    role_id: str
    description: str | None = None
    permissions: list[PermissionIn] = Field(default_factory=list)


class OrgPolicyIn(JSONBody):
    roles: list[_RoleBody] = Field(default_factory=list)


class SetOrgPolicyRequest(JSONBody):
    org_policy: OrgPolicyIn
