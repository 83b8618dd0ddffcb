"""B2B OAuth (Google, Microsoft, GitHub, Slack, HubSpot), offline: the mock plays the provider.

The flow, as Stytch runs it (https://stytch.com/docs/b2b/guides/oauth/auth-flows):

    start URL (public token)  ->  provider consent page  ->  app's redirect URL with
    ?stytch_token_type=oauth|discovery_oauth&token=...  ->  oauth.authenticate or
    oauth.discovery.authenticate (backend SDK)

Here the provider is the mock's own page (http/oauth_provider.py). Rules from the Python SDK's
docstrings (``stytch/b2b/api/oauth.py``, ``oauth_discovery.py``,
``organizations_members_oauth_providers.py``) and the frontend SDK's start URLs
(``HeadlessB2BOAuthClient.ts`` in stytchauth/stytch-browser); the mock's choices are marked
[chosen] and listed in the README ("OAuth offline" and its fidelity notes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import jwt as pyjwt

from .. import errors
from ..errors import StytchError
from ..ids import magic_token
from .discovery import DiscoveryResult, discover
from .entities import AuthenticationFactor, MemberStatus, Organization
from .frontend import public_token_not_found
from .keys import SigningKey
from .login import (
    AuthResult,
    arrival,
    check_pkce,
    log_in_with,
    new_intermediate_session,
    with_params,
)
from .members import activate, add_member
from .oauth_entities import OAuthIdentity, OAuthRequest, OAuthToken, ProviderTokens
from .oauth_factors import (
    PROVIDER_TYPES,
    TENANT_PROVIDERS,
    OAuthProvider,
    oauth_factor,
    tenant_match,
    verifies_email,
)
from .project import Project
from .registry import Registry
from .rules import email_domain, validate_email

TOKEN_MINUTES = 10  # [chosen] unpublished; also the provider page's request lifetime
ACCESS_TOKEN_SECONDS = 3600
ID_TOKEN_SECONDS = 3600

# Google's defaults are documented (openid email profile); the others are [chosen].
DEFAULT_SCOPES = {
    OAuthProvider.GOOGLE: ["openid", "email", "profile"],
    OAuthProvider.MICROSOFT: ["openid", "email", "profile", "offline_access"],
    OAuthProvider.GITHUB: ["read:user", "user:email", "read:org"],
    OAuthProvider.SLACK: ["openid", "email", "profile"],
    OAuthProvider.HUBSPOT: ["oauth"],
}

# Issuers of the provider's ID tokens (Google and Microsoft are OpenID Connect providers).
ID_TOKEN_ISSUERS = {
    OAuthProvider.GOOGLE: "https://accounts.google.com",
    OAuthProvider.MICROSOFT: "https://login.microsoftonline.com/common/v2.0",
}

TOKEN_TYPE = {False: "oauth", True: "discovery_oauth"}


# --- errors (types from StytchAPIErrorType in stytchauth/stytch-browser; statuses [chosen]
# by the project's convention: validation 400, *_not_found 404) ------------------------------


def invalid_oauth_provider(name: str) -> StytchError:
    return StytchError(
        400,
        "invalid_oauth_provider",
        f"{name!r} is not a supported OAuth provider: use one of "
        + ", ".join(p.value for p in OAuthProvider)
        + ".",
    )


def public_token_required() -> StytchError:
    return StytchError(400, "public_token_required", "public_token is a required query parameter.")


def missing_oauth_organization_locator() -> StytchError:
    return StytchError(
        400,
        "missing_oauth_organization_locator",
        "The organization OAuth flow needs an organization_id or a slug.",
    )


def too_many_oauth_organization_locators() -> StytchError:
    return StytchError(
        400,
        "too_many_oauth_organization_locators",
        "Pass either organization_id or slug, not both.",
    )


def no_match_for_provided_oauth_url() -> StytchError:
    return StytchError(
        400,
        "no_match_for_provided_oauth_url",
        "The redirect URL does not match any redirect URL registered for this project.",
    )


def oauth_token_not_found(message: str = "The OAuth token could not be found.") -> StytchError:
    # 400 as Stytch's (consumer) sandbox page lists it.
    return StytchError(400, "oauth_token_not_found", message)


def oauth_invalid_state() -> StytchError:
    return StytchError(
        400,
        "oauth_invalid_state",
        "This sign-in request is unknown, already used or expired; start the OAuth flow again.",
    )


def oauth_unverified_email() -> StytchError:
    return StytchError(
        400,
        "oauth_unverified_email",
        "The OAuth provider has not verified this email address.",
    )


def oauth_tenant_jit_provisioning_not_allowed() -> StytchError:
    # 403 like the email JIT refusal (errors.email_jit_provisioning_not_allowed).
    return StytchError(
        403,
        "oauth_tenant_jit_provisioning_not_allowed",
        "This organization does not allow JIT provisioning by OAuth tenant for this tenant.",
    )


def member_oauth_token_not_found() -> StytchError:
    return StytchError(
        404,
        "member_oauth_token_not_found",
        "No OAuth tokens are stored for this member and provider.",
    )


# --- start and the provider page ---------------------------------------------------------


def project_for_public_token(registry: Registry, token: str | None) -> Project:
    """The project a start URL names by its ``public_token``."""
    if not token:
        raise public_token_required()
    project = registry.find_project_by_public_token(token)
    if project is None:
        raise public_token_not_found(token)
    return project


def provider(name: str) -> OAuthProvider:
    try:
        return OAuthProvider(name)
    except ValueError:
        raise invalid_oauth_provider(name) from None


def _redirect_url(project: Project, url: str | None) -> str:
    """Registered-URL rules of the magic links (Project.resolve_redirect_url), OAuth's error."""
    try:
        return project.resolve_redirect_url(url)
    except StytchError as exc:
        if exc.error_type == "no_match_for_provided_magic_link_url":
            raise no_match_for_provided_oauth_url() from None
        raise


