"""Organizations and members: creation, settings rules, updates, deletion and search.

Rules and defaults from stytch-b2b-semantics.md §5 and the Python SDK's docstrings
(``stytch/b2b/api/organizations.py``, ``organizations_members.py``). Choices where the real API
is unknown are marked "[chosen]" and listed in the README's fidelity notes.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from .. import errors
from ..ids import new_id
from .entities import (
    ACTIVE,
    DELETED,
    INVITED,
    PENDING,
    Member,
    Organization,
)
from .project import Project
from .sessions import revoke_member_sessions

# --- value rules ------------------------------------------------------------------------

SETTING_VALUES: dict[str, frozenset[str]] = {
    "sso_jit_provisioning": frozenset({"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}),
    "email_jit_provisioning": frozenset({"RESTRICTED", "NOT_ALLOWED"}),
    "email_invites": frozenset({"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}),
    "auth_methods": frozenset({"ALL_ALLOWED", "RESTRICTED"}),
    "mfa_policy": frozenset({"OPTIONAL", "REQUIRED_FOR_ALL"}),
    "mfa_methods": frozenset({"ALL_ALLOWED", "RESTRICTED"}),
    "oauth_tenant_jit_provisioning": frozenset({"RESTRICTED", "NOT_ALLOWED"}),
    "first_party_connected_apps_allowed_type": frozenset(
        {"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}
    ),
    "third_party_connected_apps_allowed_type": frozenset(
        {"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}
    ),
}
AUTH_METHODS = frozenset(
    {
        "sso",
        "magic_link",
        "email_otp",
        "password",
        "google_oauth",
        "microsoft_oauth",
        "slack_oauth",
        "github_oauth",
        "hubspot_oauth",
    }
)
MFA_METHODS = frozenset({"sms_otp", "totp"})

# Settings whose presence on create turns the email_invites default from ALL_ALLOWED into
# NOT_ALLOWED (stytch-b2b-semantics.md §5.3, from the Python SDK's create docstring).
AUTH_SETTING_FIELDS = (
    "sso_jit_provisioning",
    "email_allowed_domains",
    "email_jit_provisioning",
    "email_invites",
    "auth_methods",
    "allowed_auth_methods",
    "mfa_policy",
    "mfa_methods",
    "allowed_mfa_methods",
    "oauth_tenant_jit_provisioning",
    "allowed_oauth_tenants",
)

# Fields an organization takes on create and update, beyond name and slug.
ORGANIZATION_FIELDS = (
    "organization_logo_url",
    "trusted_metadata",
    "organization_external_id",
    "sso_jit_provisioning",
    "sso_jit_provisioning_allowed_connections",
    "email_allowed_domains",
    "email_jit_provisioning",
    "email_invites",
    "auth_methods",
    "allowed_auth_methods",
    "mfa_policy",
    "rbac_email_implicit_role_assignments",
    "mfa_methods",
    "allowed_mfa_methods",
    "oauth_tenant_jit_provisioning",
    "allowed_oauth_tenants",
    "claimed_email_domains",
    "first_party_connected_apps_allowed_type",
    "allowed_first_party_connected_apps",
    "third_party_connected_apps_allowed_type",
    "allowed_third_party_connected_apps",
    "sso_default_connection_id",
)

# Common consumer email domains Stytch refuses in email_allowed_domains (the list in
# stytch-b2b-semantics.md §5.2; the full list is at stytch.com/docs/b2b/api/common-email-domains).
COMMON_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "aol.com",
        "yahoo.com",
        "icloud.com",
        "hotmail.com",
        "msn.com",
        "comcast.net",
        "live.com",
        "outlook.com",
        "att.net",
        "earthlink.net",
        "me.com",
        "mac.com",
        "sbcglobal.net",
        "verizon.net",
        "ig.com.br",
        "mail.com",
        "hey.com",
        "laposte.net",
        "wanadoo.fr",
        "orange.fr",
        "rediffmail.com",
        "uol.com.br",
        "bol.com.br",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.de",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "qq.com",
        "163.com",
        "126.com",
        "mail.ru",
        "web.de",
        "free.fr",
    }
)

_SLUG = re.compile(r"[A-Za-z0-9\-._~]{2,128}")
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9._\-|]{1,128}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# The local part: anything but "@", white space and control characters (C0, DEL, C1).
_EMAIL = re.compile(
    r"[^@\s\x00-\x1f\x7f-\x9f]{1,64}"
    r"@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def validate_email(email: str) -> str:
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise errors.invalid_email()
    return email


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[1].lower()


def is_common_domain(domain: str) -> bool:
    return domain in COMMON_EMAIL_DOMAINS or domain.endswith(".edu")


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise errors.invalid_organization_name()
    return name


def _check_slug(slug: str) -> str:
    if not _SLUG.fullmatch(slug) or not any(c.isalnum() for c in slug):
        raise errors.invalid_organization_slug()
    return slug


def _check_domains(domains: list[str]) -> list[str]:
    seen: list[str] = []
    for raw in domains:
        domain = raw.strip().lower()
        if not _DOMAIN.fullmatch(domain):
            raise errors.organization_settings_invalid_domain(raw)
        if is_common_domain(domain):
            raise errors.organization_settings_domain_too_common(raw)
        if domain in seen:
            raise errors.organization_settings_duplicate_domain(raw)
        seen.append(domain)
    return seen


def _check_settings(values: dict[str, Any]) -> None:
    for name, allowed in SETTING_VALUES.items():
        value = values.get(name)
        if value is not None and value not in allowed:
            raise errors.invalid_setting_value(name, value, sorted(allowed))
    for name, allowed_set in (
        ("allowed_auth_methods", AUTH_METHODS),
        ("allowed_mfa_methods", MFA_METHODS),
    ):
        for item in values.get(name) or ():
            if item not in allowed_set:
                raise errors.invalid_setting_value(name, item, sorted(allowed_set))


def _check_consistency(org: Organization) -> None:
    """The organization-level rules of stytch-b2b-semantics.md §5.3 (D-RULES)."""
    if org.auth_methods == "RESTRICTED" and not org.allowed_auth_methods:
        raise errors.allowed_auth_methods_required_for_restricted()
    if org.mfa_methods == "RESTRICTED" and not org.allowed_mfa_methods:
        raise errors.allowed_mfa_methods_required_for_restricted()
    if not org.email_allowed_domains and "RESTRICTED" in (
        org.email_invites,
        org.email_jit_provisioning,
    ):
        raise errors.invalid_restricted_email_setting()


def check_organization(org: Organization) -> None:
    """Every rule an organization's stored values obey (used to vet imported state)."""
    _check_name(org.organization_name)
    _check_slug(org.organization_slug)
    _check_settings({f: getattr(org, f) for f in org.__dataclass_fields__})
    _check_consistency(org)


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


