"""Saving, restoring and seeding a project's state.

- :func:`export_state` gives the whole project as a JSON-ready document.
- :func:`import_state` replaces the project's state with such a document, all or nothing:
  the document is checked in full (shape, references, uniqueness) before anything changes.
- :func:`load_seed` adds fixtures (organizations with their members) through the same rules
  as the API, also all or nothing.

Both directions go through pydantic over the domain's own dataclasses, so the document is
exactly the domain's fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .. import errors
from .entities import (
    DELETED,
    IntermediateSession,
    MagicLinkToken,
    Member,
    MemberSession,
    Organization,
    OutboxMessage,
)
from .organizations import (
    _index_member,
    _index_organization,
    add_member,
    create_organization,
)
from .project import Project

STATE_VERSION = 1


class StateDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    version: int = STATE_VERSION
    clock_offset_seconds: float = 0.0
    organizations: list[Organization] = Field(default_factory=list)
    members: list[Member] = Field(default_factory=list)
    sessions: list[MemberSession] = Field(default_factory=list)
    magic_links: list[MagicLinkToken] = Field(default_factory=list)
    intermediate_sessions: list[IntermediateSession] = Field(default_factory=list)
    outbox: list[OutboxMessage] = Field(default_factory=list)


_STATE = TypeAdapter(StateDocument)


def export_state(project: Project) -> dict[str, Any]:
    document = StateDocument(
        clock_offset_seconds=project.clock.offset_seconds,
        organizations=list(project.organizations.values()),
        members=list(project.members.values()),
        sessions=list(project.sessions.values()),
        magic_links=list(project.magic_links.values()),
        intermediate_sessions=list(project.intermediate_sessions.values()),
        outbox=project.outbox.messages(),
    )
    return _STATE.dump_python(document, mode="json")


def _bad_state(message: str) -> errors.StytchError:
    return errors.StytchError(400, "bad_request", f"The state document is invalid: {message}")


def import_state(project: Project, raw: Any) -> None:
    """Replace everything the project holds with ``raw`` (a document from export_state)."""
    try:
        doc = _STATE.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _bad_state(f"{where}: {first['msg']}") from None
    if doc.version != STATE_VERSION:
        raise _bad_state(f"version {doc.version} is not supported (expected {STATE_VERSION})")
    staging = Project(project.config)
    for org in doc.organizations:
        if org.organization_id in staging.organizations:
            raise _bad_state(f"organization {org.organization_id} appears twice")
        if org.organization_slug.lower() in staging.org_by_slug:
            raise _bad_state(f"organization_slug {org.organization_slug} is used twice")
        _index_organization(staging, org)
    for member in doc.members:
        if member.member_id in staging.members:
            raise _bad_state(f"member {member.member_id} appears twice")
        if member.organization_id not in staging.organizations:
            raise _bad_state(f"member {member.member_id} names an unknown organization")
        staging.members[member.member_id] = member
        if member.status == DELETED:
            staging.org_members[member.organization_id][member.member_id] = member
            continue
        if staging.member_in_org_by_email(member.organization_id, member.email_address):
            raise _bad_state(
                f"{member.email_address} is a member of {member.organization_id} twice"
            )
        _index_member(staging, member)
    for session in doc.sessions:
        member = staging.members.get(session.member_id)
        if member is None or member.organization_id != session.organization_id:
            raise _bad_state(f"session {session.member_session_id} names an unknown member")
        staging.sessions[session.member_session_id] = session
        staging.session_by_token[session.session_token] = session.member_session_id
        staging.sessions_by_member.setdefault(session.member_id, {})[session.member_session_id] = (
            None
        )
    staging.magic_links = {t.token: t for t in doc.magic_links}
    staging.intermediate_sessions = {t.token: t for t in doc.intermediate_sessions}
    for message in doc.outbox:
        staging.outbox.add(message)
    # Everything checked: swap the state in (no await in between, so no request sees half).
    project.adopt_state(staging)
    project.clock.offset_seconds = doc.clock_offset_seconds


class SeedMember(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email_address: str
    member_id: str | None = None
    name: str | None = None
    status: str = "active"
    email_address_verified: bool = True
    roles: list[str] | None = None
    trusted_metadata: dict[str, Any] | None = None
    untrusted_metadata: dict[str, Any] | None = None
    is_breakglass: bool | None = None
    mfa_phone_number: str | None = None
    mfa_enrolled: bool | None = None
    external_id: str | None = None


class SeedOrganization(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    organization_name: str
    organization_id: str | None = None
    organization_slug: str | None = None
    members: list[SeedMember] = Field(default_factory=list)


class SeedDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    organizations: list[SeedOrganization] = Field(default_factory=list)


SEED_STATUSES = ("active", "pending", "invited")


def load_seed(project: Project, raw: Any) -> dict[str, Any]:
    """Add the organizations (and their members) of a seed document. All or nothing."""
    try:
        seed = raw if isinstance(raw, SeedDocument) else SeedDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise errors.StytchError(
            400, "bad_request", f"The seed document is invalid: {where}: {first['msg']}"
        ) from None
    snapshot = export_state(project)
    try:
        return _apply_seed(project, seed)
    except Exception:
        import_state(project, snapshot)
        raise


def _apply_seed(project: Project, seed: SeedDocument) -> dict[str, Any]:
    made = []
    for entry in seed.organizations:
        settings = dict(entry.model_extra or {})
        org = create_organization(
            project,
            organization_name=entry.organization_name,
            organization_slug=entry.organization_slug,
            organization_id=entry.organization_id,
            **settings,
        )
        members = []
        for m in entry.members:
            if m.status not in SEED_STATUSES:
                raise errors.invalid_argument(
                    "status", "A seeded member's status must be active, pending or invited."
                )
            fields = m.model_dump(exclude={"email_address", "status"}, exclude_none=True)
            member = add_member(project, org, m.email_address, status=m.status, **fields)
            members.append({"member_id": member.member_id, "email_address": member.email_address})
        made.append(
            {
                "organization_id": org.organization_id,
                "organization_slug": org.organization_slug,
                "members": members,
            }
        )
    return {"organizations": made}
