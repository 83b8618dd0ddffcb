"""Stytch's default RBAC policy and the authorization check of sessions/authenticate.

Stytch's default roles (https://stytch.com/docs/b2b/guides/rbac/stytch-default):
``stytch_member`` (every member; its own Member, ``stytch.self``) and ``stytch_admin`` (every
action on the ``stytch.*`` resources). An organization's ``custom_roles`` add to these.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from .entities import STYTCH_ADMIN, STYTCH_MEMBER, Member, Organization

STYTCH_RESOURCES = {
    "stytch.organization": ["*"],
    "stytch.member": ["*"],
    "stytch.sso": ["*"],
    "stytch.scim": ["*"],
    "stytch.self": ["*"],
}


def default_policy() -> dict[str, Any]:
    return {
        "roles": [
            {
                "role_id": STYTCH_MEMBER,
                "description": "Granted to all Members upon creation.",
                "permissions": [{"resource_id": "stytch.self", "actions": ["*"]}],
            },
            {
                "role_id": STYTCH_ADMIN,
                "description": "Granted to the Member who created the Organization.",
                "permissions": [{"resource_id": r, "actions": ["*"]} for r in STYTCH_RESOURCES],
            },
        ],
        "resources": [
            {
                "resource_id": r,
                "description": f"Stytch's {r.split('.', 1)[1]} resource.",
                "actions": actions,
            }
            for r, actions in STYTCH_RESOURCES.items()
        ],
        "scopes": [],
    }


# The default roles by id, for check (which runs on every sessions/authenticate that asks).
_DEFAULT_ROLES = {role["role_id"]: role for role in default_policy()["roles"]}


def check(
    member: Member,
    org: Organization,
    *,
    organization_id: str,
    resource_id: str,
    action: str,
    session_roles: list[str] | None = None,
) -> dict[str, Any]:
    """The verdict ``{authorized, granting_roles}``; 403 when the member may not act.
    ``session_roles``: the session's roles (``Member.session_role_ids``), else all the member's."""
    if organization_id not in (
        org.organization_id,
        org.organization_slug,
        org.organization_external_id,
    ):
        raise errors.session_authorization_tenancy_error()
    roles = dict(_DEFAULT_ROLES)
    for custom in org.custom_roles:
        roles[custom["role_id"]] = custom
    granting = []
    for role_id in member.role_ids if session_roles is None else session_roles:
        role = roles.get(role_id)
        if role is None:
            continue
        for permission in role["permissions"]:
            if permission["resource_id"] == resource_id and (
                "*" in permission["actions"] or action in permission["actions"]
            ):
                granting.append(role_id)
                break
    if not granting:
        raise errors.session_authorization_error()
    return {"authorized": True, "granting_roles": granting}
