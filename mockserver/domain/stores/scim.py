"""SCIM state: each organization's SCIM connection and the IdP groups pushed through it.

The connection is Stytch's SCIMConnection (``stytch/b2b/models/scim.py`` in the Python SDK)
plus its bearer tokens, kept as SHA-256 digests (the plaintext is shown once, at creation or
rotation start). The users an IdP provisions are Members (``Member.scim_registration``); the
groups are :class:`SCIMGroup`, with the ids of their member Members. The rules live in
:mod:`mockserver.domain.scim`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


@dataclass(slots=True)
class SCIMConnection:
    """Stytch's SCIMConnection. Bookkeeping: the digests of the bearer token and of the next
    one during a rotation (``bearer_token_digest``, ``next_bearer_token_digest``), and
    ``scim_group_implicit_role_assignments`` kept as ``{role_id, group_id}`` (the group's name
    is the group's own, rendered from the groups store)."""

    organization_id: str
    connection_id: str
    status: str
    display_name: str
    identity_provider: str
    base_url: str
    bearer_token_digest: str
    bearer_token_last_four: str
    bearer_token_expires_at: datetime
    next_bearer_token_digest: str = ""
    next_bearer_token_last_four: str = ""
    next_bearer_token_expires_at: datetime | None = None
    scim_group_implicit_role_assignments: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class SCIMGroup:
    """Stytch's SCIMGroup (``group_id``, ``group_name``, ``organization_id``,
    ``connection_id``). Bookkeeping: the IdP's ``external_id`` and ``member_ids`` (the Members
    the IdP put in the group, in the order it sent them)."""

    group_id: str
    group_name: str
    organization_id: str
    connection_id: str
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None
    member_ids: list[str] = field(default_factory=list)


class SCIMConnections(Store[SCIMConnection]):
    """Connections by id and by organization (one each: Stytch allows one active connection
    per organization), and the users each connection provisioned by ``userName`` (casefolded,
    as RFC 7643 compares it), rebuilt from the members' ``scim_resource`` on load."""

    name = "scim_connections"
    record = SCIMConnection

    def __init__(self) -> None:
        self._by_id: dict[str, SCIMConnection] = {}
        self._by_org: dict[str, str] = {}
        self._user_names: dict[tuple[str, str], str] = {}

    def user_name_owner(self, connection_id: str, user_name: str) -> str | None:
        """The member id of the connection's user with this ``userName``, if any."""
        return self._user_names.get((connection_id, user_name.casefold()))

    def set_user_name(
        self, connection_id: str, member_id: str, old: str | None, new: str | None
    ) -> None:
        """A user's ``userName`` changes from ``old`` to ``new`` (None: none)."""
        if old is not None:
            self._user_names.pop((connection_id, old.casefold()), None)
        if new is not None:
            self._user_names[(connection_id, new.casefold())] = member_id

    def add(self, conn: SCIMConnection) -> None:
        self._by_id[conn.connection_id] = conn
        self._by_org[conn.organization_id] = conn.connection_id

    def forget(self, conn: SCIMConnection) -> None:
        del self._by_id[conn.connection_id]
        if self._by_org.get(conn.organization_id) == conn.connection_id:
            del self._by_org[conn.organization_id]
        for key in [k for k in self._user_names if k[0] == conn.connection_id]:
            del self._user_names[key]

    def find(self, connection_id: str) -> SCIMConnection | None:
        return self._by_id.get(connection_id)

    def of_organization(self, organization_id: str) -> SCIMConnection | None:
        connection_id = self._by_org.get(organization_id)
        return self._by_id[connection_id] if connection_id is not None else None

    def clear(self) -> None:
        self._by_id.clear()
        self._by_org.clear()
        self._user_names.clear()

    def __iter__(self) -> Iterator[SCIMConnection]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, records: list[SCIMConnection], project: Project) -> None:
        for conn in records:
            if conn.connection_id in self._by_id:
                raise bad_state(f"SCIM connection {conn.connection_id} appears twice")
            if conn.organization_id not in project.organizations:
                raise bad_state(
                    f"SCIM connection {conn.connection_id} names an unknown organization"
                )
            if conn.organization_id in self._by_org:
                raise bad_state(f"organization {conn.organization_id} has two SCIM connections")
            self.add(conn)
        for member in project.members:
            registration, resource = member.scim_registration, member.scim_resource
            if registration is None or resource is None:
                continue
            if registration.get("connection_id") not in self._by_id:
                raise bad_state(f"member {member.member_id} names an unknown SCIM connection")
            name = str(resource.get("userName") or "")
            if self.user_name_owner(registration["connection_id"], name) is not None:
                raise bad_state(f"two users of a SCIM connection have the userName {name!r}")
            self.set_user_name(registration["connection_id"], member.member_id, None, name)


