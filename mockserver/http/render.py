"""Domain results to wire fields (the parts that are not a plain attribute read)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..domain.discovery import DiscoveredOrganization, DiscoveryResult
from ..domain.entities import Member, MemberSession, Organization
from ..domain.login import AuthResult
from ..domain.rbac import session_role_ids
from ..domain.sessions import SessionGrant
from .common import signed


def member_session(session: MemberSession, member: Member, org: Organization) -> dict[str, Any]:
    """The fields of ``objects.MemberSessionObject``: the session's own, plus its member's roles and
    its organization's slug."""
    return {
        "member_session_id": session.member_session_id,
        "member_id": session.member_id,
        "started_at": session.started_at,
        "last_accessed_at": session.last_accessed_at,
        "expires_at": session.expires_at,
        "authentication_factors": session.authentication_factors,
        "organization_id": session.organization_id,
        "roles": session_role_ids(member, session),
        "organization_slug": org.organization_slug,
        "custom_claims": session.custom_claims,
    }


async def session_fields(request: web.Request, grant: SessionGrant) -> dict[str, Any]:
    """The session part of a response; its JWT gets signed here (common.signed)."""
    return {
        "member_session": member_session(grant.session, grant.member, grant.organization),
        "session_token": grant.session.session_token,
        "session_jwt": await signed(request, grant.session_jwt),
        "member": grant.member,
        "organization": grant.organization,
    }


async def auth_result_fields(request: web.Request, result: AuthResult) -> dict[str, Any]:
    """Stytch's shared auth result: empty session strings until fully authenticated, and an
    empty IST once a session is granted (the authenticate responses of the Python SDK,
    https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/magic_links.py)."""
    fields: dict[str, Any] = {
        "member_id": result.member.member_id,
        "member": result.member,
        "organization": result.organization,
        "member_authenticated": result.member_authenticated,
        "session_token": "",
        "session_jwt": "",
        "intermediate_session_token": "",
    }
    if result.grant is not None:
        fields.update(await session_fields(request, result.grant))
    if result.intermediate_session is not None:
        fields["intermediate_session_token"] = result.intermediate_session.token
        fields["intermediate_session_token_expires_at"] = result.intermediate_session.expires_at
    if result.primary_required is not None:
        fields["primary_required"] = {"allowed_auth_methods": result.primary_required}
    if result.mfa_required is not None:
        fields["mfa_required"] = result.mfa_required
    return fields


def discovery_fields(result: DiscoveryResult) -> dict[str, Any]:
    """The fields every discovery authenticate response shares (magic links, OAuth, passwords,
    email codes)."""
    return {
        "intermediate_session_token": result.intermediate_session_token,
        "email_address": result.email_address,
        "discovered_organizations": discovered_organizations(result.discovered_organizations),
        "intermediate_session_token_expires_at": result.intermediate_session_token_expires_at,
    }


async def magic_link_result_fields(request: web.Request, result: AuthResult) -> dict[str, Any]:
    """An organization magic link's authenticate answer: the auth result and the email used."""
    return {
        "method_id": result.member.email_id,
        "organization_id": result.organization.organization_id,
        "reset_sessions": False,
        **await auth_result_fields(request, result),
    }


def discovered_organizations(found: list[DiscoveredOrganization]) -> list[dict[str, Any]]:
    out = []
    for entry in found:
        item: dict[str, Any] = {
            "member_authenticated": entry.member_authenticated,
            "organization": entry.organization,
            "membership": {
                "type": entry.membership_type,
                "details": entry.details,
                "member": entry.member,
            },
        }
        if entry.primary_required is not None:
            item["primary_required"] = {"allowed_auth_methods": entry.primary_required}
        if entry.mfa_required is not None:
            item["mfa_required"] = entry.mfa_required
        out.append(item)
    return out
