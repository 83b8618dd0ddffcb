"""A project's RBAC policy: Stytch's default resources and roles, the project's own resources,
roles and changes to the default roles, and the permission check every authorization uses.

Stytch's default roles (https://stytch.com/docs/b2b/guides/rbac/stytch-default):
``stytch_member`` (every member; its own Member, ``stytch.self``) and ``stytch_admin`` (every
action on the ``stytch.*`` resources). The actions of the default resources are those the
Python SDK's docstrings name ("the Member Session must have permission to perform the
``update.info.name`` action on the ``stytch.organization`` Resource", stytch/b2b/api/*.py).

A project policy (the config file's ``rbac_policy``, a seed document's ``rbac_policy``) has the
wire shape of ``GET /v1/b2b/rbac/policy``: custom ``resources`` (ids may not start with
``stytch``), custom ``roles``, and entries for ``stytch_member`` / ``stytch_admin`` that replace
those roles' permissions (as editing a default role in Stytch's dashboard does). An
organization's ``custom_roles`` (``PUT /v1/b2b/rbac/organizations/{id}``) add to the project's
roles, under the rules the Python SDK checks locally (``RBAC.validate_org_policy`` in
stytch/b2b/api/rbac_organizations.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from .project import Project

from .. import errors
from .entities import STYTCH_ADMIN, STYTCH_MEMBER, Member, MemberSession, Organization

# --- the policy document (config file, seed document, saved state) ---------------------------


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


# The actions Stytch's SDK docstrings name for each default resource. A member's own record
# (stytch.self) has the member actions that make sense on oneself.
_INFO_ACTIONS = [
    "update.info.name",
    "update.info.untrusted-metadata",
    "update.info.mfa-phone",
    "update.info.email",
    "update.info.delete.mfa-phone",
    "update.info.delete.mfa-totp",
    "update.info.delete.password",
    "update.info.unlink.retired-email",
]
_MFA_SETTINGS_ACTIONS = ["update.settings.mfa-enrolled", "update.settings.default-mfa-method"]
_SESSION_ACTIONS = ["revoke-sessions", "get.connected-apps", "revoke.connected-app"]
STYTCH_RESOURCES: dict[str, list[str]] = {
    "stytch.organization": [
        "update.info.name",
        "update.info.slug",
        "update.info.logo-url",
        "update.settings.allowed-auth-methods",
        "update.settings.allowed-mfa-methods",
        "update.settings.email-jit-provisioning",
        "update.settings.email-invites",
        "update.settings.allowed-domains",
        "update.settings.default-sso-connection",
        "update.settings.sso-jit-provisioning",
        "update.settings.mfa-policy",
        "update.settings.implicit-roles",
        "update.settings.oauth-tenant-jit-provisioning",
        "update.settings.allowed-oauth-tenants",
        "delete",
    ],
    "stytch.member": [
        "create",
        *_INFO_ACTIONS,
        "update.settings.is-breakglass",
        *_MFA_SETTINGS_ACTIONS,
        "update.settings.roles",
        "search",
        "delete",
        *_SESSION_ACTIONS,
    ],
    "stytch.sso": ["create", "get", "update", "delete"],
    "stytch.scim": ["create", "get", "update", "delete"],
    "stytch.self": [*_INFO_ACTIONS, *_MFA_SETTINGS_ACTIONS, *_SESSION_ACTIONS, "delete"],
}
_DESCRIPTIONS = {
    STYTCH_MEMBER: "Granted to all Members upon creation.",
    STYTCH_ADMIN: "Granted to the Member who created the Organization.",
}


@dataclass(frozen=True, slots=True)
class Policy:
    """A project's policy: roles and resources by id, in the order GET /rbac/policy lists them."""

    roles: dict[str, dict[str, Any]]
    resources: dict[str, dict[str, Any]]
    scopes: tuple[dict[str, Any], ...] = ()
    # The document it was built from (None for Stytch's default policy): what a saved state
    # keeps.
    source: dict[str, Any] | None = None

    def document(self) -> dict[str, Any]:
        """The wire ``policy`` of ``GET /v1/b2b/rbac/policy``."""
        return {
            "roles": list(self.roles.values()),
            "resources": list(self.resources.values()),
            "scopes": list(self.scopes),
        }

    def grants(
        self, org: Organization, role_ids: Iterable[str], resource_id: str, action: str
    ) -> list[str]:
        """The roles among ``role_ids`` with a permission for ``action`` on ``resource_id``
        (the organization's custom roles count too); a permission's ``*`` means every action.
        The same rule as the SDKs' local checks (stytch/shared/rbac_local.py ``is_authorized``,
        Node's ``performBaseRoleAuthorizationCheck``)."""
        granting = []
        custom = {role["role_id"]: role for role in org.custom_roles} if org.custom_roles else {}
        for role_id in role_ids:
            role = self.roles.get(role_id) or custom.get(role_id)
            if role is None:
                continue
            for permission in role["permissions"]:
                if permission["resource_id"] == resource_id and (
                    "*" in permission["actions"] or action in permission["actions"]
                ):
                    granting.append(role_id)
                    break
        return granting


