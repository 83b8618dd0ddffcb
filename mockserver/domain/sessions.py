"""Member sessions: creation, authentication, extension, revocation, and session JWTs.

Behaviour from the Python SDK's sessions docstrings
(https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/sessions.py): sessions last
60 minutes unless ``session_duration_minutes`` (5..527040) says otherwise;
``sessions/authenticate`` extends only when given a duration; JWTs live 5 minutes and an
expired JWT of a live session is refreshed; unknown, expired and revoked sessions are 404
``session_not_found``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt as pyjwt

from .. import errors
from ..ids import new_id, session_token
from . import rbac
from .entities import AuthenticationFactor, Member, MemberSession, MemberStatus, Organization
from .keys import SessionJWT
from .project import Project

DEFAULT_SESSION_MINUTES = 60
MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 527040
JWT_LIFETIME_SECONDS = 300
RESERVED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
SESSION_CLAIM = "https://stytch.com/session"
ORGANIZATION_CLAIM = "https://stytch.com/organization"
MAX_CUSTOM_CLAIMS_BYTES = 4096


@dataclass(slots=True)
class SessionGrant:
    """What an authenticate call hands back: the session with its member and organization.
    ``session_jwt`` may still need its signature (keys.SessionJWT): whoever renders the grant
    signs it, after the state change is complete."""

    session: MemberSession
    member: Member
    organization: Organization
    session_jwt: SessionJWT


def check_duration(minutes: int | None) -> int | None:
    if minutes is not None and not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
        raise errors.invalid_session_duration()
    return minutes


def merge_custom_claims(current: dict[str, Any], update: dict[str, Any] | None) -> dict[str, Any]:
    """Reserved claims are ignored and a ``null`` value deletes a key (``session_custom_claims``
    in https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/sessions.py)."""
    if not update:
        return current
    merged = dict(current)
    for name, value in update.items():
        if name in RESERVED_CLAIMS or name in (SESSION_CLAIM, ORGANIZATION_CLAIM):
            continue
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    if len(json.dumps(merged, separators=(",", ":"))) > MAX_CUSTOM_CLAIMS_BYTES:
        raise errors.custom_claims_too_large()
    return merged


def check_custom_claims(claims: dict[str, Any] | None) -> None:
    """Refuse oversized claims before anything changes (the size rule of merge_custom_claims)."""
    merge_custom_claims({}, claims)


def magic_link_factor(member_email: str, email_id: str, now: datetime) -> AuthenticationFactor:
    return AuthenticationFactor(
        type="magic_link",
        delivery_method="email",
        created_at=now,
        last_authenticated_at=now,
        updated_at=now,
        email_factor={"email_id": email_id, "email_address": member_email},
    )


def start_session(
    project: Project,
    member: Member,
    factors: list[AuthenticationFactor],
    *,
    duration_minutes: int | None,
    custom_claims: dict[str, Any] | None,
) -> SessionGrant:
    """A new session for ``member`` (checks were done by the caller)."""
    claims = merge_custom_claims({}, custom_claims)
    now = project.now()
    session = MemberSession(
        member_session_id=new_id("session", project.env),
        member_id=member.member_id,
        organization_id=member.organization_id,
        session_token=session_token(),
        started_at=now,
        last_accessed_at=now,
        expires_at=now + timedelta(minutes=duration_minutes or DEFAULT_SESSION_MINUTES),
        authentication_factors=list(factors),
        custom_claims=claims,
    )
    project.sessions.add(session)
    org = project.organizations.get_by_id(member.organization_id)
    return SessionGrant(session, member, org, mint_jwt(project, session, member, org))


def _live_session(project: Project, session: MemberSession | None) -> MemberSession:
    """The session if it is still live; an expired one (or one whose member was deleted) is
    forgotten on the way."""
    if session is None:
        raise errors.session_not_found()
    if project.now() >= session.expires_at:
        project.sessions.forget(session)
        raise errors.session_not_found()
    member = project.members.find(session.member_id)
    if member is None or member.status == MemberStatus.DELETED:
        project.sessions.forget(session)
        raise errors.session_not_found()
    return session


def session_id_from_jwt(project: Project, session_jwt: str) -> str:
    """The session id a JWT names, once its signature, audience and issuer check out."""
    try:
        key = project.signing_keys.find(pyjwt.get_unverified_header(session_jwt).get("kid", ""))
        if key is None:
            raise errors.unable_to_parse_session_jwt()
        claims = key.verify(
            session_jwt, audience=project.project_id, issuers=[f"stytch.com/{project.project_id}"]
        )
        return claims[SESSION_CLAIM]["id"]
    except (pyjwt.PyJWTError, KeyError, TypeError):
        raise errors.unable_to_parse_session_jwt() from None


def get_session(
    project: Project, *, session_token: str | None = None, session_jwt: str | None = None
) -> MemberSession:
    """The live session behind exactly one of a token or a JWT."""
    if session_token is not None and session_jwt is not None:
        raise errors.too_many_session_arguments()
    if session_token is not None:
        return _live_session(project, project.sessions.find_by_token(session_token))
    if session_jwt is not None:
        session_id = session_id_from_jwt(project, session_jwt)
        return _live_session(project, project.sessions.find(session_id))
    raise errors.no_session_arguments()


def authenticate(
    project: Project,
    *,
    session_token: str | None,
    session_jwt: str | None,
    duration_minutes: int | None,
    custom_claims: dict[str, Any] | None,
    authorization_check: dict[str, str] | None = None,
) -> tuple[SessionGrant, dict[str, Any] | None]:
    """The session, touched (and extended when a duration is given), with the verdict of the
    ``authorization_check`` if one was asked for. Everything is checked before anything
    changes, so a refused check leaves the session as it was."""
    check_duration(duration_minutes)
    session = get_session(project, session_token=session_token, session_jwt=session_jwt)
    member = project.members.get_by_id(session.member_id)
    org = project.organizations.get_by_id(session.organization_id)
    verdict = (
        rbac.check(
            project.rbac_policy.policy,
            org,
            rbac.session_role_ids(member, session),
            **authorization_check,
        )
        if authorization_check
        else None
    )
    claims = merge_custom_claims(session.custom_claims, custom_claims)
    return touch(project, session, member, org, claims, duration_minutes), verdict


def touch(
    project: Project,
    session: MemberSession,
    member: Member,
    org: Organization,
    claims: dict[str, Any],
    duration_minutes: int | None,
) -> SessionGrant:
    """The session used now, with these custom claims (and extended when a duration is
    given, unless it is impersonated), and its JWT: what authenticating an existing session
    does."""
    now = project.now()
    session.custom_claims = claims
    session.last_accessed_at = now
    if duration_minutes is not None and not is_impersonated(session):
        session.expires_at = now + timedelta(minutes=duration_minutes)
    return SessionGrant(session, member, org, mint_jwt(project, session, member, org))


def is_impersonated(session: MemberSession) -> bool:
    """Impersonated sessions cannot be extended (``impersonation.authenticate`` in
    https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/impersonation.py);
    [chosen] a duration given for one is ignored, not refused (README fidelity notes)."""
    return any(f.type == "impersonated" for f in session.authentication_factors)


def revoke(
    project: Project,
    *,
    member_session_id: str | None,
    session_token: str | None,
    session_jwt: str | None,
    member_id: str | None,
) -> None:
    given = [v for v in (member_session_id, session_token, session_jwt, member_id) if v is not None]
    if not given:
        raise errors.no_session_revoke_arguments()
    if len(given) > 1:
        raise errors.too_many_session_revoke_arguments()
    if member_id is not None:
        if member_id not in project.members:
            raise errors.member_not_found()
        revoke_member_sessions(project, member_id)
        return
    if member_session_id is not None:
        session = _live_session(project, project.sessions.find(member_session_id))
    else:
        session = get_session(project, session_token=session_token, session_jwt=session_jwt)
    project.sessions.forget(session)


def revoke_member_sessions(project: Project, member_id: str) -> None:
    for session in project.sessions.of_member(member_id):
        project.sessions.forget(session)


def member_sessions(
    project: Project, organization_id: str, member_id: str
) -> tuple[Member, Organization, list[MemberSession]]:
    """The member, its organization and its live sessions, oldest first."""
    org = project.organizations.get(organization_id)
    member = project.members.get(org.organization_id, member_id)
    now = project.now()
    live = []
    for session in project.sessions.of_member(member.member_id):
        if now >= session.expires_at:
            project.sessions.forget(session)
        else:
            live.append(session)
    return member, org, live


@lru_cache(maxsize=4096)
def _rfc3339(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def mint_jwt(
    project: Project, session: MemberSession, member: Member, org: Organization
) -> SessionJWT:
    """An RS256 session JWT with the claims both SDKs verify locally (``authenticate_jwt_local``
    in https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/sessions.py),
    encoded here and signed by whoever renders it (keys.SessionJWT).

    Identical claims give an identical JWT, so the last one is kept and reused while the
    claims (which change at most once a second) stay the same.
    """
    now = int(project.clock.timestamp())
    roles = rbac.session_role_ids(member, session)
    fingerprint = (
        now,
        session.last_accessed_at,
        session.expires_at,
        org.organization_slug,
        tuple(roles),
        json.dumps(session.custom_claims, sort_keys=True) if session.custom_claims else "",
    )
    cached = project.sessions.last_jwt(session.member_session_id, fingerprint)
    if cached is not None:
        return cached
    claims: dict[str, Any] = dict(session.custom_claims)
    claims.update(
        {
            "aud": [project.project_id],
            "exp": now + JWT_LIFETIME_SECONDS,
            "iat": now,
            "iss": f"stytch.com/{project.project_id}",
            "nbf": now,
            "sub": member.member_id,
            SESSION_CLAIM: {
                "id": session.member_session_id,
                "started_at": _rfc3339(session.started_at),
                "last_accessed_at": _rfc3339(session.last_accessed_at),
                "expires_at": _rfc3339(session.expires_at),
                "attributes": {"ip_address": "", "user_agent": ""},
                "authentication_factors": [
                    _factor_claim(f) for f in session.authentication_factors
                ],
                "roles": roles,
            },
            ORGANIZATION_CLAIM: {
                "organization_id": org.organization_id,
                "slug": org.organization_slug,
            },
        }
    )
    token = project.key.unsigned(claims)
    project.sessions.keep_jwt(session.member_session_id, fingerprint, token)
    return token


def _factor_claim(factor: AuthenticationFactor) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "type": factor.type,
        "delivery_method": factor.delivery_method,
        "created_at": _rfc3339(factor.created_at),
        "last_authenticated_at": _rfc3339(factor.last_authenticated_at),
        "updated_at": _rfc3339(factor.updated_at),
    }
    for name in _FACTOR_OBJECTS:
        value = getattr(factor, name)
        if value is not None:
            claim[name] = dict(value)
    if factor.oauth_factor is not None:
        claim[factor.oauth_factor_name] = dict(factor.oauth_factor)
    return claim


# The sub-object naming what a factor proved (one per factor; AuthenticationFactor in
# stytch/consumer/models/sessions.py of the Python SDK).
_FACTOR_OBJECTS = (
    "email_factor",
    "phone_number_factor",
    "authenticator_app_factor",
    "recovery_code_factor",
    "saml_sso_factor",
    "oidc_sso_factor",
    "impersonated_factor",
)