def start(
    project: Project,
    oauth_provider: OAuthProvider,
    *,
    discovery: bool,
    organization_id: str | None = None,
    slug: str | None = None,
    login_redirect_url: str | None = None,
    signup_redirect_url: str | None = None,
    discovery_redirect_url: str | None = None,
    custom_scopes: str | None = None,
    pkce_code_challenge: str | None = None,
    provider_params: dict[str, str] | None = None,
) -> OAuthRequest:
    """Validate a start URL and keep its authorization request for the provider page."""
    org_id = None
    if discovery:
        login = signup = _redirect_url(project, discovery_redirect_url)
    else:
        if organization_id and slug:
            raise too_many_oauth_organization_locators()
        if not organization_id and not slug:
            raise missing_oauth_organization_locator()
        if organization_id:
            org_id = project.organizations.get(organization_id).organization_id
        else:
            org_id = project.organizations.slug_owner(slug or "")
            if org_id is None:
                raise errors.organization_not_found()
        login = _redirect_url(project, login_redirect_url)
        signup = _redirect_url(project, signup_redirect_url)
    scopes = list(DEFAULT_SCOPES[oauth_provider])
    for scope in (custom_scopes or "").split():
        if scope not in scopes:
            scopes.append(scope)
    now = project.now()
    request = OAuthRequest(
        state=magic_token(),
        provider=oauth_provider,
        discovery=discovery,
        organization_id=org_id,
        login_redirect_url=login,
        signup_redirect_url=signup,
        scopes=scopes,
        pkce_code_challenge=pkce_code_challenge or None,
        provider_params=dict(provider_params or {}),
        expires_at=now + timedelta(minutes=TOKEN_MINUTES),
    )
    project.oauth_requests.add(request, now)
    return request


def find_request(project: Project, state: str) -> OAuthRequest:
    request = project.oauth_requests.find(state)
    if request is None or project.now() >= request.expires_at:
        raise oauth_invalid_state()
    return request


def provider_subject(oauth_provider: OAuthProvider, email: str) -> str:
    """[chosen] A stable subject per provider and email (so repeated logins are one identity):
    a 21-digit number for Google, a UUID-shaped id for Microsoft, digits elsewhere."""
    digest = hashlib.sha256(f"{oauth_provider.value}:{email.lower()}".encode()).hexdigest()
    if oauth_provider is OAuthProvider.MICROSOFT:
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    number = str(int(digest[:20], 16))
    return ("1" + number)[:21] if oauth_provider is OAuthProvider.GOOGLE else number[:9]