def _role(role_id: str, description: str, permissions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"role_id": role_id, "description": description, "permissions": permissions}


def _default_roles() -> dict[str, dict[str, Any]]:
    return {
        STYTCH_MEMBER: _role(
            STYTCH_MEMBER,
            _DESCRIPTIONS[STYTCH_MEMBER],
            [{"resource_id": "stytch.self", "actions": ["*"]}],
        ),
        STYTCH_ADMIN: _role(
            STYTCH_ADMIN,
            _DESCRIPTIONS[STYTCH_ADMIN],
            [{"resource_id": r, "actions": ["*"]} for r in STYTCH_RESOURCES],
        ),
    }


def _default_resources() -> dict[str, dict[str, Any]]:
    return {
        r: {
            "resource_id": r,
            "description": f"Stytch's {r.split('.', 1)[1]} resource.",
            "actions": list(actions),
        }
        for r, actions in STYTCH_RESOURCES.items()
    }


DEFAULT_POLICY = Policy(_default_roles(), _default_resources())


def _check_permissions(
    role_id: str, permissions: list[dict[str, Any]], resources: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each permission names a known resource and some of its actions, or ``*`` alone."""
    if not permissions:
        raise errors.StytchError(
            400, "rbac_role_missing_permissions", f"Role {role_id} has no permissions."
        )
    checked = []
    for permission in permissions:
        resource_id = permission.get("resource_id")
        actions = list(permission.get("actions") or [])
        resource = resources.get(resource_id) if isinstance(resource_id, str) else None
        if resource is None:
            raise errors.StytchError(
                400,
                "invalid_permission_resource",
                f"Role {role_id} names resource {resource_id!r}, which the policy does not have.",
            )
        if not actions:
            raise errors.StytchError(
                400,
                "rbac_role_missing_permissions",
                f"Role {role_id} lists no actions on {resource_id}.",
            )
        if "*" in actions and len(actions) > 1:
            raise errors.StytchError(
                400,
                "invalid_wildcard_action",
                "A wildcard action must be the only action of a permission.",
            )
        for action in actions:
            if action != "*" and action not in resource["actions"]:
                raise errors.StytchError(
                    400,
                    "invalid_permission_action",
                    f"Role {role_id}: {action!r} is not an action of {resource_id}.",
                )
        checked.append({"resource_id": resource_id, "actions": actions})
    return checked


def _new_role_id(role: dict[str, Any], seen: set[str]) -> str:
    """The role's id, once: empty is ``empty_rbac_role_id``, repeated ``rbac_role_duplicate``."""
    role_id: str = role["role_id"]
    if not role_id:
        raise errors.StytchError(400, "empty_rbac_role_id", "A role needs a role_id.")
    if role_id in seen:
        raise errors.StytchError(400, "rbac_role_duplicate", f"Role {role_id} is defined twice.")
    seen.add(role_id)
    return role_id


def build_policy(document: dict[str, Any] | None) -> Policy:
    """The project policy from its document (shape checked by ``models.rbac.PolicyDocument``);
    400 with Stytch's RBAC error types for what the dashboard would refuse."""
    if document is None:
        return DEFAULT_POLICY
    resources = _default_resources()
    for resource in document.get("resources") or []:
        resource_id = resource["resource_id"]
        if resource_id.startswith("stytch"):
            raise errors.StytchError(
                400,
                "invalid_stytch_prefixed_resource",
                f"{resource_id}: resource ids starting with 'stytch' are reserved for Stytch.",
            )
        if not resource_id or resource_id in resources:
            raise errors.StytchError(
                400, "invalid_permission_resource", f"Resource {resource_id!r} is defined twice."
            )
        actions = list(resource.get("actions") or [])
        if any(not a or a == "*" for a in actions) or len(set(actions)) != len(actions):
            raise errors.StytchError(
                400,
                "invalid_permission_action",
                f"Resource {resource_id}: actions must be distinct, non-empty and not '*'.",
            )
        resources[resource_id] = {
            "resource_id": resource_id,
            "description": resource.get("description") or "",
            "actions": actions,
        }
    roles = _default_roles()
    seen: set[str] = set()
    for role in document.get("roles") or []:
        role_id = _new_role_id(role, seen)
        permissions = _check_permissions(role_id, role.get("permissions") or [], resources)
        description = role.get("description")
        if description is None:
            description = roles[role_id]["description"] if role_id in roles else ""
        roles[role_id] = _role(role_id, description, permissions)
    return Policy(roles, resources, tuple(document.get("scopes") or ()), document)


def check_org_roles(policy: Policy, roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An organization's custom roles, as ``PUT /v1/b2b/rbac/organizations/{id}`` accepts
    them: new role ids only (not the project's), each with permissions on the project's
    resources (the checks of the Python SDK's ``RBAC.validate_org_policy``)."""
    checked = []
    seen: set[str] = set()
    for role in roles:
        role_id = _new_role_id(role, seen)
        if role_id in policy.roles:
            raise errors.StytchError(
                400,
                "rbac_org_custom_roles_only",
                f"Role {role_id} is a project role; an organization policy defines new roles only.",
            )
        permissions = _check_permissions(role_id, role.get("permissions") or [], policy.resources)
        checked.append(_role(role_id, role.get("description") or "", permissions))
    return checked


def names_organization(org: Organization, organization_id: str) -> bool:
    """Whether ``organization_id`` is the organization's id, slug or external id (Stytch takes
    all three wherever an organization id is expected)."""
    return organization_id in (org.organization_id, org.organization_external_id) or (
        organization_id.lower() == org.organization_slug.lower()
    )


def check(
    policy: Policy,
    org: Organization,
    role_ids: list[str],
    *,
    organization_id: str,
    resource_id: str,
    action: str,
) -> dict[str, Any]:
    """The verdict ``{authorized, granting_roles}`` of sessions/authenticate's
    ``authorization_check``; 403 when the organization differs or no role grants the action."""
    if not names_organization(org, organization_id):
        raise errors.session_authorization_tenancy_error()
    granting = policy.grants(org, role_ids, resource_id, action)
    if not granting:
        raise errors.session_authorization_error(resource_id, action)
    return {"authorized": True, "granting_roles": granting}


def default_policy() -> dict[str, Any]:
    """Stytch's default policy document (what a project without a policy of its own serves)."""
    return DEFAULT_POLICY.document()


def session_role_ids(member: Member, session: MemberSession) -> list[str]:
    """The roles a session holds: the Member's roles, except those granted only by an SSO
    connection (or its groups) that none of the session's factors came through (the text of
    ``sessions.authenticate`` in the Python SDK: SSO roles count for connections present among
    the session's authentication factors)."""
    connections = {
        factor_connection
        for factor in session.authentication_factors
        if (factor_connection := _sso_connection_id(factor)) is not None
    }
    held = []
    for role in member.roles:
        for source in role["sources"]:
            if source["type"] not in ("sso_connection", "sso_connection_group"):
                held.append(role["role_id"])
                break
            if (source.get("details") or {}).get("connection_id") in connections:
                held.append(role["role_id"])
                break
    return held


def _sso_connection_id(factor: Any) -> str | None:
    for name in ("saml_sso_factor", "oidc_sso_factor"):
        sub = getattr(factor, name, None)
        if sub:  # SAMLSSOFactor / OIDCSSOFactor: provider_id is the connection's id
            return sub.get("provider_id")
    return None


def set_org_policy(
    project: Project, organization_id: str, roles: list[dict[str, Any]]
) -> Organization:
    """``PUT /v1/b2b/rbac/organizations/{id}``: the organization's custom roles, replaced whole
    (checked in full first, so a refused policy changes nothing)."""
    org: Organization = project.organizations.get(organization_id)
    checked = check_org_roles(project.rbac_policy.policy, roles)
    project.organizations.update(org, {"custom_roles": checked})
    return org