# --- members ----------------------------------------------------------------------------


def _check_member_external_id(
    project: Project, org_id: str, external_id: str, member_id: str | None
) -> None:
    if not _EXTERNAL_ID.fullmatch(external_id):
        raise errors.invalid_argument("external_id")
    owner = project.member_by_org_external_id.get((org_id, external_id))
    if owner is not None and owner != member_id:
        raise errors.duplicate_member_external_id()


def _check_roles(roles: Iterable[str]) -> list[str]:
    out: list[str] = []
    for role in roles:
        if not isinstance(role, str) or not role:
            raise errors.invalid_rbac_role_id()
        if role not in out:
            out.append(role)
    return out


def add_member(
    project: Project,
    org: Organization,
    email_address: str,
    *,
    status: str,
    name: str | None = None,
    email_address_verified: bool = False,
    roles: list[str] | None = None,
    trusted_metadata: dict[str, Any] | None = None,
    untrusted_metadata: dict[str, Any] | None = None,
    is_breakglass: bool | None = None,
    mfa_phone_number: str | None = None,
    mfa_enrolled: bool | None = None,
    external_id: str | None = None,
    member_id: str | None = None,
) -> Member:
    """A new member of ``org``: every creation path (API, invite, JIT, discovery, fixtures)
    ends here. ``member_id`` is for fixtures only."""
    validate_email(email_address)
    if member_id is not None and (
        not member_id.startswith("member-") or member_id in project.members
    ):
        raise errors.invalid_argument("member_id", f"{member_id!r} is not a free member-… id.")
    existing = project.member_in_org_by_email(org.organization_id, email_address)
    if existing is not None:
        raise errors.duplicate_member_email()
    if external_id is not None:
        _check_member_external_id(project, org.organization_id, external_id, None)
    explicit = _check_roles(roles or [])
    now = project.now()
    member = Member(
        organization_id=org.organization_id,
        member_id=member_id or new_id("member", project.env),
        email_address=email_address,
        status=status,
        created_at=now,
        updated_at=now,
        email_id=new_id("email", project.env),
        name=name or "",
        email_address_verified=email_address_verified,
        is_breakglass=bool(is_breakglass),
        mfa_phone_number=mfa_phone_number or "",
        mfa_enrolled=bool(mfa_enrolled),
        explicit_roles=explicit,
        trusted_metadata=dict(trusted_metadata or {}),
        untrusted_metadata=dict(untrusted_metadata or {}),
        external_id=external_id,
    )
    _refresh_derived(org, member)
    project.members[member.member_id] = member
    # The organization's members, in creation order; a member leaves it only with its
    # organization (deleted members stay listed: search with statuses=["deleted"]).
    project.org_members.setdefault(org.organization_id, {})[member.member_id] = member
    _index_member(project, member)
    return member