def identity(
    oauth_provider: OAuthProvider,
    *,
    email: str,
    name: str | None = None,
    email_verified: bool = True,
    hosted_domain: str | None = None,
    tenant_ids: list[str] | None = None,
    subject: str | None = None,
) -> OAuthIdentity:
    """The identity the provider page asserts. [chosen] Google's hosted domain defaults to the
    email's domain unless it is a consumer domain (gmail.com and the like are never hosted)."""
    email = validate_email(email.strip())
    if oauth_provider is not OAuthProvider.GOOGLE:
        hosted_domain = ""
    elif hosted_domain is None:
        domain = email_domain(email)
        hosted_domain = "" if domain in ("gmail.com", "googlemail.com") else domain
    tenants = [t for t in (tenant_ids or []) if t] if oauth_provider in TENANT_PROVIDERS else []
    return OAuthIdentity(
        provider=oauth_provider,
        email=email,
        name=(name or "").strip() or email.split("@", 1)[0],
        provider_subject=(subject or "").strip() or provider_subject(oauth_provider, email),
        email_verified=email_verified,
        hosted_domain=hosted_domain.strip().lower(),
        tenant_ids=tenants,
    )


def complete(project: Project, request: OAuthRequest, who: OAuthIdentity) -> str:
    """The user approved at the provider: the request is used up, a single-use token is made,
    and the app's URL to redirect to comes back (login URL for a member of the organization,
    signup URL otherwise, the discovery URL in discovery)."""
    project.oauth_requests.forget(request)
    now = project.now()
    token = OAuthToken(
        token=magic_token(),
        discovery=request.discovery,
        identity=who,
        organization_id=request.organization_id,
        scopes=list(request.scopes),
        pkce_code_challenge=request.pkce_code_challenge,
        expires_at=now + timedelta(minutes=TOKEN_MINUTES),
    )
    project.oauth_tokens.add(token, now)
    url = request.signup_redirect_url
    if request.organization_id is not None:
        member = project.members.find_by_email(request.organization_id, who.email)
        if member is not None and member.status == MemberStatus.ACTIVE:
            url = request.login_redirect_url
    return with_params(
        url, {"stytch_token_type": TOKEN_TYPE[request.discovery], "token": token.token}
    )


def deny(project: Project, request: OAuthRequest) -> str:
    """The user denied consent: [chosen] the app's URL with the provider's OAuth error
    (``error=access_denied``), no token; the request is used up."""
    project.oauth_requests.forget(request)
    return with_params(
        request.signup_redirect_url if request.discovery else request.login_redirect_url,
        {"error": "access_denied", "error_description": "The user denied the request."},
    )


# --- tokens of the provider --------------------------------------------------------------


@cache
def provider_key() -> SigningKey:
    """The mock providers' RS256 key for ID tokens, made once per process."""
    return SigningKey.generate()


def _id_token(project: Project, who: OAuthIdentity, now: datetime) -> str:
    claims: dict[str, Any] = {
        "iss": ID_TOKEN_ISSUERS[who.provider],
        "sub": who.provider_subject,
        "aud": f"stytch-mock-{who.provider.value}-client-{project.project_id}",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ID_TOKEN_SECONDS,
        "email": who.email,
        "email_verified": who.email_verified,
        "name": who.name,
    }
    if who.hosted_domain:
        claims["hd"] = who.hosted_domain
    key = provider_key()
    return pyjwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _issue_provider_tokens(project: Project, token: OAuthToken) -> ProviderTokens:
    """New provider tokens for this login, kept per identity (the latest login wins)."""
    who = token.identity
    now = project.now()
    issued = ProviderTokens(
        provider=who.provider,
        provider_subject=who.provider_subject,
        access_token=f"mock-{who.provider.value}-access-{magic_token()}",
        access_token_expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        scopes=list(token.scopes),
        refresh_token=f"mock-{who.provider.value}-refresh-{magic_token()}",
        id_token=_id_token(project, who, now) if who.provider in ID_TOKEN_ISSUERS else None,
        tenant_ids=list(who.tenant_ids),
    )
    project.oauth_provider_tokens.put(issued)
    return issued


