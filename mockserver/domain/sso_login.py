"""The SSO login: start, the IdP's answer (SAML ACS, OIDC callback) and ``sso.authenticate``.

1. ``GET /v1/public/sso/start`` (:func:`start`) sends the browser to the connection's IdP
   (an OIDC authorization request, or a SAML AuthnRequest by the HTTP-Redirect binding);
2. the IdP answers at the connection's ``acs_url`` / ``redirect_url``: :func:`saml_acs`
   verifies the signed SAML Response; :func:`oidc_callback_start` and :func:`oidc_finish` do the
   relying party's part around the code exchange (HTTP, in ``http.sso_browser``);
3. either way the browser goes to ``login_redirect_url`` (the member exists) or
   ``signup_redirect_url`` with ``stytch_token_type=sso&token=…``
   (https://stytch.com/docs/api-reference/b2b/api/sso/shared/start-sso-authenticate);
4. ``POST /v1/b2b/sso/authenticate`` (:func:`authenticate`) spends the token: JIT provisioning,
   the member's SSO registration, attributes and roles, then the shared login step.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt

from .. import errors
from ..errors import StytchError
from ..idp import certs, saml
from ..ids import magic_token, new_id, uuid_like
from ..pkce import pkce_s256
from .entities import AuthenticationFactor, Member, MemberStatus
from .login import AuthResult, arrival, check_pkce, log_in_with, with_params
from .members import add_member, update_member
from .project import Project
from .sso import (
    DEFAULT_OIDC_SCOPES,
    MAPPED_KEYS,
    SSO_TOKEN_MINUTES,
    START_MINUTES,
    TOKEN_CLAIMS,
    certs_body,
    find_connection,
    oidc_connection_not_found,
    saml_connection_not_found,
    sso_bad_request,
    sso_connection_not_found,
    sso_token_not_found,
)
from .stores.sso import (
    Connection,
    ConnectionStatus,
    ExternalConnection,
    OIDCConnection,
    SAMLConnection,
    SSOProfile,
    SSOStart,
    SSOToken,
)

# --- login: start ----------------------------------------------------------------------------


def _connection_for_start(
    project: Project, connection_id: str | None, organization_id: str | None
) -> Connection:
    if connection_id and organization_id:
        conn = find_connection(project, connection_id)
        org = project.organizations.find(organization_id)
        if conn is None or org is None:
            raise sso_connection_not_found()
        if conn.organization_id != org.organization_id:
            raise sso_bad_request(
                "sso_connection_organization_mismatch",
                "The connection does not belong to that organization.",
            )
        return conn
    if connection_id:
        conn = find_connection(project, connection_id)
        if conn is None:
            raise sso_connection_not_found()
        return conn
    if not organization_id:
        raise sso_bad_request(
            "missing_sso_connection_locator", "Pass connection_id or organization_id."
        )
    org = project.organizations.find(organization_id)
    if org is None:
        raise errors.organization_not_found()
    if org.sso_default_connection_id:
        conn = find_connection(project, org.sso_default_connection_id)
        if conn is not None:
            return conn
    # Without a default, an organization's only active connection is used: the Python SDK's
    # organization update docstring calls the default "the default connection used for SSO
    # when there are multiple active connections".
    active = [
        c
        for c in project.sso_connections.of_organization(org.organization_id)
        if c.status == ConnectionStatus.ACTIVE
    ]
    if not active:
        raise sso_bad_request(
            "no_sso_connection_exists_for_organization",
            "The organization has no active SSO connection.",
        )
    if len(active) > 1:
        raise sso_bad_request(
            "indeterminate_sso_connection_for_organization",
            "The organization has several SSO connections and no default: pass connection_id.",
        )
    return active[0]


def _idp_connection(project: Project, conn: Connection) -> SAMLConnection | OIDCConnection:
    """The SAML/OIDC connection whose IdP serves ``conn`` (itself, or an external one's)."""
    if isinstance(conn, ExternalConnection):
        target = find_connection(project, conn.external_connection_id)
        if target is None or isinstance(target, ExternalConnection):
            raise sso_connection_not_found()
        return target
    return conn


def _redirect_url(project: Project, url: str | None, kind: str) -> str:
    try:
        return project.resolve_redirect_url(url)
    except StytchError:
        raise sso_bad_request(
            "no_match_for_provided_sso_url",
            f"{kind}_redirect_url is not one of the project's redirect URLs.",
        ) from None


def start(
    project: Project,
    *,
    connection_id: str | None,
    organization_id: str | None,
    login_redirect_url: str | None,
    signup_redirect_url: str | None,
    pkce_code_challenge: str | None,
    custom_scopes: str | None,
    passthrough: dict[str, str],
) -> str:
    """Where the browser goes next: the IdP's authorization URL or SAML SSO URL.
    ``passthrough`` (``login_hint`` and ``mock_*`` parameters) is forwarded to the IdP."""
    conn = _connection_for_start(project, connection_id, organization_id)
    idp_conn = _idp_connection(project, conn)
    if conn.status != ConnectionStatus.ACTIVE or idp_conn.status != ConnectionStatus.ACTIVE:
        raise sso_bad_request(
            "requires_active_sso_connection",
            "The SSO connection is not active yet: finish its set-up first.",
        )
    login_url = _redirect_url(project, login_redirect_url, "login")
    signup_url = _redirect_url(project, signup_redirect_url, "signup")
    now = project.now()
    pending = SSOStart(
        state=secrets.token_urlsafe(24),
        connection_id=conn.connection_id,
        idp_connection_id=idp_conn.connection_id,
        organization_id=conn.organization_id,
        login_redirect_url=login_url,
        signup_redirect_url=signup_url,
        pkce_code_challenge=pkce_code_challenge or None,
        expires_at=now + timedelta(minutes=START_MINUTES),
    )
    project.sso_starts.add(pending, now)
    if isinstance(idp_conn, OIDCConnection):
        pending.nonce = secrets.token_urlsafe(16)
        pending.code_verifier = secrets.token_urlsafe(48)
        scopes = list(DEFAULT_OIDC_SCOPES)
        # [chosen] The connection's custom_scopes and the start call's add to the default set
        # (Stytch's OIDC connection object page; the SDK's docstring says they replace it).
        for extra in (idp_conn.custom_scopes or "").split() + (custom_scopes or "").replace(
            "+", " "
        ).split():
            if extra not in scopes:
                scopes.append(extra)
        query = {
            "response_type": "code",
            "client_id": idp_conn.client_id,
            "redirect_uri": idp_conn.redirect_url,
            "scope": " ".join(scopes),
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pkce_s256(pending.code_verifier),
            "code_challenge_method": "S256",
            **passthrough,
        }
        return with_params(idp_conn.authorization_url, query)
    pending.saml_request_id = "_" + uuid_like().replace("-", "")
    request = saml.authn_request(
        request_id=pending.saml_request_id,
        acs_url=idp_conn.acs_url,
        destination=idp_conn.idp_sso_url,
        issuer=idp_conn.audience_uri,
        now=now,
    )
    # Stytch signs its AuthnRequests with the connection's newest signing key (its SAML
    # certificates page: https://stytch.com/docs/api-reference/b2b/api/scim/saml-certificates).
    key = (
        certs.load_rsa_private_key(idp_conn.signing_private_key)
        if idp_conn.signing_private_key
        else None
    )
    redirect = saml.redirect_query(request, pending.state, key)
    if passthrough:
        redirect += "&" + urlencode(passthrough)
    return idp_conn.idp_sso_url + ("&" if "?" in idp_conn.idp_sso_url else "?") + redirect


# --- login: the IdP's answer ----------------------------------------------------------------


def _get_callback_connection(project: Project, connection_id: str, kind: str) -> Any:
    conn = find_connection(project, connection_id)
    if conn is None or conn.kind != kind:
        raise {"saml": saml_connection_not_found, "oidc": oidc_connection_not_found}[kind]()
    if conn.status != ConnectionStatus.ACTIVE:
        raise sso_bad_request("requires_active_sso_connection", "The SSO connection is not active.")
    return conn


def _take_start(project: Project, state: str | None) -> SSOStart | None:
    if not state:
        return None
    pending = project.sso_starts.take(state, project.now())
    if pending is None or project.now() >= pending.expires_at:
        return None
    return pending


def _first(values: Any) -> str:
    if isinstance(values, list):
        return str(values[0]) if values else ""
    return "" if values is None else str(values)


def _profile(
    mapping: dict[str, Any], attributes: dict[str, Any], external_id: str, *, name_id: str = ""
) -> SSOProfile:
    def read(key: str) -> Any:
        source = mapping.get(key)
        if not source:
            return None
        if source == "NameID":
            return name_id
        return attributes.get(source)

    email = _first(read("email"))
    name = _first(read("full_name")) or " ".join(
        p for p in (_first(read("first_name")), _first(read("last_name"))) if p
    )
    raw_groups = read("groups")
    groups = (
        [str(g) for g in raw_groups]
        if isinstance(raw_groups, list)
        else ([str(raw_groups)] if raw_groups else [])
    )
    custom = {}
    for key in mapping:
        if key not in MAPPED_KEYS:
            value = read(key)
            if value is not None:
                custom[key] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return SSOProfile(
        external_id=external_id,
        email=email,
        name=name,
        groups=groups,
        custom=custom,
        attributes=dict(attributes),
    )


def _check_email(profile: SSOProfile, delivery: str) -> None:
    if not profile.email:
        raise sso_bad_request(
            "invalid_saml_response_email"
            if delivery == "sso_saml"
            else "oidc_response_email_missing",
            "The identity provider sent no email address for the user.",
        )


def _issue_token(
    project: Project,
    pending: SSOStart | None,
    idp_conn: Connection,
    profile: SSOProfile,
    delivery: str,
) -> str:
    """The SSO token, and the app URL the browser goes to with it."""
    _check_email(profile, delivery)
    now = project.now()
    if pending is None:  # IdP-initiated: the connection's own organization, default URLs
        connection_id, organization_id = idp_conn.connection_id, idp_conn.organization_id
        login_url = signup_url = project.resolve_redirect_url(None)
        challenge = None
    else:
        connection_id, organization_id = pending.connection_id, pending.organization_id
        login_url, signup_url = pending.login_redirect_url, pending.signup_redirect_url
        challenge = pending.pkce_code_challenge
    token = SSOToken(
        token=magic_token(),
        organization_id=organization_id,
        connection_id=connection_id,
        delivery_method=delivery,
        profile=profile,
        pkce_code_challenge=challenge,
        expires_at=now + timedelta(minutes=SSO_TOKEN_MINUTES),
    )
    project.sso_tokens.add(token, now)
    existing = _find_member(project, organization_id, connection_id, profile)
    target = login_url if existing is not None else signup_url
    return with_params(target, {"stytch_token_type": "sso", "token": token.token})


def saml_acs(
    project: Project, connection_id: str, saml_response: str | None, relay_state: str | None
) -> str:
    """The Assertion Consumer Service: verify the IdP's POSTed Response, then the app's URL."""
    conn: SAMLConnection = _get_callback_connection(project, connection_id, "saml")
    if not saml_response:
        raise sso_bad_request("missing_saml_response", "The request carries no SAMLResponse.")
    now = project.now()
    try:
        assertion = saml.verify_response(
            saml_response,
            certificates=[c["certificate"] for c in conn.verification_certificates],
            audiences=[u for u in (conn.audience_uri, conn.alternative_audience_uri) if u],
            destinations=[u for u in (conn.acs_url, conn.alternative_acs_url) if u],
            now=now,
        )
    except saml.SAMLError as exc:
        raise _saml_error(exc, saml_response, conn) from None
    if project.sso_connections.assertion_seen(assertion.assertion_id, now):
        raise sso_bad_request("duplicate_saml_response", "This SAML response was already used.")
    # Everything is checked before the login under way is spent (a refused post changes nothing).
    pending = project.sso_starts.find(relay_state, now) if relay_state else None
    if pending is not None and pending.idp_connection_id != conn.connection_id:
        pending = None
    if pending is None:
        if assertion.in_response_to:
            raise sso_bad_request(
                "unsolicited_saml_response",
                "The SAML response answers a request this connection did not send (or one "
                "that expired).",
            )
        if conn.idp_initiated_auth_disabled:
            raise sso_bad_request(
                "saml_idp_initiated_auth_disabled",
                "IdP-initiated login is disabled for this connection.",
            )
    elif assertion.in_response_to and assertion.in_response_to != pending.saml_request_id:
        raise sso_bad_request(
            "unsolicited_saml_response", "InResponseTo does not match the request."
        )
    profile = _profile(
        conn.attribute_mapping or {},
        assertion.attributes,
        assertion.name_id,
        name_id=assertion.name_id,
    )
    _check_email(profile, "sso_saml")
    project.sso_connections.remember_assertion(
        assertion.assertion_id, now + saml.ASSERTION_LIFETIME, now
    )
    if pending is not None:
        project.sso_starts.take(pending.state, now)
    return _issue_token(project, pending, conn, profile, "sso_saml")


def _saml_error(exc: saml.SAMLError, saml_response: str, conn: SAMLConnection) -> StytchError:
    reason = exc.reason
    if reason == "signature":
        signer = saml.signing_certificate(saml_response)
        known = {certs_body(c["certificate"]) for c in conn.verification_certificates}
        if signer is not None and signer not in known:
            return sso_bad_request(
                "saml_certificate_mismatch",
                "The SAML response is signed with a certificate this connection does not hold.",
            )
        return sso_bad_request("invalid_signature_saml_response", str(exc))
    error_type = {
        "malformed": "invalid_xml_saml_response",
        "status": "failed_saml_response",
        "destination": "invalid_saml_response",
        "audience": "invalid_audience_saml_response",
        "expired": "expired_saml_response",
        "not_yet_valid": "not_yet_valid_saml_response",
        "subject": "invalid_saml_response",
        "missing_signature": "missing_signature_saml_response",
    }.get(reason, "invalid_saml_response")
    return sso_bad_request(error_type, str(exc))


def oidc_callback_start(
    project: Project, connection_id: str, state: str | None, error: str | None
) -> tuple[OIDCConnection, SSOStart]:
    """The OIDC callback's first step: its connection and the login it answers (single use)."""
    conn: OIDCConnection = _get_callback_connection(project, connection_id, "oidc")
    if not state:
        raise sso_bad_request(
            "missing_oidc_state_param", "The callback carries no state parameter."
        )
    pending = _take_start(project, state)
    if pending is None or pending.idp_connection_id != conn.connection_id:
        raise sso_bad_request(
            "unsolicited_oidc_response",
            "The callback answers no login this connection started (or one that expired).",
        )
    if error:
        raise sso_bad_request("oidc_auth_code_error", f"The identity provider answered {error!r}.")
    return conn, pending


def verify_id_token(
    project: Project, conn: OIDCConnection, pending: SSOStart, id_token: str, jwks: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims after checking its signature against ``jwks`` (the IdP's JWKS),
    ``iss``, ``aud``, ``nonce`` and ``exp`` on the project's clock."""
    try:
        header = jwt.get_unverified_header(id_token)
        key_set = jwt.PyJWKSet.from_dict(jwks)
        kid = header.get("kid")
        keys = [k for k in key_set.keys if kid is None or k.key_id == kid]
        if not keys:
            raise jwt.InvalidTokenError("no key in the JWKS matches the ID token's kid")
        claims = jwt.decode(
            id_token,
            keys[0].key,
            algorithms=["RS256", "RS384", "RS512", "ES256"],
            audience=conn.client_id,
            issuer=conn.issuer,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise sso_bad_request(
            "oidc_invalid_callback_request", f"The ID token does not verify: {exc}."
        ) from None
    if pending.nonce and claims.get("nonce") != pending.nonce:
        raise sso_bad_request(
            "oidc_invalid_callback_request", "The ID token's nonce does not match."
        )
    exp = claims.get("exp")
    if isinstance(exp, int | float) and project.clock.timestamp() >= exp:
        raise sso_bad_request("expired_oidc_response", "The ID token has expired.")
    if not claims.get("sub"):
        raise sso_bad_request("oidc_response_subject_missing", "The ID token has no subject.")
    return claims


def oidc_finish(
    project: Project,
    conn: OIDCConnection,
    pending: SSOStart,
    claims: dict[str, Any],
    userinfo: dict[str, Any] | None,
) -> str:
    """The SSO token for a verified ID token (plus userinfo), and the app URL."""
    if userinfo is not None and userinfo.get("sub") not in (None, claims["sub"]):
        raise sso_bad_request(
            "oidc_response_subject_mismatch", "userinfo's subject differs from the ID token's."
        )
    attributes = {k: v for k, v in {**(userinfo or {}), **claims}.items() if k not in TOKEN_CLAIMS}
    mapping = {
        "email": "email",
        "full_name": "name",
        "first_name": "given_name",
        "last_name": "family_name",
        "groups": "groups",
    }
    mapping.update(conn.attribute_mapping or {})
    if "name" not in attributes and not (conn.attribute_mapping or {}).get("full_name"):
        mapping.pop("full_name")
    profile = _profile(mapping, attributes, str(claims["sub"]))
    return _issue_token(project, pending, conn, profile, "sso_oidc")


# --- login: authenticate -----------------------------------------------------------------------


def _find_member(
    project: Project, organization_id: str, connection_id: str, profile: SSOProfile
) -> Member | None:
    member_id = project.sso_connections.registered_member(connection_id, profile.external_id)
    member = project.members.find(member_id) if member_id else None
    if (
        member is not None
        and member.status != "deleted"
        and member.organization_id == organization_id
    ):
        return member
    return project.members.find_by_email(organization_id, profile.email)


def _sso_roles(conn: Connection, delivery: str, groups: list[str]) -> list[dict[str, Any]]:
    """Role grants from the connection (Stytch's MemberRoleSource types sso_connection and
    sso_connection_group): SAML connections, and external ones over a SAML connection (the
    Python SDK: not OIDC)."""
    if isinstance(conn, SAMLConnection):
        implicit = conn.saml_connection_implicit_role_assignments
        by_group = conn.saml_group_implicit_role_assignments
    elif isinstance(conn, ExternalConnection) and delivery == "sso_saml":
        implicit = conn.external_connection_implicit_role_assignments
        by_group = conn.external_group_implicit_role_assignments
    else:
        return []
    grants = [
        {
            "role_id": item["role_id"],
            "source": {"type": "sso_connection", "details": {"connection_id": conn.connection_id}},
        }
        for item in implicit
    ]
    held = set(groups)
    grants += [
        {
            "role_id": item["role_id"],
            "source": {
                "type": "sso_connection_group",
                "details": {"connection_id": conn.connection_id, "group": item["group"]},
            },
        }
        for item in by_group
        if item["group"] in held
    ]
    return grants


def authenticate(
    project: Project,
    *,
    sso_token: str,
    pkce_code_verifier: str | None,
    session_token: str | None,
    session_jwt: str | None,
    session_duration_minutes: int | None,
    session_custom_claims: dict[str, Any] | None,
    intermediate_session_token: str | None,
) -> AuthResult:
    came_with = arrival(
        project,
        session_token=session_token,
        session_jwt=session_jwt,
        session_duration_minutes=session_duration_minutes,
        session_custom_claims=session_custom_claims,
        intermediate_session_token=intermediate_session_token,
    )
    token = project.sso_tokens.find(sso_token, project.now())
    if token is None:
        raise sso_token_not_found()
    check_pkce(token.pkce_code_challenge, pkce_code_verifier)
    org = project.organizations.get(token.organization_id)
    conn = find_connection(project, token.connection_id)
    if conn is None:
        raise sso_connection_not_found()
    profile = token.profile
    member = _find_member(project, org.organization_id, conn.connection_id, profile)
    if member is None:
        if org.sso_jit_provisioning == "NOT_ALLOWED" or (
            org.sso_jit_provisioning == "RESTRICTED"
            and conn.connection_id not in org.sso_jit_provisioning_allowed_connections
        ):
            raise sso_bad_request(
                "invalid_connection_for_jit_provisioning",
                "The organization does not allow JIT provisioning through this connection.",
            )
    # The IdP reports another email for a registered user: the member's email changes and the
    # old one is retired (the Python SDK's sso_registrations / retired email text).
    new_email = (
        profile.email
        if member is not None and profile.email.lower() != member.email_address.lower()
        else None
    )
    if new_email is not None and project.members.find_by_email(org.organization_id, new_email):
        raise errors.duplicate_member_email()
    # Every check passed: from here on the token is spent and state changes.
    now = project.now()
    project.sso_tokens.take(sso_token, now)
    if member is None:
        # [chosen] A JIT-provisioned member's email counts as verified (Stytch does not say).
        member = add_member(
            project,
            org,
            profile.email,
            status=MemberStatus.ACTIVE,
            name=profile.name or None,
            email_address_verified=True,
        )
    else:
        if new_email is not None:
            update_member(
                project, org.organization_id, member.member_id, {"email_address": new_email}
            )
        if member.status in (MemberStatus.PENDING, MemberStatus.INVITED):
            member.status = MemberStatus.ACTIVE
    if profile.name:
        member.name = profile.name
    if profile.custom:
        member.trusted_metadata = {**member.trusted_metadata, **profile.custom}
    registration = next(
        (r for r in member.sso_registrations if r["connection_id"] == conn.connection_id), None
    )
    old_external_id = None
    if registration is None:
        registration = {
            "connection_id": conn.connection_id,
            "external_id": profile.external_id,
            "registration_id": new_id("member-sso-registration", project.env),
        }
        member.sso_registrations.append(registration)
    else:
        old_external_id = registration["external_id"]
        registration["external_id"] = profile.external_id
    registration["sso_attributes"] = dict(profile.attributes)
    project.sso_connections.register(
        conn.connection_id, profile.external_id, member.member_id, old_external_id
    )
    member.sso_roles = [
        g for g in member.sso_roles if g["source"]["details"]["connection_id"] != conn.connection_id
    ] + _sso_roles(conn, token.delivery_method, profile.groups)
    member.updated_at = now
    sub = {
        "id": registration["registration_id"],
        "provider_id": conn.connection_id,
        "external_id": profile.external_id,
    }
    factor = AuthenticationFactor(
        type="sso",
        delivery_method=token.delivery_method,
        created_at=now,
        last_authenticated_at=now,
        updated_at=now,
        saml_sso_factor=sub if token.delivery_method == "sso_saml" else None,
        oidc_sso_factor=sub if token.delivery_method == "sso_oidc" else None,
    )
    return log_in_with(project, member, org, factor, came_with)