class SCIMGroups(Store[SCIMGroup]):
    """Groups by id, each connection's groups (in creation order) and each Member's groups."""

    name = "scim_groups"
    record = SCIMGroup

    def __init__(self) -> None:
        self._by_id: dict[str, SCIMGroup] = {}
        self._by_connection: dict[str, dict[str, None]] = {}
        self._of_member: dict[str, dict[str, None]] = {}

    def add(self, group: SCIMGroup) -> None:
        self._by_id[group.group_id] = group
        self._by_connection.setdefault(group.connection_id, {})[group.group_id] = None
        self._index_members(group)

    def forget(self, group: SCIMGroup) -> None:
        self._unindex_members(group)
        del self._by_id[group.group_id]
        in_conn = self._by_connection.get(group.connection_id, {})
        in_conn.pop(group.group_id, None)
        if not in_conn:
            self._by_connection.pop(group.connection_id, None)

    def set_members(self, group: SCIMGroup, member_ids: list[str]) -> None:
        self._unindex_members(group)
        group.member_ids = list(dict.fromkeys(member_ids))
        self._index_members(group)

    def forget_member(self, member_id: str) -> list[SCIMGroup]:
        """Take the Member out of every group; the groups it was in."""
        groups = self.of_member(member_id)
        for group in groups:
            self.set_members(group, [m for m in group.member_ids if m != member_id])
        return groups

    def _index_members(self, group: SCIMGroup) -> None:
        for member_id in group.member_ids:
            self._of_member.setdefault(member_id, {})[group.group_id] = None

    def _unindex_members(self, group: SCIMGroup) -> None:
        for member_id in group.member_ids:
            mine = self._of_member.get(member_id, {})
            mine.pop(group.group_id, None)
            if not mine:
                self._of_member.pop(member_id, None)

    def find(self, group_id: str) -> SCIMGroup | None:
        return self._by_id.get(group_id)

    def of_connection(self, connection_id: str) -> list[SCIMGroup]:
        return [self._by_id[g] for g in self._by_connection.get(connection_id, ())]

    def of_member(self, member_id: str) -> list[SCIMGroup]:
        return [self._by_id[g] for g in self._of_member.get(member_id, ())]

    def clear(self) -> None:
        self._by_id.clear()
        self._by_connection.clear()
        self._of_member.clear()

    def __iter__(self) -> Iterator[SCIMGroup]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, records: list[Any], project: Project) -> None:
        for group in records:
            if group.group_id in self._by_id:
                raise bad_state(f"SCIM group {group.group_id} appears twice")
            conn = project.scim_connections.find(group.connection_id)
            if conn is None or conn.organization_id != group.organization_id:
                raise bad_state(f"SCIM group {group.group_id} names an unknown connection")
            for member_id in group.member_ids:
                member = project.members.find(member_id)
                if member is None or member.organization_id != group.organization_id:
                    raise bad_state(f"SCIM group {group.group_id} names an unknown member")
            self.add(group)