def provider_values(issued: ProviderTokens, oauth_provider: OAuthProvider) -> dict[str, Any]:
    """``provider_values``: the SDK says ``id_token`` is only returned by Microsoft."""
    values: dict[str, Any] = {
        "scopes": issued.scopes,
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_at": issued.access_token_expires_at,
    }
    if oauth_provider is OAuthProvider.MICROSOFT:
        values["id_token"] = issued.id_token
    return values


# --- authenticate ------------------------------------------------------------------------


def _token(
    project: Project, value: str, *, discovery: bool, pkce_code_verifier: str | None
) -> OAuthToken:
    """A usable token of the right flow; nothing changes here (the caller consumes it)."""
    token = project.oauth_tokens.find(value)
    if token is None or token.discovery != discovery:
        raise oauth_token_not_found()
    if token.used:
        raise oauth_token_not_found("The OAuth token has already been used.")
    if project.now() >= token.expires_at:
        raise oauth_token_not_found("The OAuth token has expired.")
    check_pkce(token.pkce_code_challenge, pkce_code_verifier)
    if not token.identity.email_verified:
        raise oauth_unverified_email()
    return token


def _factor(project: Project, who: OAuthIdentity) -> AuthenticationFactor:
    return oauth_factor(
        who.provider,
        who.provider_subject,
        project.now(),
        email_verified=verifies_email(who.provider, who.hosted_domain),
        tenant_ids=who.tenant_ids,
    )


@dataclass(slots=True)
class OAuthResult:
    auth: AuthResult
    provider_subject: str
    provider_type: str
    provider_values: dict[str, Any]


def authenticate(
    project: Project,
    *,
    oauth_token: str,
    pkce_code_verifier: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    intermediate_session_token: str | None,
) -> OAuthResult:
    """``oauth.authenticate``: the member of the token's organization with the provider's
    email logs in (pending and invited members become active); an unknown email joins by OAuth
    tenant or by email domain when the organization allows it."""
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=intermediate_session_token,
    )
    token = _token(project, oauth_token, discovery=False, pkce_code_verifier=pkce_code_verifier)
    who = token.identity
    org = project.organizations.find_by_id(token.organization_id or "")
    if org is None:  # deleted since the start URL
        raise errors.organization_not_found()
    member = project.members.find_by_email(org.organization_id, who.email)
    factor = _factor(project, who)
    if member is None:
        _check_jit(org, who, tenant_match(org, [factor]) is not None)
    # Every check passed: from here on the state changes.
    token.used = True
    issued = _issue_provider_tokens(project, token)
    if member is None:
        member = add_member(project, org, who.email, status=MemberStatus.ACTIVE, name=who.name)
    else:
        activate(project, member, email_verified=factor.email_verified)
    result = log_in_with(project, member, org, factor, came_with)
    return OAuthResult(
        result,
        who.provider_subject,
        PROVIDER_TYPES[who.provider],
        provider_values(issued, who.provider),
    )


def _check_jit(org: Organization, who: OAuthIdentity, tenant_allowed: bool) -> None:
    """An unknown email may join by an allowed OAuth tenant, or by email domain under
    ``email_jit_provisioning = RESTRICTED`` (a non-verifying provider then needs a step-up,
    decided by login.log_in)."""
    if tenant_allowed:
        return
    if (
        org.email_jit_provisioning == "RESTRICTED"
        and email_domain(who.email) in org.email_allowed_domains
    ):
        return
    if who.tenant_ids and org.oauth_tenant_jit_provisioning == "RESTRICTED":
        raise oauth_tenant_jit_provisioning_not_allowed()
    raise errors.email_jit_provisioning_not_allowed()


@dataclass(slots=True)
class DiscoveryOAuthResult:
    discovery: DiscoveryResult
    provider_type: str
    provider_tenant_id: str
    provider_tenant_ids: list[str]
    full_name: str


