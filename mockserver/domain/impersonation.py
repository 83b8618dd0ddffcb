"""Member impersonation: a token from the Stytch Dashboard ("Impersonate Member") logs the
impersonator in as a Member, with a session of its own.

From the Python SDK (``impersonation.authenticate`` in
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/impersonation.py and its
models): a token expires after 5 minutes and works once; the session lasts 60 minutes and
cannot be extended; it is always a full session (no MFA, no primary-factor requirement), with
one ``impersonated`` factor delivered by ``impersonation`` whose ``impersonated_factor`` names
the impersonator. The Dashboard is not part of the mock: ``mint`` makes the tokens it would
(``POST /_mock/impersonation_tokens``). Statuses of the errors: README, fidelity notes.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from .. import errors
from ..ids import magic_token
from .entities import AuthenticationFactor, Member, MemberStatus
from .project import Project
from .rules import validate_email
from .sessions import SessionGrant, start_session
from .stores.impersonation import ImpersonationToken

TOKEN_MINUTES = 5
SESSION_MINUTES = 60

# Dashboard member ids of impersonators, one per email address (see impersonator_id).
_IMPERSONATORS = uuid.UUID("6d6f636b-696d-4070-8572-736f6e617465")


def unable_to_auth_impersonation_token() -> errors.StytchError:
    # [chosen] 401, as for every other unknown, used or expired single-use token.
    return errors.StytchError(
        401,
        "unable_to_auth_impersonation_token",
        "The impersonation token could not be authenticated: it is unknown, already used or "
        "expired. Start a new impersonation from the Dashboard.",
    )


def member_impersonation_not_allowed() -> errors.StytchError:
    # [chosen] 403: the member exists but cannot be impersonated (it is deleted).
    return errors.StytchError(
        403,
        "member_impersonation_not_allowed",
        "This member cannot be impersonated: it is deleted.",
    )


def impersonator_id(project: Project, email_address: str) -> str:
    """[chosen] The impersonator's Dashboard member id (the SDK's ``impersonator_id``): the
    mock has no Dashboard, so one stable ``member-<env>-<uuid>`` per email address."""
    return f"member-{project.env}-{uuid.uuid5(_IMPERSONATORS, email_address.lower())}"


def _impersonable(member: Member) -> None:
    if member.status == MemberStatus.DELETED:
        raise member_impersonation_not_allowed()


def mint(
    project: Project, *, organization_id: str, member_id: str, impersonator_email_address: str
) -> ImpersonationToken:
    """A new token for the member (by member id or external id), valid for 5 minutes."""
    validate_email(impersonator_email_address)
    org = project.organizations.get(organization_id)
    member = project.members.get(org.organization_id, member_id, include_deleted=True)
    _impersonable(member)
    token = ImpersonationToken(
        token=magic_token(),
        organization_id=org.organization_id,
        member_id=member.member_id,
        impersonator_id=impersonator_id(project, impersonator_email_address),
        impersonator_email_address=impersonator_email_address,
        expires_at=project.now() + timedelta(minutes=TOKEN_MINUTES),
    )
    project.impersonation_tokens.add(token)
    return token


def authenticate(project: Project, *, impersonation_token: str) -> SessionGrant:
    """Spend the token: a 60-minute session for its member. Unknown, used and expired tokens
    are all 401 ``unable_to_auth_impersonation_token``; a refused token changes nothing.

    [chosen] The member's status does not change (an invited or pending member stays so: an
    impersonation proves nothing about the email address)."""
    token = project.impersonation_tokens.find(impersonation_token)
    now = project.now()
    if token is None or now >= token.expires_at:
        raise unable_to_auth_impersonation_token()
    member = project.members.get_by_id(token.member_id)
    _impersonable(member)
    project.impersonation_tokens.forget(token)
    factor = AuthenticationFactor(
        type="impersonated",
        delivery_method="impersonation",
        created_at=now,
        last_authenticated_at=now,
        updated_at=now,
        impersonated_factor={
            "impersonator_id": token.impersonator_id,
            "impersonator_email_address": token.impersonator_email_address,
        },
    )
    return start_session(
        project, member, [factor], duration_minutes=SESSION_MINUTES, custom_claims=None
    )
