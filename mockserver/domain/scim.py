"""SCIM: an organization's SCIM connection (``/v1/b2b/scim/{organization_id}/connection...``)
and the provisioning an identity provider does through it (SCIM 2.0 ``Users`` and ``Groups``
under the connection's ``base_url``).

Connection rules: the Python SDK (``stytch/b2b/api/scim_connection.py``,
``stytch/b2b/models/scim.py``) and https://stytch.com/docs/b2b/api/scim-connection-object.
What provisioning does to Members (created on provisioning, deactivated with their roles and
sessions revoked on deprovisioning, active again on reactivation; group membership grants the
connection's ``scim_group_implicit_role_assignments`` with the source ``scim_connection_group``)
follows Stytch's table of SCIM actions, https://stytch.com/docs/b2b/guides/scim/actions, and
the ``MemberRoleSource`` docstring of ``stytch/b2b/models/organizations.py``. The SCIM wire
format itself (parsing, PATCH, filters) is the HTTP layer's, with scim2-models
(:mod:`mockserver.models.scim_protocol`); here a user arrives as :class:`SCIMUser`.
Choices where Stytch is silent are marked [chosen] and listed in the README's fidelity notes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .. import errors
from ..errors import StytchError
from ..ids import new_id
from .entities import Member, MemberStatus, Organization
from .members import add_member, change_email, check_roles, deactivate, refresh_derived
from .project import Project
from .rules import validate_email
from .search import page
from .stores.scim import SCIMConnection, SCIMGroup

IDENTITY_PROVIDERS = (
    "generic",
    "okta",
    "microsoft-entra",
    "cyberark",
    "jumpcloud",
    "onelogin",
    "pingfederate",
    "rippling",
)
# [chosen] Stytch's examples show expiries years ahead and publish no lifetime.
BEARER_TOKEN_LIFETIME = timedelta(days=5 * 365)
# The example bearer token in Stytch's SCIM connection object is 48 alphanumeric characters.
_TOKEN_ALPHABET = string.ascii_letters + string.digits
# Microsoft Entra's flag for SCIM 2.0 compliant behaviour, which Stytch appends to the base URL
# of a microsoft-entra connection (SCIMConnection docstring in the Python SDK).
ENTRA_FLAG = "?aadOptscim062020"
GROUP_SOURCE = "scim_connection_group"


# --- errors (types from Stytch's StytchAPIErrorType list, stytchauth/stytch-browser) ----------


def active_scim_connection_exists() -> StytchError:
    return StytchError(
        400,
        "active_scim_connection_exists",
        "The organization already has an active SCIM connection.",
    )


def invalid_scim_idp() -> StytchError:
    return StytchError(
        400,
        "invalid_scim_idp",
        "identity_provider must be one of: " + ", ".join(IDENTITY_PROVIDERS) + ".",
    )


def scim_connection_not_rotating_token() -> StytchError:
    return StytchError(
        400,
        "scim_connection_not_rotating_token",
        "The SCIM connection has no bearer token rotation in progress.",
    )


def scim_connection_not_found() -> StytchError:
    # [chosen] Stytch's error list has no type for an unknown SCIM connection.
    return StytchError(404, "scim_connection_not_found", "SCIM connection could not be found.")


def _assignment_without_group() -> StytchError:
    return StytchError(
        400,
        "scim_group_role_assignment_does_not_contain_group_id",
        "Each SCIM group role assignment needs a group_id.",
    )


def _assignment_group_unknown(group_id: str) -> StytchError:
    return StytchError(
        400,
        "scim_group_role_assignment_group_does_not_exist",
        f"The SCIM connection has no group {group_id!r}.",
    )


class SCIMProtocolError(StytchError):
    """An error of the SCIM routes: a Stytch error that also names its SCIM ``scimType``
    (RFC 7644 §3.12), which those routes answer with."""

    def __init__(self, status_code: int, error_type: str, message: str, scim_type: str = ""):
        super().__init__(status_code, error_type, message)
        self.scim_type = scim_type


def _user_not_found() -> SCIMProtocolError:
    return SCIMProtocolError(404, "member_not_found", "The SCIM connection has no such User.")


def _group_not_found() -> SCIMProtocolError:
    # [chosen] no Stytch type is published for an unknown SCIM group.
    return SCIMProtocolError(404, "scim_group_not_found", "The SCIM connection has no such Group.")


def invalid_value(message: str) -> SCIMProtocolError:
    return SCIMProtocolError(400, "invalid_argument", message, "invalidValue")


def _uniqueness(message: str) -> SCIMProtocolError:
    return SCIMProtocolError(409, "duplicate_member_email", message, "uniqueness")


# --- connections ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(48))


def _identity_provider(value: str | None) -> str:
    if value is None:
        return "generic"  # [chosen] the SDK marks it optional; "generic" is Stytch's catch-all
    if value not in IDENTITY_PROVIDERS:
        raise invalid_scim_idp()
    return value


def _base_url(mock_url: str, connection_id: str, identity_provider: str) -> str:
    url = f"{mock_url.rstrip('/')}/v1/b2b/scim/{connection_id}"
    return url + ENTRA_FLAG if identity_provider == "microsoft-entra" else url


def _show_active(project: Project, org: Organization, conn: SCIMConnection | None) -> None:
    """Keep the organization's ``scim_active_connection`` in step with its connection."""
    shown = None
    if conn is not None:
        shown = {
            "connection_id": conn.connection_id,
            "display_name": conn.display_name,
            "bearer_token_last_four": conn.bearer_token_last_four,
            "bearer_token_expires_at": conn.bearer_token_expires_at,
        }
    project.organizations.update(org, {"scim_active_connection": shown})