def discovery_authenticate(
    project: Project, *, discovery_oauth_token: str, pkce_code_verifier: str | None
) -> DiscoveryOAuthResult:
    """``oauth.discovery.authenticate``: an intermediate session holding the OAuth factor, and
    the organizations its email (or its OAuth tenants) can reach."""
    token = _token(
        project, discovery_oauth_token, discovery=True, pkce_code_verifier=pkce_code_verifier
    )
    token.used = True
    _issue_provider_tokens(project, token)
    who = token.identity
    factor = _factor(project, who)
    ist = new_intermediate_session(project, who.email, [factor])
    return DiscoveryOAuthResult(
        DiscoveryResult(
            intermediate_session_token=ist.token,
            email_address=who.email,
            discovered_organizations=discover(project, who.email, [factor], include_eligible=True),
            intermediate_session_token_expires_at=ist.expires_at,
        ),
        provider_type=PROVIDER_TYPES[who.provider],
        # The SDK: set only when exactly one tenant id came back.
        provider_tenant_id=who.tenant_ids[0] if len(who.tenant_ids) == 1 else "",
        provider_tenant_ids=list(who.tenant_ids),
        full_name=who.name,
    )


# --- stored provider tokens ---------------------------------------------------------------


def member_provider_tokens(
    project: Project,
    *,
    organization_id: str,
    member_id: str,
    oauth_provider: OAuthProvider,
    include_refresh_token: bool,
) -> dict[str, Any]:
    """The response fields of ``GET .../oauth_providers/{provider}``. Google and Microsoft: the
    member's identity's tokens; Slack, HubSpot, GitHub: one entry per registration. An access
    token past its lifetime is refreshed (Stytch refreshes stored tokens itself)."""
    org = project.organizations.get(organization_id)
    member = project.members.get(org.organization_id, member_id)
    provider_type = PROVIDER_TYPES[oauth_provider]
    found: list[tuple[str, ProviderTokens]] = []
    for registration in member.oauth_registrations:
        if registration["provider_type"] != provider_type:
            continue
        subject = registration["provider_subject"]
        issued = project.oauth_provider_tokens.find(oauth_provider.value, subject)
        if issued is not None:
            found.append((subject, _fresh(project, issued)))
    if not found:
        raise member_oauth_token_not_found()
    now = project.now()
    if oauth_provider in TENANT_PROVIDERS:
        return {
            "provider_type": provider_type,
            "registrations": [_registration(oauth_provider, s, t, now) for s, t in found],
        }
    subject, issued = found[-1]
    fields: dict[str, Any] = {
        "provider_type": provider_type,
        "provider_subject": subject,
        "id_token": issued.id_token or "",
        "scopes": issued.scopes,
        "access_token": issued.access_token,
        "access_token_expires_in": _expires_in(issued, now),
    }
    if include_refresh_token:
        fields["refresh_token"] = issued.refresh_token
    return fields


def _fresh(project: Project, issued: ProviderTokens) -> ProviderTokens:
    now = project.now()
    if now >= issued.access_token_expires_at and issued.refresh_token:
        prefix = issued.access_token.rsplit("-", 1)[0]
        issued.access_token = f"{prefix}-{magic_token()}"
        issued.access_token_expires_at = now + timedelta(seconds=ACCESS_TOKEN_SECONDS)
    return issued


def _expires_in(issued: ProviderTokens, now: datetime) -> int:
    return max(0, int((issued.access_token_expires_at - now).total_seconds()))


def _registration(
    oauth_provider: OAuthProvider, subject: str, issued: ProviderTokens, now: datetime
) -> dict[str, Any]:
    """``SlackProviderInfo``, ``HubspotProviderInfo`` or ``GithubProviderInfo``."""
    entry: dict[str, Any] = {
        "provider_subject": subject,
        "access_token": issued.access_token,
        "scopes": issued.scopes,
    }
    if oauth_provider is OAuthProvider.GITHUB:
        entry["provider_tenant_ids"] = issued.tenant_ids
        return entry
    entry["provider_tenant_id"] = issued.tenant_ids[0] if issued.tenant_ids else ""
    if oauth_provider is OAuthProvider.SLACK:
        # [chosen] the mock issues no separate bot token: the user token stands in for it.
        entry["bot_access_token"] = issued.access_token
        entry["bot_scopes"] = []
    else:
        entry["access_token_expires_in"] = _expires_in(issued, now)
        entry["refresh_token"] = issued.refresh_token
    return entry
