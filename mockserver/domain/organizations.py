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
from . import scim, sso
from .entities import Organization
from .members import refresh_derived
from .project import Project
from .rules import (
    AUTH_SETTING_FIELDS,
    EXTERNAL_ID,
    ORGANIZATION_FIELDS,
    check_consistency,
    check_domains,
    check_name,
    check_settings,
    check_slug,
    is_common_domain,
)
from .sessions import revoke_member_sessions


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._~-]+", "-", ascii_text.lower()).strip("-.")
    return slug if len(slug) >= 2 else f"{slug or 'org'}-org"


def unique_slug(project: Project, base: str) -> str:
    """[chosen] A taken derived slug gets a numeric suffix (``acme-2``), never an error."""
    base = base[:120]
    slug, n = base, 1
    while project.organizations.slug_owner(slug) is not None:
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
    check_name(name)
    if organization_slug is None:
        slug = unique_slug(project, _slugify(name))
    else:
        slug = check_slug(organization_slug)
        if project.organizations.slug_owner(slug) is not None:
            raise errors.organization_slug_already_used()
    fields = {k: v for k, v in fields.items() if v is not None}
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:  # a programming error in a caller, not a user error
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    check_settings(fields)
    if "email_allowed_domains" in fields:
        fields["email_allowed_domains"] = check_domains(fields["email_allowed_domains"])
    if "claimed_email_domains" in fields:
        fields["claimed_email_domains"] = check_domains(fields["claimed_email_domains"])
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
    check_consistency(org)
    project.organizations.add(org)
    return org


def _check_org_external_id(project: Project, external_id: str, org_id: str | None) -> None:
    if not EXTERNAL_ID.fullmatch(external_id):
        raise errors.invalid_organization_external_id()
    owner = project.organizations.external_id_owner(external_id)
    if owner is not None and owner != org_id:
        raise errors.organization_external_id_already_used()


def update_organization(
    project: Project, organization_id: str, changes: dict[str, Any]
) -> Organization:
    """Partial update: only the fields present in ``changes`` change. Validates everything
    first, so a refused update changes nothing."""
    org = project.organizations.get(organization_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    if "organization_name" in changes:
        check_name(changes["organization_name"])
    if "organization_slug" in changes:
        slug = check_slug(changes["organization_slug"])
        owner = project.organizations.slug_owner(slug)
        if owner is not None and owner != org.organization_id:
            raise errors.organization_slug_already_used()
    check_settings(changes)
    for name in ("email_allowed_domains", "claimed_email_domains"):
        if name in changes:
            changes[name] = check_domains(changes[name])
    if "organization_external_id" in changes:
        _check_org_external_id(project, changes["organization_external_id"], org.organization_id)
    if changes.get("sso_default_connection_id"):
        sso.check_default_connection(project, org, changes["sso_default_connection_id"])
    check_consistency(replace(org, **changes))
    project.organizations.update(org, {**changes, "updated_at": project.now()})
    if "rbac_email_implicit_role_assignments" in changes:
        for member in project.members.of_organization(org.organization_id):
            refresh_derived(org, member)
    return org


def delete_organization(project: Project, organization_id: str) -> str:
    """Deletes the organization with its members, their sessions and passwords, its magic
    links, its pending OAuth requests and tokens, its impersonation tokens, and its SSO and SCIM
    connections."""
    org = project.organizations.get(organization_id)
    for member in project.members.forget_organization(org.organization_id):
        revoke_member_sessions(project, member.member_id)
        project.member_passwords.forget(member.member_id)
        project.one_time_codes.forget_member(member.member_id)
        project.totp_registrations.forget_member(member.member_id)
        project.impersonation_tokens.forget_member(member.member_id)
    project.magic_links.forget_organization(org.organization_id)
    project.oauth_requests.forget_organization(org.organization_id)
    project.oauth_tokens.forget_organization(org.organization_id)
    sso.forget_organization(project, org.organization_id)
    scim.forget_organization(project, org.organization_id)
    project.organizations.forget(org)
    return org.organization_id
