"""Members of an organization: creation, lookup, updates, deletion and reactivation.

Rules from the Python SDK's docstrings (``stytch/b2b/api/organizations_members.py``,
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/organizations_members.py).
Choices where the real API is unknown are marked "[chosen]" and listed in the README's fidelity
notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import errors
from ..ids import new_id
from . import mfa
from .entities import Member, MemberStatus, Organization
from .project import Project
from .rules import EXTERNAL_ID, email_domain, validate_email
from .sessions import revoke_member_sessions


def _check_member_external_id(
    project: Project, org_id: str, external_id: str, member_id: str | None
) -> None:
    if not EXTERNAL_ID.fullmatch(external_id):
        raise errors.invalid_argument("external_id")
    owner = project.members.find_by_external_id(org_id, external_id)
    if owner is not None and owner.member_id != member_id:
        raise errors.duplicate_member_external_id()


def check_roles(project: Project, org: Organization | None, roles: Iterable[str]) -> list[str]:
    """The roles to assign directly, each one the project's RBAC policy or the organization's
    custom roles define (``org`` None: one about to be made, which has none yet). [chosen] An
    unknown role is 400 ``invalid_role`` (the type in Stytch's published error list; its status
    is not published)."""
    known = project.rbac_policy.policy.roles
    custom = {role["role_id"] for role in org.custom_roles} if org is not None else set()
    out: list[str] = []
    for role in roles:
        if not isinstance(role, str) or not role:
            raise errors.invalid_rbac_role_id()
        if role not in known and role not in custom:
            raise errors.StytchError(
                400,
                "invalid_role",
                f"The role {role!r} is not one of the project's or the organization's roles.",
            )
        if role not in out:
            out.append(role)
    return out


def add_member(
    project: Project,
    org: Organization,
    email_address: str,
    *,
    status: MemberStatus,
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
    existing = project.members.find_by_email(org.organization_id, email_address)
    if existing is not None:
        raise errors.duplicate_member_email()
    if external_id is not None:
        _check_member_external_id(project, org.organization_id, external_id, None)
    if mfa_phone_number:
        mfa.check_phone_number(mfa_phone_number)
    explicit = check_roles(project, org, roles or [])
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
    refresh_derived(org, member)
    project.members.add(member)
    return member


def refresh_derived(org: Organization, member: Member) -> None:
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


def create_member(
    project: Project,
    organization_id: str,
    *,
    email_address: str,
    create_member_as_pending: bool | None = None,
    **fields: Any,
) -> Member:
    org = project.organizations.get(organization_id)
    return add_member(
        project,
        org,
        email_address,
        status=MemberStatus.PENDING if create_member_as_pending else MemberStatus.ACTIVE,
        **fields,
    )


def get_member_by_id_or_email(
    project: Project, organization_id: str, *, member_id: str | None, email_address: str | None
) -> tuple[Member, Organization]:
    """Members get: by ``member_id`` (or external id) or ``email_address``."""
    org = project.organizations.get(organization_id)
    if member_id:
        member = project.members.get(org.organization_id, member_id)
    elif email_address:
        found = project.members.find_by_email(org.organization_id, email_address)
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
    org = project.organizations.get(organization_id)
    member = project.members.get(org.organization_id, member_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    roles = check_roles(project, org, changes["roles"]) if "roles" in changes else None
    new_email = changes.get("email_address")
    if new_email is not None and new_email.lower() != member.email_address.lower():
        validate_email(new_email)
        if project.members.find_by_email(org.organization_id, new_email) is not None:
            raise errors.duplicate_member_email()
    if changes.get("external_id") is not None:
        _check_member_external_id(
            project, org.organization_id, changes["external_id"], member.member_id
        )
    if changes.get("default_mfa_method") not in (None, "sms_otp", "totp"):
        raise errors.invalid_mfa_default_method()
    new_phone = changes.get("mfa_phone_number")
    if new_phone is not None and new_phone != member.mfa_phone_number:
        mfa.check_phone_number(new_phone)
        # The Python SDK's members.update docstring: an existing number is not overwritten
        # (delete it first); a new one is unverified until an SMS code from it is used.
        if member.mfa_phone_number:
            raise mfa.duplicate_member_phone_number_for_member()
        changes["mfa_phone_number_verified"] = False
    with project.members.changing(member):
        for name in (
            "name",
            "trusted_metadata",
            "untrusted_metadata",
            "is_breakglass",
            "mfa_phone_number",
            "mfa_phone_number_verified",
            "mfa_enrolled",
            "default_mfa_method",
            "external_id",
        ):
            if name in changes:
                setattr(member, name, changes[name])
        if roles is not None:
            member.explicit_roles = roles
        if new_email is not None and new_email != member.email_address:
            change_email(project, member, new_email)
        refresh_derived(org, member)
        member.updated_at = project.now()
    return member, org


def change_email(project: Project, member: Member, new_email: str) -> None:
    """A member's new (checked) email, inside ``project.members.changing(member)``: the old one
    is retired, the new one unverified, and the password cleared (Stytch's update-member
    docstring: a new email clears the password)."""
    member.retired_email_addresses.append(
        {"email_id": member.email_id, "email_address": member.email_address}
    )
    member.email_address = new_email
    member.email_id = new_id("email", project.env)
    member.email_address_verified = False
    member.member_password_id = ""
    project.member_passwords.forget(member.member_id)


def delete_member(project: Project, organization_id: str, member_id: str) -> str:
    """[chosen] A deleted member keeps its record with status ``deleted`` (it can be
    reactivated); its sessions and outstanding links are revoked (deleting a member revokes its
    invites; README fidelity notes) and its email can be used again at once."""

    org = project.organizations.get(organization_id)
    member = project.members.get(org.organization_id, member_id)
    deactivate(project, member)
    # Deleted members stay findable by id (dangerously_get with include_deleted, reactivate)
    # and in their organization's list (search with statuses=["deleted"]).
    return member.member_id


def deactivate(project: Project, member: Member) -> None:
    """The member's status becomes ``deleted``; its sessions, outstanding links and unused
    one-time codes and impersonation tokens go (its TOTP stays with the record, like
    ``totp_registration_id``)."""
    revoke_member_sessions(project, member.member_id)
    project.magic_links.revoke_member(member.member_id, project.now())
    project.one_time_codes.forget_member(member.member_id)
    project.members.end_failures(member.member_id)
    project.impersonation_tokens.forget_member(member.member_id)
    with project.members.changing(member):
        member.status = MemberStatus.DELETED
    member.updated_at = project.now()


def reactivate_member(
    project: Project, organization_id: str, member_id: str
) -> tuple[Member, Organization]:
    org = project.organizations.get(organization_id)
    member = project.members.get(
        org.organization_id, member_id, allow_external_id=False, include_deleted=True
    )
    if member.status != MemberStatus.DELETED:
        raise errors.no_deleted_member_found_for_reactivation()
    if not member.email_address_verified:
        raise errors.email_unverified_for_reactivation()
    if project.members.find_by_email(org.organization_id, member.email_address) is not None:
        raise errors.reactivation_email_belongs_to_another_member()
    with project.members.changing(member):
        member.status = MemberStatus.ACTIVE
    member.updated_at = project.now()
    return member, org


def dangerously_get_member(
    project: Project, member_id: str, include_deleted: bool
) -> tuple[Member, Organization]:
    member = project.members.find(member_id)
    if member is None or (member.status == MemberStatus.DELETED and not include_deleted):
        raise errors.member_not_found()
    return member, project.organizations.get_by_id(member.organization_id)


def activate(project: Project, member: Member, *, email_verified: bool = True) -> None:
    """A pending or invited member becomes active, with a verified email, on authentication
    (``email_verified`` False: by a factor that does not prove the email, such as GitHub OAuth)."""
    if member.status in (MemberStatus.PENDING, MemberStatus.INVITED):
        member.status = MemberStatus.ACTIVE
    if email_verified:
        member.email_address_verified = True
    member.updated_at = project.now()
