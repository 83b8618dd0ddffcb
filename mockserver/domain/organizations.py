"""Organizations: creation, settings updates, deletion (with their members).

Rules and defaults from the Python SDK's docstrings (``stytch/b2b/api/organizations.py``,
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/organizations.py). Choices
where the real API is unknown are marked "[chosen]" and listed in the README's fidelity notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from .. import errors
from ..ids import new_id
from .entities import Organization
from .members import _refresh_derived, _revoke_member_links, _unindex_member
from .project import Project
from .rules import (
    _EXTERNAL_ID,
    AUTH_SETTING_FIELDS,
    ORGANIZATION_FIELDS,
    _check_consistency,
    _check_domains,
    _check_name,
    _check_settings,
    _check_slug,
    is_common_domain,
)
from .sessions import revoke_member_sessions

# --- organizations ----------------------------------------------------------------------


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._~-]+", "-", ascii_text.lower()).strip("-.")
    return slug if len(slug) >= 2 else f"{slug or 'org'}-org"


def unique_slug(project: Project, base: str) -> str:
    """[chosen] A taken derived slug gets a numeric suffix (``acme-2``), never an error."""
    base = base[:120]
    slug, n = base, 1
    while slug.lower() in project.org_by_slug:
        n += 1
        slug = f"{base}-{n}"
    return slug


def derive_name_and_slug(email: str) -> tuple[str, str]:
    """[chosen] Name and slug for an organization made through discovery without them: from the
    domain's first label for a company email (``jane@acme-widgets.com`` -> ``acme-widgets``), from
    the local part for common providers and ``.edu`` (``jane.doe@gmail.com`` -> ``jane-doe``).
    Stytch documents the source (domain vs local part) but not the exact spelling."""
    local, domain = email.rsplit("@", 1)
    domain = domain.lower()
    if is_common_domain(domain):
        base = local.split("+", 1)[0]
    else:
        base = domain.split(".", 1)[0]
    slug = _slugify(base.replace(".", "-"))
    return base, slug


def create_organization(
    project: Project,
    *,
    organization_name: Any,
    organization_slug: str | None = None,
    organization_id: str | None = None,
    **fields: Any,
) -> Organization:
    """A new organization; without a slug, one is made from the name (``acme-co``).
    ``organization_id`` is for fixtures only (the API never takes one)."""
    if organization_id is not None and (
        not organization_id.startswith("organization-") or organization_id in project.organizations
    ):
        raise errors.invalid_argument(
            "organization_id", f"{organization_id!r} is not a free organization-… id."
        )
    name = organization_name
    if name is None:
        raise errors.organization_name_missing()
    _check_name(name)
    if organization_slug is None:
        slug = unique_slug(project, _slugify(name))
    else:
        slug = _check_slug(organization_slug)
        if slug.lower() in project.org_by_slug:
            raise errors.organization_slug_already_used()
    fields = {k: v for k, v in fields.items() if v is not None}
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:  # a programming error in a caller, not a user error
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    _check_settings(fields)
    if "email_allowed_domains" in fields:
        fields["email_allowed_domains"] = _check_domains(fields["email_allowed_domains"])
    if "claimed_email_domains" in fields:
        fields["claimed_email_domains"] = _check_domains(fields["claimed_email_domains"])
    external_id = fields.get("organization_external_id")
    if external_id is not None:
        _check_org_external_id(project, external_id, None)
    if "email_invites" not in fields and any(f in fields for f in AUTH_SETTING_FIELDS):
        fields["email_invites"] = "NOT_ALLOWED"
    now = project.now()
    org = Organization(
        organization_id=organization_id or new_id("organization", project.env),
        organization_name=name,
        organization_slug=slug,
        created_at=now,
        updated_at=now,
        **fields,
    )
    _check_consistency(org)
    _add_organization(project, org)
    return org


def _check_org_external_id(project: Project, external_id: str, org_id: str | None) -> None:
    if not _EXTERNAL_ID.fullmatch(external_id):
        raise errors.invalid_organization_external_id()
    owner = project.org_by_external_id.get(external_id)
    if owner is not None and owner != org_id:
        raise errors.organization_external_id_already_used()


def _add_organization(project: Project, org: Organization) -> None:
    """Store a new organization: its place in creation order, then its indexes."""
    project.organizations[org.organization_id] = org
    project.org_seq[org.organization_id] = project.next_seq()
    _index_organization(project, org)


def _index_organization(project: Project, org: Organization) -> None:
    project.org_by_slug[org.organization_slug.lower()] = org.organization_id
    if org.organization_external_id:
        project.org_by_external_id[org.organization_external_id] = org.organization_id
    for domain in org.email_allowed_domains:
        project.orgs_by_allowed_domain.setdefault(domain, {})[org.organization_id] = None
    for domain in org.claimed_email_domains:
        project.orgs_by_claimed_domain.setdefault(domain, {})[org.organization_id] = None
    project.org_members.setdefault(org.organization_id, {})


def _unindex_organization(project: Project, org: Organization) -> None:
    project.org_by_slug.pop(org.organization_slug.lower(), None)
    if org.organization_external_id:
        project.org_by_external_id.pop(org.organization_external_id, None)
    for index, domains in (
        (project.orgs_by_allowed_domain, org.email_allowed_domains),
        (project.orgs_by_claimed_domain, org.claimed_email_domains),
    ):
        for domain in domains:
            by_domain = index.get(domain)
            if by_domain is not None:
                by_domain.pop(org.organization_id, None)
                if not by_domain:
                    del index[domain]


def update_organization(
    project: Project, organization_id: str, changes: dict[str, Any]
) -> Organization:
    """Partial update: only the fields present in ``changes`` change. Validates everything
    first, so a refused update changes nothing."""
    org = project.get_organization(organization_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    if "organization_name" in changes:
        _check_name(changes["organization_name"])
    if "organization_slug" in changes:
        slug = _check_slug(changes["organization_slug"])
        owner = project.org_by_slug.get(slug.lower())
        if owner is not None and owner != org.organization_id:
            raise errors.organization_slug_already_used()
    _check_settings(changes)
    for name in ("email_allowed_domains", "claimed_email_domains"):
        if name in changes:
            changes[name] = _check_domains(changes[name])
    if "organization_external_id" in changes:
        _check_org_external_id(project, changes["organization_external_id"], org.organization_id)
    _check_consistency(replace(org, **changes))
    _unindex_organization(project, org)
    for name, value in changes.items():
        setattr(org, name, value)
    org.updated_at = project.now()
    if "rbac_email_implicit_role_assignments" in changes:
        for member in project.org_members.get(org.organization_id, {}).values():
            _refresh_derived(org, member)
    _index_organization(project, org)
    return org


def delete_organization(project: Project, organization_id: str) -> str:
    """Deletes the organization with its members, their sessions and their pending tokens."""

    org = project.get_organization(organization_id)
    for member in list(project.org_members.get(org.organization_id, {}).values()):
        revoke_member_sessions(project, member.member_id)
        _revoke_member_links(project, member.member_id)
        _unindex_member(project, member)
        project.members.pop(member.member_id, None)
    _unindex_organization(project, org)
    project.org_members.pop(org.organization_id, None)
    project.org_seq.pop(org.organization_id, None)
    del project.organizations[org.organization_id]
    return org.organization_id