def get_connection(project: Project, organization_id: str) -> SCIMConnection | None:
    """``scim.connection.get``: the organization's connection, if it has one."""
    org = project.organizations.get(organization_id)
    return project.scim_connections.of_organization(org.organization_id)


def _connection(project: Project, organization_id: str, connection_id: str) -> SCIMConnection:
    org = project.organizations.get(organization_id)
    conn = project.scim_connections.find(connection_id)
    if conn is None or conn.organization_id != org.organization_id:
        raise scim_connection_not_found()
    return conn


def create_connection(
    project: Project,
    mock_url: str,
    organization_id: str,
    *,
    display_name: str | None,
    identity_provider: str | None,
) -> tuple[SCIMConnection, str]:
    """``scim.connection.create``: the new connection and its bearer token (shown only here)."""
    org = project.organizations.get(organization_id)
    idp = _identity_provider(identity_provider)
    if project.scim_connections.of_organization(org.organization_id) is not None:
        raise active_scim_connection_exists()
    token = _new_token()
    connection_id = new_id("scim-connection", project.env)
    conn = SCIMConnection(
        organization_id=org.organization_id,
        connection_id=connection_id,
        status="active",
        display_name=display_name or "",
        identity_provider=idp,
        base_url=_base_url(mock_url, connection_id, idp),
        bearer_token_digest=_digest(token),
        bearer_token_last_four=token[-4:],
        bearer_token_expires_at=project.now() + BEARER_TOKEN_LIFETIME,
    )
    project.scim_connections.add(conn)
    _show_active(project, org, conn)
    return conn, token