def _refresh_derived(org: Organization, member: Member) -> None:
    """Implicit role grants follow the organization's ``rbac_email_implicit_role_assignments``
    (kept on the member, refreshed whenever the member's email or those rules change)."""
    domain = email_domain(member.email_address)
    member.implicit_roles = [
        {
            "role_id": rule["role_id"],
            "source": {"type": "email_assignment", "details": {"email_domain": domain}},
        }
        for rule in org.rbac_email_implicit_role_assignments
        if rule.get("domain", "").lower() == domain
    ]


def _index_member(project: Project, member: Member) -> None:
    """The lookups by email and external id (of live members; org_members lists them all)."""
    email = member.email_address.lower()
    project.member_by_org_email[(member.organization_id, email)] = member.member_id
    project.members_by_email.setdefault(email, {})[member.member_id] = None
    if member.external_id:
        project.member_by_org_external_id[(member.organization_id, member.external_id)] = (
            member.member_id
        )


def _unindex_member(project: Project, member: Member) -> None:
    email = member.email_address.lower()
    project.member_by_org_email.pop((member.organization_id, email), None)
    by_email = project.members_by_email.get(email)
    if by_email is not None:
        by_email.pop(member.member_id, None)
        if not by_email:
            del project.members_by_email[email]
    if member.external_id:
        project.member_by_org_external_id.pop((member.organization_id, member.external_id), None)


def create_member(
    project: Project,
    organization_id: str,
    *,
    email_address: str,
    create_member_as_pending: bool | None = None,
    **fields: Any,
) -> Member:
    org = project.get_organization(organization_id)
    return add_member(
        project,
        org,
        email_address,
        status=PENDING if create_member_as_pending else ACTIVE,
        **fields,
    )


def find_member(
    project: Project, organization_id: str, *, member_id: str | None, email_address: str | None
) -> tuple[Member, Organization]:
    """Members get: by ``member_id`` (or external id) or ``email_address``."""
    org = project.get_organization(organization_id)
    if member_id:
        member = project.get_member(org.organization_id, member_id)
    elif email_address:
        found = project.member_in_org_by_email(org.organization_id, email_address)
        if found is None:
            raise errors.member_not_found()
        member = found
    else:
        raise errors.missing_argument("member_id or email_address")
    return member, org


