"""Member-session authorization of management calls (Stytch's RBAC enforcement).

A backend may send a logged-in Member's session with a call (the SDKs' ``method_options`` /
``options.authorization``, i.e. the ``X-Stytch-Member-Session`` or
``X-Stytch-Member-SessionJWT`` header). Stytch then runs the call as that Member: the session
must be live, its organization must be the one the call is about (else 403
``session_authorization_tenancy_error``), and its roles must grant the action the call needs
(else 403 ``session_authorization_error``). Without the headers the project secret has full
access. The actions per endpoint and per updated field are those the Python SDK's docstrings
name (stytch/b2b/api/organizations.py, organizations_members.py, magic_links_email.py,
sessions.py; https://stytch.com/docs/b2b/guides/rbac/stytch-default).

Each ``authorize_*`` function checks one operation for a :class:`Caller` and raises before
anything changes; the HTTP layer calls it (http/authorization.py) only when the headers came.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors
from . import sessions
from .entities import Member, MemberSession, Organization
from .project import Project
from .rbac import STYTCH_RESOURCES, names_organization, session_role_ids

ORGANIZATION = "stytch.organization"
MEMBER = "stytch.member"
SELF = "stytch.self"
SELF_ACTIONS = frozenset(STYTCH_RESOURCES[SELF])

# organizations.update: the action each field needs on stytch.organization.
ORGANIZATION_UPDATE_ACTIONS = {
    "organization_name": "update.info.name",
    "organization_slug": "update.info.slug",
    "organization_logo_url": "update.info.logo-url",
    "sso_default_connection_id": "update.settings.default-sso-connection",
    "sso_jit_provisioning": "update.settings.sso-jit-provisioning",
    "sso_jit_provisioning_allowed_connections": "update.settings.sso-jit-provisioning",
    "email_allowed_domains": "update.settings.allowed-domains",
    "email_jit_provisioning": "update.settings.email-jit-provisioning",
    "email_invites": "update.settings.email-invites",
    "auth_methods": "update.settings.allowed-auth-methods",
    "allowed_auth_methods": "update.settings.allowed-auth-methods",
    "mfa_policy": "update.settings.mfa-policy",
    "rbac_email_implicit_role_assignments": "update.settings.implicit-roles",
    "mfa_methods": "update.settings.allowed-mfa-methods",
    "allowed_mfa_methods": "update.settings.allowed-mfa-methods",
    "oauth_tenant_jit_provisioning": "update.settings.oauth-tenant-jit-provisioning",
    "allowed_oauth_tenants": "update.settings.allowed-oauth-tenants",
}

# organizations.members.update: the action each field needs on stytch.member (on one's own
# record the same action on stytch.self also does, where the docstring says so).
MEMBER_UPDATE_ACTIONS = {
    "name": "update.info.name",
    "untrusted_metadata": "update.info.untrusted-metadata",
    "is_breakglass": "update.settings.is-breakglass",
    "mfa_phone_number": "update.info.mfa-phone",
    "mfa_enrolled": "update.settings.mfa-enrolled",
    "roles": "update.settings.roles",
    "default_mfa_method": "update.settings.default-mfa-method",
    "email_address": "update.info.email",
}
# The member-update fields for which the docstrings accept stytch.self on one's own record.
MEMBER_SELF_FIELDS = frozenset(
    {"name", "untrusted_metadata", "mfa_phone_number", "mfa_enrolled", "default_mfa_method"}
)


@dataclass(frozen=True, slots=True)
class Caller:
    """The Member a call runs as: its live session, the Member, its organization, and the
    roles the session holds."""

    session: MemberSession
    member: Member
    organization: Organization
    role_ids: tuple[str, ...]


def authenticate_caller(
    project: Project, *, session_token: str | None, session_jwt: str | None
) -> Caller:
    """The Member behind the headers: 404 ``session_not_found`` for an unknown, expired or
    revoked session (or one of another project), 400 ``unable_to_parse_session_jwt`` for a JWT
    that is not one of this project's, 400 ``too_many_session_arguments`` for both headers."""
    session = sessions.get_session(project, session_token=session_token, session_jwt=session_jwt)
    member = project.members.get_by_id(session.member_id)
    org = project.organizations.get_by_id(session.organization_id)
    return Caller(session, member, org, tuple(session_role_ids(member, session)))


# --- the checks -------------------------------------------------------------------------


def _same_organization(caller: Caller, organization_id: str) -> None:
    if not names_organization(caller.organization, organization_id):
        raise errors.session_authorization_tenancy_error()


def _require(
    project: Project, caller: Caller, resource_id: str, action: str, *, own: bool = False
) -> None:
    """The caller's roles grant ``action`` on ``resource_id`` (or, on its own record, the same
    action on ``stytch.self``)."""
    policy = project.rbac_policy.policy
    if policy.grants(caller.organization, caller.role_ids, resource_id, action):
        return
    if own and action in SELF_ACTIONS:
        if policy.grants(caller.organization, caller.role_ids, SELF, action):
            return
    raise errors.session_authorization_error(resource_id, action)