def update_connection(
    project: Project,
    organization_id: str,
    connection_id: str,
    *,
    display_name: str | None,
    identity_provider: str | None,
    scim_group_implicit_role_assignments: list[dict[str, Any]] | None,
) -> SCIMConnection:
    """``scim.connection.update``: checked in full, then applied; a new list of group role
    assignments replaces the old one and every Member's SCIM roles follow it."""
    conn = _connection(project, organization_id, connection_id)
    org = project.organizations.get_by_id(conn.organization_id)
    idp = _identity_provider(identity_provider) if identity_provider is not None else None
    assignments = None
    if scim_group_implicit_role_assignments is not None:
        assignments = []
        for item in scim_group_implicit_role_assignments:
            group_id = item.get("group_id") or ""
            if not group_id:
                raise _assignment_without_group()
            group = project.scim_groups.find(group_id)
            if group is None or group.connection_id != conn.connection_id:
                raise _assignment_group_unknown(group_id)
            (role_id,) = check_roles(project, org, [str(item.get("role_id") or "")])
            pair = {"role_id": role_id, "group_id": group_id}
            if pair not in assignments:
                assignments.append(pair)
    if display_name is not None:
        conn.display_name = display_name
    if idp is not None and idp != conn.identity_provider:
        conn.identity_provider = idp
        conn.base_url = _base_url(conn.base_url.split("/v1/b2b/scim/")[0], connection_id, idp)
    if assignments is not None:
        conn.scim_group_implicit_role_assignments = assignments
        _refresh_members(project, [m.member_id for m in _provisioned(project, conn)])
    _show_active(project, org, conn)
    return conn


def delete_connection(project: Project, organization_id: str, connection_id: str) -> str:
    """``scim.connection.delete``. [chosen] Its groups go with it, and with them the roles they
    granted; the Members it provisioned stay, without their SCIM registration."""
    conn = _connection(project, organization_id, connection_id)
    org = project.organizations.get_by_id(conn.organization_id)
    members = _provisioned(project, conn)
    for group in project.scim_groups.of_connection(conn.connection_id):
        project.scim_groups.forget(group)
    project.scim_connections.forget(conn)
    for member in members:
        member.scim_registration = None
        member.scim_resource = None
        member.scim_roles = []
        member.updated_at = project.now()
    _show_active(project, org, None)
    return conn.connection_id


def forget_organization(project: Project, organization_id: str) -> None:
    """An organization is deleted: its connection and groups go too."""
    conn = project.scim_connections.of_organization(organization_id)
    if conn is not None:
        for group in project.scim_groups.of_connection(conn.connection_id):
            project.scim_groups.forget(group)
        project.scim_connections.forget(conn)


def rotate_start(
    project: Project, organization_id: str, connection_id: str
) -> tuple[SCIMConnection, str]:
    """``scim.connection.rotate_start``: a next token, valid beside the current one until the
    rotation completes or is cancelled. [chosen] Starting again replaces the pending token."""
    conn = _connection(project, organization_id, connection_id)
    token = _new_token()
    conn.next_bearer_token_digest = _digest(token)
    conn.next_bearer_token_last_four = token[-4:]
    conn.next_bearer_token_expires_at = project.now() + BEARER_TOKEN_LIFETIME
    return conn, token


def rotate_complete(project: Project, organization_id: str, connection_id: str) -> SCIMConnection:
    """``scim.connection.rotate_complete``: the next token becomes the only one."""
    conn = _connection(project, organization_id, connection_id)
    if not conn.next_bearer_token_digest or conn.next_bearer_token_expires_at is None:
        raise scim_connection_not_rotating_token()
    conn.bearer_token_digest = conn.next_bearer_token_digest
    conn.bearer_token_last_four = conn.next_bearer_token_last_four
    conn.bearer_token_expires_at = conn.next_bearer_token_expires_at
    _clear_next(conn)
    _show_active(project, project.organizations.get_by_id(conn.organization_id), conn)
    return conn


def rotate_cancel(project: Project, organization_id: str, connection_id: str) -> SCIMConnection:
    """``scim.connection.rotate_cancel``: the next token is discarded."""
    conn = _connection(project, organization_id, connection_id)
    if not conn.next_bearer_token_digest:
        raise scim_connection_not_rotating_token()
    _clear_next(conn)
    return conn


def _clear_next(conn: SCIMConnection) -> None:
    conn.next_bearer_token_digest = ""
    conn.next_bearer_token_last_four = ""
    conn.next_bearer_token_expires_at = None


