"""Saving, restoring and seeding a project's state.

- :func:`export_state` gives the whole project as a JSON-ready document: the clock's offset and
  one list per store (``stores.STORES``), each store's own ``export``.
- :func:`import_state` replaces the project's state with such a document, all or nothing: every
  store loads its list into a staging project (checking it as it goes), and only a document
  loaded in full is swapped in.
- :func:`load_seed` adds fixtures (organizations with their members) through the same rules
  as the API, also all or nothing.

The document's shape is the stores' record types (the domain's own dataclasses), read and
written by pydantic, so a new store's state round-trips by construction.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, create_model

from .. import errors
from ..clock import MAX_OFFSET_SECONDS
from .entities import MemberStatus
from .members import add_member
from .organizations import create_organization, delete_organization
from .project import Project
from .stores import STORES, SigningKeys, bad_state

STATE_VERSION = 1

# One list per store, in the order they load.
_STORE_FIELDS: dict[str, Any] = {
    store.name: (list[store.record], Field(default_factory=list))  # type: ignore[name-defined]
    for store in STORES
}
StateDocument: Any = create_model(
    "StateDocument",
    __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True),
    version=(int, Field(default=STATE_VERSION, strict=True)),
    # The range POST /_mock/clock can reach: forward only, at most ten years.
    clock_offset_seconds=(float, Field(default=0.0, ge=0, le=MAX_OFFSET_SECONDS)),
    **_STORE_FIELDS,
)

_STATE = TypeAdapter(StateDocument)


def export_state(project: Project) -> dict[str, Any]:
    document = StateDocument.model_construct(
        clock_offset_seconds=project.clock.offset_seconds,
        **{store.name: store.export() for store in project.stores},
    )
    return _STATE.dump_python(document, mode="json")


def import_state(project: Project, raw: Any) -> None:
    """Replace everything the project holds with ``raw`` (a document from export_state)."""
    try:
        doc = _STATE.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise bad_state(f"{where}: {first['msg']}") from None
    if doc.version != STATE_VERSION:
        raise bad_state(f"version {doc.version} is not supported (expected {STATE_VERSION})")
    staging = Project(project.config)
    # Keys the document does not replace stay the project's (SigningKeys.load).
    staging.signing_keys = SigningKeys(project.env, list(project.signing_keys))
    for store in staging.stores:
        store.load(getattr(doc, store.name), staging)
    # Everything checked: swap the state in (no await in between, so no request sees half).
    project.adopt_stores(staging)
    project.clock.offset_seconds = doc.clock_offset_seconds


SEED_STATUSES = (MemberStatus.ACTIVE, MemberStatus.PENDING, MemberStatus.INVITED)


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
        status = entry.pop("status", MemberStatus.ACTIVE)
        if status not in SEED_STATUSES:
            raise errors.invalid_argument(
                "status", "A seeded member's status must be active, pending or invited."
            )
        entry.setdefault("email_address_verified", True)
        member = add_member(project, org, email, status=MemberStatus(status), **entry)
        seeded.append({"member_id": member.member_id, "email_address": member.email_address})
    return {
        "organization_id": org.organization_id,
        "organization_slug": org.organization_slug,
        "members": seeded,
    }
