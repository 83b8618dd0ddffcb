"""Shortcuts for tests that do not care how someone logged in.

``session_for`` gives a member a real session (token and JWT) through the same domain code as a
login: the member is found or created (active, email verified) in the organization, which is
found or created too, and the session starts with an email magic-link factor, as after a
magic-link login. It skips the login's checks (MFA, allowed auth methods): a test asks for a
logged-in member and gets one.
"""

from __future__ import annotations

from .entities import MemberStatus
from .members import activate, add_member, check_roles, update_member
from .organizations import create_organization, derive_name_and_slug, unique_slug
from .project import Project
from .rules import validate_email
from .sessions import SessionGrant, check_duration, magic_link_factor, start_session


def session_for(
    project: Project,
    *,
    email_address: str,
    organization: str | None,
    roles: list[str] | None,
    session_duration_minutes: int | None,
) -> SessionGrant:
    """A session for ``email_address`` in ``organization`` (an id, slug or external id; a slug
    that names nothing makes that organization; none: the organization discovery would derive
    from the email, made when missing). ``roles``: the member's directly assigned roles."""
    validate_email(email_address)
    check_duration(session_duration_minutes)
    org = project.organizations.find(organization) if organization else None
    if org is None:
        name, slug = derive_name_and_slug(email_address)
        if organization is not None:
            name = slug = organization
        org = project.organizations.find(slug)
        if org is None:
            if roles:
                check_roles(project, None, roles)  # before an organization is made for them
            org = create_organization(
                project,
                organization_name=name,
                organization_slug=unique_slug(project, slug) if organization is None else slug,
            )
    member = project.members.find_by_email(org.organization_id, email_address)
    if member is None:
        member = add_member(
            project,
            org,
            email_address,
            status=MemberStatus.ACTIVE,
            email_address_verified=True,
            roles=roles,
        )
    elif roles is not None:
        member, _ = update_member(project, org.organization_id, member.member_id, {"roles": roles})
    activate(project, member)
    factor = magic_link_factor(member.email_address, member.email_id, project.now())
    return start_session(
        project, member, [factor], duration_minutes=session_duration_minutes, custom_claims=None
    )