def get_groups(
    project: Project,
    organization_id: str,
    connection_id: str,
    *,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[SCIMGroup], str | None]:
    """``scim.connection.get_groups``: a page of the connection's groups and the cursor of the
    next page, paged as Stytch's searches are (search.page: 100 by default, up to 1000)."""
    conn = _connection(project, organization_id, connection_id)
    shown, _total, next_cursor = page(
        project.scim_groups.of_connection(conn.connection_id), cursor, limit
    )
    return shown, next_cursor


def role_assignments(project: Project, conn: SCIMConnection) -> list[dict[str, str]]:
    """The connection's ``scim_group_implicit_role_assignments`` as Stytch shows them: each
    with the group's name."""
    shown = []
    for pair in conn.scim_group_implicit_role_assignments:
        group = project.scim_groups.find(pair["group_id"])
        shown.append({**pair, "group_name": group.group_name if group is not None else ""})
    return shown


# --- the SCIM routes: who is calling -------------------------------------------------------


def authenticate_bearer(project: Project, connection_id: str, token: str) -> SCIMConnection:
    """The connection whose live bearer token (or next token, during a rotation) ``token``
    is; 401 ``unauthorized_credentials`` otherwise."""
    conn = project.scim_connections.find(connection_id)
    if conn is None or not token:
        raise errors.unauthorized_credentials()
    digest = _digest(token)
    now = project.now()
    if hmac.compare_digest(digest, conn.bearer_token_digest) and now < conn.bearer_token_expires_at:
        return conn
    if (
        conn.next_bearer_token_digest
        and hmac.compare_digest(digest, conn.next_bearer_token_digest)
        and conn.next_bearer_token_expires_at is not None
        and now < conn.next_bearer_token_expires_at
    ):
        return conn
    raise errors.unauthorized_credentials()


# --- users ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SCIMUser:
    """A SCIM User resource as the HTTP layer read it: what the Member takes from it, Stytch's
    ``scim_attributes`` and the resource itself (to give back on the SCIM routes)."""

    user_name: str
    email: str | None
    name: str
    active: bool
    external_id: str | None
    attributes: dict[str, Any]
    resource: dict[str, Any]


def _provisioned(project: Project, conn: SCIMConnection) -> list[Member]:
    return [
        member
        for member in project.members.of_organization(conn.organization_id)
        if member.scim_registration is not None
        and member.scim_registration["connection_id"] == conn.connection_id
    ]


def users(project: Project, conn: SCIMConnection) -> list[Member]:
    """The Members the connection provisioned (deactivated ones too: they are Users with
    ``active`` false), in creation order."""
    return [m for m in _provisioned(project, conn) if m.scim_resource is not None]


def find_user(project: Project, conn: SCIMConnection, user_id: str) -> Member:
    member = project.members.find(user_id)
    if (
        member is None
        or member.scim_resource is None
        or member.scim_registration is None
        or member.scim_registration["connection_id"] != conn.connection_id
    ):
        raise _user_not_found()
    return member


def _email_of(user: SCIMUser) -> str:
    """The Member's email for ``user`` (which must have a ``userName``, RFC 7643 §4.1.1)."""
    if not user.user_name.strip():
        raise invalid_value("userName is required and may not be empty.")
    email = user.email or user.user_name
    try:
        validate_email(email)
    except StytchError:
        raise invalid_value(
            "The User needs an email address: in emails, or as its userName."
        ) from None
    return email


def _check_user_name_free(
    project: Project, conn: SCIMConnection, user_name: str, member_id: str | None
) -> None:
    owner = project.scim_connections.user_name_owner(conn.connection_id, user_name)
    if owner is not None and owner != member_id:
        raise _uniqueness(f"A User with userName {user_name!r} exists already.")


def find_user_by_user_name(project: Project, conn: SCIMConnection, user_name: str) -> Member | None:
    """The connection's user with this ``userName`` (compared casefolded), from the index."""
    owner = project.scim_connections.user_name_owner(conn.connection_id, user_name)
    return project.members.find(owner) if owner is not None else None


def _user_name(member: Member) -> str | None:
    return None if member.scim_resource is None else str(member.scim_resource.get("userName", ""))


