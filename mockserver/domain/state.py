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
from ..clock import MAX_OFFSET_SECONDS
from .entities import (
    DELETED,
    IntermediateSession,
    MagicLinkToken,
    Member,
    MemberSession,
    Organization,
    OutboxMessage,
)
from .mfa import OneTimeCode, TotpRegistration
from .organizations import (
    _add_organization,
    _index_member,
    add_member,
    check_organization,
    create_organization,
    delete_organization,
    validate_email,
)
from .project import Project

STATE_VERSION = 1


class StateDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    version: int = Field(default=STATE_VERSION, strict=True)
    # The range POST /_mock/clock can reach: forward only, at most ten years.
    clock_offset_seconds: float = Field(default=0.0, ge=0, le=MAX_OFFSET_SECONDS)
    organizations: list[Organization] = Field(default_factory=list)
    members: list[Member] = Field(default_factory=list)
    sessions: list[MemberSession] = Field(default_factory=list)
    magic_links: list[MagicLinkToken] = Field(default_factory=list)
    intermediate_sessions: list[IntermediateSession] = Field(default_factory=list)
    outbox: list[OutboxMessage] = Field(default_factory=list)
    totp_registrations: list[TotpRegistration] = Field(default_factory=list)
    one_time_codes: list[OneTimeCode] = Field(default_factory=list)


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
        totp_registrations=list(project.mfa.totps.values()),
        one_time_codes=list(project.mfa.codes.values()),
    )
    return _STATE.dump_python(document, mode="json")


def _bad_state(message: str) -> errors.StytchError:
    return errors.bad_request(f"The state document is invalid: {message}")


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
        try:
            check_organization(org)
        except errors.StytchError as exc:
            raise _bad_state(f"organization {org.organization_id}: {exc.error_message}") from None
        _add_organization(staging, org)
    for member in doc.members:
        if member.member_id in staging.members:
            raise _bad_state(f"member {member.member_id} appears twice")
        if member.organization_id not in staging.organizations:
            raise _bad_state(f"member {member.member_id} names an unknown organization")
        try:
            validate_email(member.email_address)
        except errors.StytchError:
            raise _bad_state(f"member {member.member_id} has an invalid email address") from None
        staging.members[member.member_id] = member
        staging.org_members[member.organization_id][member.member_id] = member
        if member.status == DELETED:
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
    for token in doc.magic_links:
        if token.organization_id is not None and token.organization_id not in staging.organizations:
            raise _bad_state("a magic link names an unknown organization")
        if token.member_id is not None and token.member_id not in staging.members:
            raise _bad_state("a magic link names an unknown member")
    if len({m.id for m in doc.outbox}) != len(doc.outbox):
        raise _bad_state("an outbox message id appears twice")
    staging.magic_links = {t.token: t for t in doc.magic_links}
    for token in doc.magic_links:
        if token.member_id is not None:
            staging.links_by_member.setdefault(token.member_id, {})[token.token] = None
    staging.intermediate_sessions = {t.token: t for t in doc.intermediate_sessions}
    for message in doc.outbox:
        staging.outbox.add(message)
    for reg in doc.totp_registrations:
        if reg.member_id not in staging.members or reg.member_id in staging.mfa.totps:
            raise _bad_state(
                f"TOTP registration {reg.totp_registration_id} names an unknown member"
            )
        staging.mfa.totps[reg.member_id] = reg
    for code in doc.one_time_codes:
        if code.key[0] in ("sms", "email") and code.key[1] not in staging.members:
            raise _bad_state("a one-time code names an unknown member")
        staging.mfa.codes[code.key] = code
    # Everything checked: swap the state in (no await in between, so no request sees half).
    project.adopt_state(staging)
    project.clock.offset_seconds = doc.clock_offset_seconds


SEED_STATUSES = ("active", "pending", "invited")


def load_seed(project: Project, organizations: list[dict[str, Any]]) -> dict[str, Any]:
    """Add organizations, each with a ``members`` list, through the API's own rules.
    All or nothing: when an entry is refused, the organizations this call made are deleted
    again (with their members), so the cost of a seed is that of its own entries. (The
    document's shape is checked by its wire model, ``models.control.SeedDocument``.)"""
    made: list[str] = []
    try:
        return {
            "organizations": [_seed_organization(project, dict(e), made) for e in organizations]
        }
    except Exception:
        for organization_id in reversed(made):
            delete_organization(project, organization_id)
        raise


def _seed_organization(project: Project, fields: dict[str, Any], made: list[str]) -> dict[str, Any]:
    members = fields.pop("members", None) or []
    org = create_organization(project, **fields)
    made.append(org.organization_id)
    seeded = []
    for entry in members:
        entry = dict(entry)
        email = entry.pop("email_address")
        status = entry.pop("status", "active")
        if status not in SEED_STATUSES:
            raise errors.invalid_argument(
                "status", "A seeded member's status must be active, pending or invited."
            )
        entry.setdefault("email_address_verified", True)
        member = add_member(project, org, email, status=status, **entry)
        seeded.append({"member_id": member.member_id, "email_address": member.email_address})
    return {
        "organization_id": org.organization_id,
        "organization_slug": org.organization_slug,
        "members": seeded,
    }