def update_member(
    project: Project, organization_id: str, member_id: str, changes: dict[str, Any]
) -> tuple[Member, Organization]:
    """Partial update; validated in full before anything changes. Sessions stay valid; their
    next JWT carries the new roles."""
    org = project.get_organization(organization_id)
    member = project.get_member(org.organization_id, member_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    roles = _check_roles(changes["roles"]) if "roles" in changes else None
    new_email = changes.get("email_address")
    if new_email is not None and new_email.lower() != member.email_address.lower():
        validate_email(new_email)
        if project.member_in_org_by_email(org.organization_id, new_email) is not None:
            raise errors.duplicate_member_email()
    if changes.get("external_id") is not None:
        _check_member_external_id(
            project, org.organization_id, changes["external_id"], member.member_id
        )
    if changes.get("default_mfa_method") not in (None, "sms_otp", "totp"):
        raise errors.invalid_mfa_default_method()
    _unindex_member(project, member)
    for name in (
        "name",
        "trusted_metadata",
        "untrusted_metadata",
        "is_breakglass",
        "mfa_phone_number",
        "mfa_enrolled",
        "default_mfa_method",
        "external_id",
    ):
        if name in changes:
            setattr(member, name, changes[name])
    if roles is not None:
        member.explicit_roles = roles
    if new_email is not None and new_email != member.email_address:
        member.retired_email_addresses.append(
            {"email_id": member.email_id, "email_address": member.email_address}
        )
        member.email_address = new_email
        member.email_id = new_id("email", project.env)
        member.email_address_verified = False
        member.member_password_id = ""
    _refresh_derived(org, member)
    member.updated_at = project.now()
    _index_member(project, member)
    return member, org


def _revoke_member_links(project: Project, member_id: str) -> None:
    """Use up the member's outstanding magic links, so no later reactivation revives them."""
    for token in project.links_by_member.pop(member_id, ()):
        project.magic_links[token].used = True


def delete_member(project: Project, organization_id: str, member_id: str) -> str:
    """[chosen] A deleted member keeps its record with status ``deleted`` (it can be
    reactivated); its sessions and outstanding links are revoked (semantics §3.3: deleting a
    member revokes its invites) and its email can be used again at once."""

    org = project.get_organization(organization_id)
    member = project.get_member(org.organization_id, member_id)
    revoke_member_sessions(project, member.member_id)
    _revoke_member_links(project, member.member_id)
    _unindex_member(project, member)
    member.status = DELETED
    member.updated_at = project.now()
    # Deleted members stay findable by id (dangerously_get with include_deleted, reactivate)
    # and in their organization's org_members (search with statuses=["deleted"]).
    return member.member_id


def reactivate_member(
    project: Project, organization_id: str, member_id: str
) -> tuple[Member, Organization]:
    org = project.get_organization(organization_id)
    member = project.get_member(
        org.organization_id, member_id, allow_external_id=False, include_deleted=True
    )
    if member.status != DELETED:
        raise errors.no_deleted_member_found_for_reactivation()
    if not member.email_address_verified:
        raise errors.email_unverified_for_reactivation()
    if project.member_in_org_by_email(org.organization_id, member.email_address) is not None:
        raise errors.reactivation_email_belongs_to_another_member()
    member.status = ACTIVE
    member.updated_at = project.now()
    _index_member(project, member)
    return member, org


def dangerously_get_member(
    project: Project, member_id: str, include_deleted: bool
) -> tuple[Member, Organization]:
    member = project.members.get(member_id)
    if member is None or (member.status == DELETED and not include_deleted):
        raise errors.member_not_found()
    return member, project.organizations[member.organization_id]


def activate(project: Project, member: Member) -> None:
    """A pending or invited member becomes active, with a verified email, on authentication."""
    if member.status in (PENDING, INVITED):
        member.status = ACTIVE
    member.email_address_verified = True
    member.updated_at = project.now()


# --- search -----------------------------------------------------------------------------

MAX_SEARCH_LIMIT = 1000
DEFAULT_SEARCH_LIMIT = 100


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "offset" or offset < 0:
            raise ValueError(cursor)
        return offset
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_argument("cursor", "The cursor is invalid.") from None


def _page(
    items: list[Any], cursor: str | None, limit: int | None
) -> tuple[list[Any], int, str | None]:
    if limit is None or limit == 0:
        limit = DEFAULT_SEARCH_LIMIT
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise errors.invalid_argument("limit", "limit must be between 1 and 1000.")
    start = _decode_cursor(cursor) if cursor else 0
    page = items[start : start + limit]
    next_cursor = _encode_cursor(start + limit) if start + limit < len(items) else None
    return page, len(items), next_cursor


Predicate = Callable[[Any], bool]
Values = Callable[[Any], Iterable[str]]


def _search_error(error_type: str, message: str) -> errors.StytchError:
    return errors.StytchError(400, error_type, message)


def _string_set(family: str, name: str, value: Any) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _search_error(
            f"{family}_search_expected_array_of_strings", f"{name} expects an array of strings."
        )
    return {v.lower() for v in value}


def _fuzzy_text(family: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _search_error(f"{family}_search_expected_string", f"{name} expects a string.")
    if len(value) < 3:
        raise _search_error(
            f"{family}_search_{name}_too_short", f"{name} needs at least 3 characters."
        )
    return value.lower()


def _predicate(family: str, name: str, kind: str, values: Any, value: Any) -> Predicate:
    """One search operand as a predicate. ``kind`` says how ``filter_value`` compares with the
    ``values`` an item has: ``in`` (a list of strings, case-insensitive), ``fuzzy`` (a
    substring of 3 characters or more), ``equals`` (one string), ``flag`` (a boolean); or
    ``in-ids`` / ``fuzzy-ids``, where ``values`` maps the checked filter value to the set of
    matching item ids (for operands answered from an index rather than item by item)."""
    if kind == "flag":
        if not isinstance(value, bool):
            raise _search_error(f"{family}_search_expected_boolean", f"{name} expects a boolean.")
        return lambda item: values(item) == value
    if kind in ("in", "in-ids"):
        wanted = _string_set(family, name, value)
        if kind == "in-ids":
            ids = values(wanted)
            return lambda item: item.organization_id in ids
        return lambda item: any(v.lower() in wanted for v in values(item))
    if kind == "equals":
        if not isinstance(value, str):
            raise _search_error(f"{family}_search_expected_string", f"{name} expects a string.")
        return lambda item: value in values(item)
    text = _fuzzy_text(family, name, value)
    if kind == "fuzzy-ids":
        ids = values(text)
        return lambda item: item.organization_id in ids
    return lambda item: any(text in v.lower() for v in values(item))


def _query_predicate(
    query: dict[str, Any] | None, family: str, filters: dict[str, tuple[str, Any]]
) -> Predicate:
    """The whole query (``AND``/``OR`` over its operands) as one predicate."""
    if not query:
        return lambda _item: True
    operator = query.get("operator", "AND")
    if operator not in ("AND", "OR"):
        raise errors.invalid_argument("query.operator", "operator must be AND or OR.")
    predicates = []
    for operand in query.get("operands") or []:
        if not isinstance(operand, dict):
            raise _search_error(
                f"{family}_search_filter_name_must_be_string",
                "Each operand must be an object with filter_name and filter_value.",
            )
        name = operand.get("filter_name")
        if not isinstance(name, str):
            raise _search_error(f"{family}_search_missing_filter_name", "filter_name is required.")
        if name not in filters:
            # The wording of a real response (organizations); members' page by analogy.
            page = "search-organizations" if family == "organization" else "search-members"
            raise _search_error(
                f"{family}_search_filter_name_not_recognized",
                f"The {family} search operand filter_name was not recognized. Please see "
                f"https://stytch.com/docs/b2b/api/{page} for request schema details and "
                "examples.",
            )
        if operand.get("filter_value") is None:
            raise _search_error(
                f"{family}_search_missing_filter_value", f"filter_value is required for {name}."
            )
        kind, values = filters[name]
        predicates.append(_predicate(family, name, kind, values, operand["filter_value"]))
    if not predicates:
        return lambda _item: True
    if operator == "AND":
        return lambda item: all(p(item) for p in predicates)
    return lambda item: any(p(item) for p in predicates)


def _orgs_with_member_email(project: Project) -> Callable[[set[str]], set[str]]:
    """Organizations with a live member holding one of the emails (from the email index)."""

    def orgs(emails: set[str]) -> set[str]:
        return {
            project.members[member_id].organization_id
            for email in emails
            for member_id in project.members_by_email.get(email, ())
        }

    return orgs


def _orgs_with_member_email_like(project: Project) -> Callable[[str], set[str]]:
    """Organizations with a live member whose email contains the text (one pass)."""

    def orgs(text: str) -> set[str]:
        return {
            member.organization_id
            for member in project.members.values()
            if member.status != DELETED and text in member.email_address.lower()
        }

    return orgs


def search_organizations(
    project: Project, *, query: dict[str, Any] | None, cursor: str | None, limit: int | None
) -> tuple[list[Organization], int, str | None]:
    """Every operand the SDKs offer for organizations (stytch-b2b-semantics.md §5.5)."""
    filters: dict[str, tuple[str, Any]] = {
        "organization_ids": ("in", lambda o: [o.organization_id]),
        "organization_slugs": ("in", lambda o: [o.organization_slug]),
        "organization_name_fuzzy": ("fuzzy", lambda o: [o.organization_name]),
        "organization_slug_fuzzy": ("fuzzy", lambda o: [o.organization_slug]),
        "member_emails": ("in-ids", _orgs_with_member_email(project)),
        "member_email_fuzzy": ("fuzzy-ids", _orgs_with_member_email_like(project)),
        "allowed_domains": ("in", lambda o: o.email_allowed_domains),
        "allowed_domain_fuzzy": ("fuzzy", lambda o: o.email_allowed_domains),
        "claimed_email_domains": ("in", lambda o: o.claimed_email_domains),
        "has_active_sso_connection": ("flag", lambda o: bool(o.sso_active_connections)),
        "sso_connection_id": (
            "equals",
            lambda o: [c.get("connection_id") for c in o.sso_active_connections],
        ),
    }
    match = _query_predicate(query, "organization", filters)
    found = [org for org in project.organizations.values() if match(org)]
    return _page(found, cursor, limit)


MEMBER_STATUSES = frozenset({ACTIVE, PENDING, INVITED, DELETED})


def search_members(
    project: Project,
    *,
    organization_ids: list[str],
    query: dict[str, Any] | None,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[Member], int, str | None, dict[str, Organization]]:
    """Members of the given organizations; deleted ones only when a ``statuses`` operand asks
    for them (semantics §5.5)."""
    if not organization_ids:
        raise errors.member_search_organization_ids_empty()
    orgs = [project.get_organization(oid) for oid in organization_ids]
    include_deleted = False
    for operand in (query or {}).get("operands") or []:
        if isinstance(operand, dict) and operand.get("filter_name") == "statuses":
            value = operand.get("filter_value")
            if not isinstance(value, list) or not {str(v).lower() for v in value} <= (
                MEMBER_STATUSES
            ):
                raise _search_error(
                    "search_invalid_status_filter",
                    "statuses may only contain active, pending, invited and deleted.",
                )
            include_deleted = include_deleted or DELETED in {str(v).lower() for v in value}
    phone: Values = lambda m: [m.mfa_phone_number]  # noqa: E731
    filters: dict[str, tuple[str, Any]] = {
        "member_ids": ("in", lambda m: [m.member_id] + ([m.external_id] if m.external_id else [])),
        "member_emails": ("in", lambda m: [m.email_address]),
        "member_email_fuzzy": ("fuzzy", lambda m: [m.email_address]),
        "member_is_breakglass": ("flag", lambda m: m.is_breakglass),
        "statuses": ("in", lambda m: [m.status]),
        "member_phone_numbers": ("in", phone),
        "member_phone_number_fuzzy": ("fuzzy", phone),
        "member_mfa_phone_numbers": ("in", phone),
        "member_mfa_phone_number_fuzzy": ("fuzzy", phone),
        "member_roles": ("in", lambda m: m.role_ids),
    }
    match = _query_predicate(query, "member", filters)
    found = [
        m
        for org in orgs
        for m in project.org_members.get(org.organization_id, {}).values()
        if (include_deleted or m.status != DELETED) and match(m)
    ]
    page, total, next_cursor = _page(found, cursor, limit)
    return (
        page,
        total,
        next_cursor,
        {m.organization_id: project.organizations[m.organization_id] for m in page},
    )