def provision_user(project: Project, conn: SCIMConnection, user: SCIMUser) -> Member:
    """``POST /Users``: a new Member of the connection's organization (Stytch: "Creates Member
    in Organization", with the email-domain role grants). [chosen] A live Member with the same
    email that no SCIM connection provisioned is taken over (linked) rather than refused;
    ``email_address_verified`` is left false (SCIM does not prove an email)."""
    org = project.organizations.get_by_id(conn.organization_id)
    email = _email_of(user)
    _check_user_name_free(project, conn, user.user_name, None)
    member = project.members.find_by_email(org.organization_id, email)
    if member is not None and member.scim_registration is not None:
        raise _uniqueness(f"A User with the email {email!r} exists already.")
    if member is None:
        member = add_member(
            project,
            org,
            email,
            status=MemberStatus.ACTIVE if user.active else MemberStatus.DELETED,
            name=user.name,
        )
    elif user.name:
        member.name = user.name
    member.scim_registration = {
        "connection_id": conn.connection_id,
        "registration_id": new_id("member-scim-registration", project.env),
    }
    _apply(project, conn, member, user)
    if not user.active:
        _deactivate(project, member)
    return member


def replace_user(project: Project, conn: SCIMConnection, member: Member, user: SCIMUser) -> Member:
    """``PUT`` or ``PATCH /Users/{id}``: the Member follows the new resource. ``active`` false
    deprovisions it (status ``deleted``, its sessions and roles revoked); true again
    reactivates it (implicit grants come back, explicit roles do not)."""
    org = project.organizations.get_by_id(conn.organization_id)
    email = _email_of(user)
    _check_user_name_free(project, conn, user.user_name, member.member_id)
    if email.casefold() != member.email_address.casefold():
        owner = project.members.find_by_email(org.organization_id, email)
        if owner is not None and owner.member_id != member.member_id:
            raise _uniqueness(f"Another Member has the email {email!r}.")
    was_active = member.status != MemberStatus.DELETED
    with project.members.changing(member):
        if email.casefold() != member.email_address.casefold():
            change_email(project, member, email)
        if user.active and not was_active:
            member.status = MemberStatus.ACTIVE
    if user.name:
        member.name = user.name
    refresh_derived(org, member)
    _apply(project, conn, member, user)
    if was_active and not user.active:
        _deactivate(project, member)
    return member


def delete_user(project: Project, conn: SCIMConnection, member: Member) -> None:
    """``DELETE /Users/{id}``: deprovisioned like ``active`` false, and no longer a User of
    the connection (RFC 7644 §3.6: later requests for it get 404). [chosen] The Member record
    stays, deleted, as after ``organizations.members.delete``."""
    _deactivate(project, member)
    for group in project.scim_groups.forget_member(member.member_id):
        group.updated_at = project.now()
    project.scim_connections.set_user_name(
        conn.connection_id, member.member_id, _user_name(member), None
    )
    member.scim_resource = None
    member.scim_registration = None
    member.scim_roles = []


def _apply(project: Project, conn: SCIMConnection, member: Member, user: SCIMUser) -> None:
    assert member.scim_registration is not None
    project.scim_connections.set_user_name(
        conn.connection_id, member.member_id, _user_name(member), user.user_name
    )
    member.scim_registration["external_id"] = user.external_id
    member.scim_registration["scim_attributes"] = {**user.attributes, "id": member.member_id}
    member.scim_resource = user.resource
    refresh_scim_roles(project, member)
    member.updated_at = project.now()


def _deactivate(project: Project, member: Member) -> None:
    """Stytch's "Member Deprovisioned": status deactivated (``deleted`` in the B2B API), every
    current role and every session revoked."""
    deactivate(project, member)
    member.explicit_roles = []
    member.scim_roles = []


# --- groups --------------------------------------------------------------------------------


def groups(project: Project, conn: SCIMConnection) -> list[SCIMGroup]:
    return project.scim_groups.of_connection(conn.connection_id)