def _is_self(caller: Caller, member_id: str) -> bool:
    return member_id in (caller.member.member_id, caller.member.external_id)


def _no_trusted_metadata(body: Mapping[str, Any]) -> None:
    if body.get("trusted_metadata") is not None:
        raise errors.StytchError(
            400,
            "cannot_update_trusted_metadata",
            "trusted_metadata cannot be updated with a member session; use the project secret.",
        )


Path = Mapping[str, str]
Body = Mapping[str, Any]
Rule = Callable[[Project, Caller, Path, Body], None]


def authorize_organization_update(project: Project, caller: Caller, path: Path, body: Body) -> None:
    _same_organization(caller, path["organization_id"])
    _no_trusted_metadata(body)
    for field, action in ORGANIZATION_UPDATE_ACTIONS.items():
        if body.get(field) is not None:
            _require(project, caller, ORGANIZATION, action)


def organization_action(resource_id: str, action: str) -> Rule:
    """The rule of a call on the path's organization that needs ``action`` on
    ``resource_id`` (organizations.delete: ``stytch.organization`` ``delete``; the SSO and
    SCIM connection calls: ``stytch.sso`` / ``stytch.scim`` ``create``, ``get``, ...)."""

    def rule(project: Project, caller: Caller, path: Path, body: Body) -> None:
        _same_organization(caller, path["organization_id"])
        _require(project, caller, resource_id, action)

    rule.__name__ = f"authorize_{resource_id}_{action}"
    return rule


def member_action(action: str) -> Rule:
    """The rule of a call on one member (``{member_id}`` in the path) that needs ``action`` on
    ``stytch.member``, or on ``stytch.self`` for one's own record (members.delete: ``delete``;
    delete_mfa_phone_number, delete_totp, delete_password: ``update.info.delete.*``;
    unlink_retired_email, start_email_update, connected apps: as the SDK docstrings name)."""

    def rule(project: Project, caller: Caller, path: Path, body: Body) -> None:
        _same_organization(caller, path["organization_id"])
        own = "member_id" in path and _is_self(caller, path["member_id"])
        _require(project, caller, MEMBER, action, own=own)

    rule.__name__ = f"authorize_member_{action}"
    return rule


def authorize_member_create(project: Project, caller: Caller, path: Path, body: Body) -> None:
    """members.create and members.reactivate: ``create`` on stytch.member."""
    _same_organization(caller, path["organization_id"])
    _require(project, caller, MEMBER, "create")


def authorize_member_update(project: Project, caller: Caller, path: Path, body: Body) -> None:
    _same_organization(caller, path["organization_id"])
    _no_trusted_metadata(body)
    own = _is_self(caller, path["member_id"])
    if own and body.get("email_address") is not None:
        raise errors.StytchError(
            400,
            "member_cannot_update_their_email_address",
            "A Member cannot update their own email address.",
        )
    for field, action in MEMBER_UPDATE_ACTIONS.items():
        if body.get(field) is not None:
            _require(project, caller, MEMBER, action, own=own and field in MEMBER_SELF_FIELDS)


def authorize_member_search(project: Project, caller: Caller, path: Path, body: Body) -> None:
    for organization_id in body.get("organization_ids") or ():
        _same_organization(caller, organization_id)
    _require(project, caller, MEMBER, "search")


def authorize_invite(project: Project, caller: Caller, path: Path, body: Body) -> None:
    _same_organization(caller, body["organization_id"])
    _require(project, caller, MEMBER, "create")


def authorize_session_revoke(project: Project, caller: Caller, path: Path, body: Body) -> None:
    """``revoke-sessions`` on stytch.member, or on stytch.self for one's own sessions. The
    sessions' Member must be of the caller's organization; a target that does not exist is
    left to the call itself (its 404)."""
    target = _revoke_target(project, body)
    if target is None:
        return
    if target.organization_id != caller.organization.organization_id:
        raise errors.session_authorization_tenancy_error()
    own = target.member_id == caller.member.member_id
    _require(project, caller, MEMBER, "revoke-sessions", own=own)


def _revoke_target(project: Project, body: Body) -> Member | None:
    member_id = body.get("member_id")
    if member_id is None:
        session_id = body.get("member_session_id")
        if session_id is not None:
            session = project.sessions.find(session_id)
        elif body.get("session_token") is not None or body.get("session_jwt") is not None:
            try:
                session = sessions.get_session(
                    project,
                    session_token=body.get("session_token"),
                    session_jwt=body.get("session_jwt"),
                )
            except errors.StytchError:
                return None
        else:
            return None
        member_id = session.member_id if session is not None else None
    return project.members.find(member_id) if member_id else None


authorize_organization_delete = organization_action(ORGANIZATION, "delete")
authorize_member_delete = member_action("delete")