def find_group(project: Project, conn: SCIMConnection, group_id: str) -> SCIMGroup:
    group = project.scim_groups.find(group_id)
    if group is None or group.connection_id != conn.connection_id:
        raise _group_not_found()
    return group


def _group_members(project: Project, conn: SCIMConnection, member_ids: list[str]) -> list[str]:
    for member_id in member_ids:
        try:
            find_user(project, conn, member_id)
        except StytchError:
            raise invalid_value(
                f"The group names {member_id!r}, not a User of this connection."
            ) from None
    return list(dict.fromkeys(member_ids))


def create_group(
    project: Project,
    conn: SCIMConnection,
    *,
    display_name: str,
    external_id: str | None,
    member_ids: list[str],
) -> SCIMGroup:
    """``POST /Groups``: Stytch's "Group Created" (an IdP group with a stable id) and, for its
    members, "Member Added to Group" (the group's role grants)."""
    members = _group_members(project, conn, member_ids)
    now = project.now()
    group = SCIMGroup(
        group_id=new_id("scim-group", project.env),
        group_name=display_name,
        organization_id=conn.organization_id,
        connection_id=conn.connection_id,
        created_at=now,
        updated_at=now,
        external_id=external_id,
    )
    project.scim_groups.add(group)
    project.scim_groups.set_members(group, members)
    _refresh_members(project, members)
    return group


def replace_group(
    project: Project,
    conn: SCIMConnection,
    group: SCIMGroup,
    *,
    display_name: str,
    external_id: str | None,
    member_ids: list[str],
) -> SCIMGroup:
    """``PUT`` or ``PATCH /Groups/{id}``: a new name and member list; the role grants of the
    Members who came or went follow."""
    members = _group_members(project, conn, member_ids)
    touched = set(group.member_ids) ^ set(members)
    renamed = display_name != group.group_name
    group.group_name = display_name
    group.external_id = external_id
    project.scim_groups.set_members(group, members)
    group.updated_at = project.now()
    _refresh_members(project, set(members) if renamed else touched)
    return group


def delete_group(project: Project, conn: SCIMConnection, group: SCIMGroup) -> None:
    """``DELETE /Groups/{id}``: the group, its role assignments on the connection and the
    grants they gave go."""
    members = list(group.member_ids)
    project.scim_groups.forget(group)
    conn.scim_group_implicit_role_assignments = [
        pair
        for pair in conn.scim_group_implicit_role_assignments
        if pair["group_id"] != group.group_id
    ]
    _refresh_members(project, members)


# --- roles ---------------------------------------------------------------------------------


def refresh_scim_roles(project: Project, member: Member) -> None:
    """The Member's ``scim_connection_group`` grants: one per assignment of its connection
    whose group the Member is in (none while it is deprovisioned)."""
    grants: list[dict[str, Any]] = []
    registration = member.scim_registration
    if registration is not None and "scim_attributes" in registration:
        # The User's groups in Stytch's scim_attributes follow the groups' member lists.
        registration["scim_attributes"]["groups"] = [
            {"value": group.group_id, "display": group.group_name}
            for group in project.scim_groups.of_member(member.member_id)
        ]
    if registration is not None and member.status != MemberStatus.DELETED:
        conn = project.scim_connections.find(registration["connection_id"])
        mine = {group.group_id for group in project.scim_groups.of_member(member.member_id)}
        for pair in conn.scim_group_implicit_role_assignments if conn is not None else ():
            if pair["group_id"] in mine:
                grants.append(
                    {
                        "role_id": pair["role_id"],
                        "source": {
                            "type": GROUP_SOURCE,
                            "details": {
                                "connection_id": registration["connection_id"],
                                "group_id": pair["group_id"],
                            },
                        },
                    }
                )
    member.scim_roles = grants


def _refresh_members(project: Project, member_ids: Any) -> None:
    for member_id in member_ids:
        member = project.members.find(member_id)
        if member is not None:
            refresh_scim_roles(project, member)
            member.updated_at = project.now()
