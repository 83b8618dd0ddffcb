"""Enterprise SSO: SAML, OIDC and external connections, and the SSO login.

Stytch's objects and endpoints are those of the Python SDK (``stytch/b2b/api/sso*.py``,
``stytch/b2b/models/sso*.py``); https://stytch.com/docs/api-reference/b2b/api/sso/saml-connection-object
and .../oidc-connection-object describe the connections. The login:

1. ``GET /v1/public/sso/start`` (:func:`start`) sends the browser to the connection's IdP
   (an OIDC authorization request, or a SAML AuthnRequest by the HTTP-Redirect binding);
2. the IdP answers at the connection's ``acs_url`` / ``redirect_url``: :func:`saml_acs`
   verifies the signed SAML Response, :func:`oidc_callback_start` and :func:`oidc_finish` do the
   relying party's part (the code exchange itself is HTTP, in ``http.sso_browser``);
3. either way the browser goes to ``login_redirect_url`` (the member exists) or
   ``signup_redirect_url`` with ``stytch_token_type=sso&token=…``;
4. ``POST /v1/b2b/sso/authenticate`` (:func:`authenticate`) spends the token: JIT provisioning,
   the member's SSO registration, attributes and roles, then the shared login step.

New SAML and OIDC connections are wired to the mock's built-in identity provider
(``mockserver.idp``) so they are ``active`` at once; updates re-point them anywhere.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt

from .. import errors
from ..errors import StytchError
from ..idp import certs, saml
from ..idp.provider import IdentityProvider
from ..ids import magic_token, new_id, uuid_like
from .entities import ACTIVE, INVITED, PENDING, AuthenticationFactor, Member, Organization
from .login import AuthResult, check_pkce, find_intermediate_session, log_in
from .organizations import add_member
from .project import Project
from .sessions import check_custom_claims, check_duration, find_session
from .sso_store import (
    Connection,
    ExternalConnection,
    OIDCConnection,
    SAMLConnection,
    SSOProfile,
    SSOStart,
    SSOStore,
    SSOToken,
)

# [chosen] Stytch does not publish the SSO token's lifetime: 10 minutes, single use.
SSO_TOKEN_MINUTES = 10
# How long a started login may take at the IdP.
START_MINUTES = 10
MAX_VERIFICATION_CERTIFICATES = 5
DEFAULT_OIDC_SCOPES = ("openid", "email", "profile")
EMAIL_NAMEID = saml.EMAIL_NAMEID

IDENTITY_PROVIDERS = frozenset(
    {
        "classlink",
        "cyberark",
        "duo",
        "generic",
        "google-workspace",
        "jumpcloud",
        "keycloak",
        "miniorange",
        "microsoft-entra",
        "okta",
        "onelogin",
        "pingfederate",
        "rippling",
        "salesforce",
        "shibboleth",
    }
)

# attribute_mapping keys with a meaning of their own; any other key is a custom attribute,
# copied into the member's trusted_metadata on every login (Stytch's SAML overview).
MAPPED_KEYS = frozenset({"email", "full_name", "first_name", "last_name", "groups"})

# ID token claims about the token itself, not the user (left out of sso_attributes).
TOKEN_CLAIMS = frozenset(
    {"iss", "aud", "iat", "exp", "nbf", "nonce", "at_hash", "azp", "auth_time"}
)

# The attribute mapping of a connection wired to the built-in IdP (its attribute names).
BUILT_IN_ATTRIBUTE_MAPPING = {"email": "email", "full_name": "name", "groups": "groups"}


# --- errors (types from Stytch's StytchAPIErrorType list, stytchauth/stytch-browser) --------
# [chosen] statuses: *_not_found 404, everything else 400 (Stytch publishes none of these).


def _e400(error_type: str, message: str) -> StytchError:
    return StytchError(400, error_type, message)


def saml_connection_not_found() -> StytchError:
    return StytchError(404, "saml_connection_not_found", "SAML connection could not be found.")


def oidc_connection_not_found() -> StytchError:
    return StytchError(404, "oidc_connection_not_found", "OIDC connection could not be found.")


def sso_connection_not_found() -> StytchError:
    return StytchError(404, "sso_connection_not_found", "SSO connection could not be found.")


def sso_token_not_found() -> StytchError:
    return StytchError(
        404,
        "sso_token_not_found",
        "The SSO token could not be found: it is unknown, already used or expired.",
    )


def sso_verification_key_not_found() -> StytchError:
    return StytchError(
        404, "sso_verification_key_not_found", "The verification certificate could not be found."
    )


def sso_encryption_private_key_not_found() -> StytchError:
    return StytchError(
        404,
        "sso_encryption_private_key_not_found",
        "The encryption private key could not be found.",
    )


def public_token_not_found() -> StytchError:
    return StytchError(404, "public_token_not_found", "The public token could not be found.")


def store(project: Project) -> SSOStore:
    return project.sso


def idp_of(project: Project) -> IdentityProvider:
    return project.idp


# --- the built-in IdP's addresses ------------------------------------------------------------


def idp_issuer(base_url: str, project_id: str) -> str:
    return f"{base_url}/_mock/idp/{project_id}"


def built_in_oidc(base_url: str, project_id: str) -> dict[str, str]:
    issuer = idp_issuer(base_url, project_id)
    return {
        "issuer": issuer,
        "authorization_url": f"{issuer}/oidc/authorize",
        "token_url": f"{issuer}/oidc/token",
        "userinfo_url": f"{issuer}/oidc/userinfo",
        "jwks_url": f"{issuer}/oidc/jwks",
    }


def built_in_saml(base_url: str, project_id: str) -> dict[str, str]:
    issuer = idp_issuer(base_url, project_id)
    return {
        "idp_entity_id": f"{issuer}/saml",
        "idp_sso_url": f"{issuer}/saml/sso",
        "metadata_url": f"{issuer}/saml/metadata",
    }


def callback_url(base_url: str, connection_id: str) -> str:
    """Both the SAML ACS URL / audience URI and the OIDC redirect URL (Stytch's form is
    ``https://test.stytch.com/v1/b2b/sso/callback/<connection_id>``, on the mock's own base)."""
    return f"{base_url}/v1/b2b/sso/callback/{connection_id}"


# --- validation ------------------------------------------------------------------------------


def _check_identity_provider(value: str | None) -> None:
    if value is not None and value != "" and value not in IDENTITY_PROVIDERS:
        raise _e400(
            "invalid_sso_idp",
            f"identity_provider must be one of {', '.join(sorted(IDENTITY_PROVIDERS))}.",
        )


def _is_loopback(host: str | None) -> bool:
    return host in ("localhost", "127.0.0.1", "::1") or bool(host and host.endswith(".localhost"))


def _check_url(value: str, error_type: str, field_name: str, *, https: str | None = None) -> None:
    """An absolute http(s) URL; ``https`` names the error type when plain http is refused.
    [chosen] Plain http is accepted on loopback hosts, so the built-in IdP (and any IdP run
    locally) can be used; Stytch asks for https."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _e400(error_type, f"{field_name} must be an absolute https:// URL.")
    if https is not None and parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise _e400(https, f"{field_name} must use https.")


def _certificate_entry(pem_text: str, now: datetime) -> dict[str, Any]:
    try:
        cert = certs.load_certificate(pem_text)
    except certs.BadCertificate:
        raise _e400(
            "invalid_x509_certificate", "x509_certificate is not a PEM-encoded X.509 certificate."
        ) from None
    not_before, not_after = certs.validity(cert)
    return {
        "certificate_id": new_id("certificate"),
        "certificate": certs.pem(cert),
        "issuer": certs.issuer_of(cert),
        "created_at": now,
        "expires_at": not_after,
        "updated_at": now,
    }


def _signing_entry(
    key_pem: str | None, connection_id: str, now: datetime
) -> tuple[dict[str, Any], str]:
    """A signing certificate (issuer "Stytch", 10 years) and the PEM of its key."""
    if key_pem is None:
        key = certs.shared_key()
    else:
        try:
            key = certs.load_rsa_private_key(key_pem)
        except certs.BadPrivateKey:
            raise _e400(
                "saml_signing_private_key_invalid",
                "signing_private_key is not a PEM-encoded RSA (PKCS#1) private key.",
            ) from None
    cert = certs.self_signed(key, connection_id, issuer="Stytch", now=now)
    _, not_after = certs.validity(cert)
    entry = {
        "certificate_id": new_id("certificate"),
        "certificate": certs.pem(cert),
        "issuer": "Stytch",
        "created_at": now,
        "expires_at": not_after,
        "updated_at": now,
    }
    return entry, certs.private_pem(key)


def _check_saml_mapping(mapping: dict[str, Any] | None, group_roles: list[dict[str, str]]) -> None:
    """Stytch's rules for a SAML attribute_mapping: ``email``, and ``full_name`` or
    ``first_name`` + ``last_name``; a ``groups`` key when groups grant roles."""
    if mapping is None:
        if group_roles:
            raise _e400(
                "saml_connection_attribute_mapping_missing_groups_key",
                "Group role assignments need a groups key in attribute_mapping.",
            )
        return
    if any(isinstance(v, dict | list) for v in mapping.values()):
        raise _e400(
            "saml_connection_no_nested_keys_in_attribute_mapping",
            "attribute_mapping values must be attribute names (strings).",
        )
    if not mapping.get("email"):
        raise _e400("saml_connection_email_mapping_required", "attribute_mapping must map email.")
    if not mapping.get("full_name") and not (
        mapping.get("first_name") and mapping.get("last_name")
    ):
        raise _e400(
            "saml_connection_name_mapping_required",
            "attribute_mapping must map full_name, or first_name and last_name.",
        )
    if group_roles and not mapping.get("groups"):
        raise _e400(
            "saml_connection_attribute_mapping_missing_groups_key",
            "Group role assignments need a groups key in attribute_mapping.",
        )


def _role_assignments(items: list[dict[str, Any]] | None, *, group: bool) -> list[dict[str, str]]:
    out = []
    for item in items or []:
        role_id = item.get("role_id")
        if not isinstance(role_id, str) or not role_id:
            raise errors.invalid_argument("role_id", "Each role assignment needs a role_id.")
        entry = {"role_id": role_id}
        if group:
            name = item.get("group")
            if not isinstance(name, str) or not name:
                raise errors.invalid_argument("group", "Each group role assignment needs a group.")
            entry["group"] = name
        out.append(entry)
    return out


# --- connections -----------------------------------------------------------------------------


def _org(project: Project, organization_id: str) -> Organization:
    return project.get_organization(organization_id)


def find_connection(project: Project, connection_id: str) -> Connection | None:
    return store(project).connections.get(connection_id)


def _connection(project: Project, org: Organization, connection_id: str, kind: str) -> Any:
    conn = find_connection(project, connection_id)
    if conn is None or conn.organization_id != org.organization_id or conn.kind != kind:
        raise {
            "saml": saml_connection_not_found,
            "oidc": oidc_connection_not_found,
            "external": sso_connection_not_found,
        }[kind]()
    return conn


def refresh_active_connections(project: Project, org: Organization) -> None:
    """The organization's ``sso_active_connections``: its active connections, oldest first."""
    active = []
    for conn in store(project).of_org(org.organization_id):
        if conn.status != ACTIVE:
            continue
        provider = conn.identity_provider if not isinstance(conn, ExternalConnection) else ""
        if isinstance(conn, ExternalConnection):
            target = find_connection(project, conn.external_connection_id)
            provider = getattr(target, "identity_provider", "") if target else ""
        active.append(
            {
                "connection_id": conn.connection_id,
                "display_name": conn.display_name,
                "identity_provider": provider,
            }
        )
    org.sso_active_connections = active


def _saml_status(conn: SAMLConnection) -> str:
    """Active once the IdP's entity id, SSO URL, a certificate and an attribute mapping are set."""
    complete = (
        conn.idp_entity_id
        and conn.idp_sso_url
        and conn.verification_certificates
        and conn.attribute_mapping
    )
    return ACTIVE if complete else PENDING


def _oidc_status(conn: OIDCConnection) -> str:
    complete = all(
        (
            conn.issuer,
            conn.client_id,
            conn.client_secret,
            conn.authorization_url,
            conn.token_url,
            conn.userinfo_url,
            conn.jwks_url,
        )
    )
    return ACTIVE if complete else PENDING


def create_saml(
    project: Project,
    base_url: str,
    organization_id: str,
    *,
    display_name: str | None,
    identity_provider: str | None,
) -> SAMLConnection:
    """A SAML connection wired to the built-in IdP (so ``active`` at once)."""
    org = _org(project, organization_id)
    _check_identity_provider(identity_provider)
    now = project.now()
    connection_id = new_id("saml-connection", project.env)
    signing, key_pem = _signing_entry(None, connection_id, now)
    idp = built_in_saml(base_url, project.project_id)
    url = callback_url(base_url, connection_id)
    conn = SAMLConnection(
        organization_id=org.organization_id,
        connection_id=connection_id,
        status=PENDING,
        acs_url=url,
        audience_uri=url,
        display_name=display_name or "",
        idp_entity_id=idp["idp_entity_id"],
        idp_sso_url=idp["idp_sso_url"],
        signing_certificates=[signing],
        verification_certificates=[_certificate_entry(idp_of(project).certificate_pem, now)],
        identity_provider=identity_provider or "generic",
        attribute_mapping=dict(BUILT_IN_ATTRIBUTE_MAPPING),
        signing_private_key=key_pem,
    )
    conn.status = _saml_status(conn)
    store(project).add(conn)
    refresh_active_connections(project, org)
    return conn


def update_saml(
    project: Project, organization_id: str, connection_id: str, changes: dict[str, Any]
) -> SAMLConnection:
    """Partial update; everything is checked before anything changes."""
    org = _org(project, organization_id)
    conn: SAMLConnection = _connection(project, org, connection_id, "saml")
    changes = {k: v for k, v in changes.items() if v is not None}
    now = project.now()
    _check_identity_provider(changes.get("identity_provider"))
    if "idp_sso_url" in changes:
        _check_url(
            changes["idp_sso_url"],
            "saml_connection_idp_sso_url_invalid_format",
            "idp_sso_url",
            https="saml_connection_idp_sso_url_not_https",
        )
    updates: dict[str, Any] = {}
    for name in (
        "idp_entity_id",
        "display_name",
        "idp_sso_url",
        "alternative_audience_uri",
        "identity_provider",
        "nameid_format",
        "alternative_acs_url",
        "idp_initiated_auth_disabled",
        "allow_gateway_callback",
    ):
        if name in changes:
            updates[name] = changes[name]
    if "attribute_mapping" in changes:
        updates["attribute_mapping"] = dict(changes["attribute_mapping"])
    if "saml_connection_implicit_role_assignments" in changes:
        updates["saml_connection_implicit_role_assignments"] = _role_assignments(
            changes["saml_connection_implicit_role_assignments"], group=False
        )
    if "saml_group_implicit_role_assignments" in changes:
        updates["saml_group_implicit_role_assignments"] = _role_assignments(
            changes["saml_group_implicit_role_assignments"], group=True
        )
    _check_saml_mapping(
        updates.get("attribute_mapping", conn.attribute_mapping),
        updates.get(
            "saml_group_implicit_role_assignments", conn.saml_group_implicit_role_assignments
        ),
    )
    verification = list(conn.verification_certificates)
    if "x509_certificate" in changes:
        entry = _certificate_entry(changes["x509_certificate"], now)
        if entry["certificate"] not in {c["certificate"] for c in verification}:
            if len(verification) >= MAX_VERIFICATION_CERTIFICATES:
                raise _e400(
                    "too_many_sso_verification_certificates",
                    f"A connection holds at most {MAX_VERIFICATION_CERTIFICATES} verification "
                    "certificates: delete one first.",
                )
            verification.append(entry)
    if "signing_private_key" in changes:
        signing, key_pem = _signing_entry(changes["signing_private_key"], conn.connection_id, now)
        updates["signing_certificates"] = [signing, *conn.signing_certificates]
        updates["signing_private_key"] = key_pem
    if "saml_encryption_private_key" in changes:
        try:
            certs.load_rsa_private_key(changes["saml_encryption_private_key"])
        except certs.BadPrivateKey:
            raise _e400(
                "saml_signing_private_key_invalid",
                "saml_encryption_private_key is not a PEM-encoded RSA (PKCS#1) private key.",
            ) from None
        updates["encryption_private_keys"] = [
            *conn.encryption_private_keys,
            {
                "private_key_id": new_id("saml-encryption-private-key", project.env),
                "private_key": changes["saml_encryption_private_key"].strip(),
                "created_at": now,
            },
        ]
    for name, value in updates.items():
        setattr(conn, name, value)
    conn.verification_certificates = verification
    conn.status = _saml_status(conn)
    refresh_active_connections(project, org)
    return conn


def update_saml_by_url(
    project: Project, base_url: str, organization_id: str, connection_id: str, metadata_url: str
) -> SAMLConnection:
    """[chosen] The mock reads no network: only the built-in IdP's own metadata URL is known
    (its entity id, SSO URL and certificate); any other URL is 400 invalid_saml_metadata_url."""
    org = _org(project, organization_id)
    conn: SAMLConnection = _connection(project, org, connection_id, "saml")
    built_in = built_in_saml(base_url, project.project_id)
    if metadata_url != built_in["metadata_url"]:
        raise _e400(
            "invalid_saml_metadata_url",
            "The mock cannot fetch metadata from other hosts; use the built-in IdP's metadata URL "
            f"({built_in['metadata_url']}) or set the fields with Update SAML Connection.",
        )
    return update_saml(
        project,
        org.organization_id,
        conn.connection_id,
        {
            "idp_entity_id": built_in["idp_entity_id"],
            "idp_sso_url": built_in["idp_sso_url"],
            "x509_certificate": idp_of(project).certificate_pem,
        },
    )


def delete_verification_certificate(
    project: Project, organization_id: str, connection_id: str, certificate_id: str
) -> str:
    org = _org(project, organization_id)
    conn: SAMLConnection = _connection(project, org, connection_id, "saml")
    kept = [c for c in conn.verification_certificates if c["certificate_id"] != certificate_id]
    if len(kept) == len(conn.verification_certificates):
        raise sso_verification_key_not_found()
    if not kept and conn.status == ACTIVE:
        raise _e400(
            "cannot_delete_last_sso_verification_key",
            "An active connection keeps at least one verification certificate.",
        )
    conn.verification_certificates = kept
    return certificate_id


def delete_encryption_private_key(
    project: Project, organization_id: str, connection_id: str, private_key_id: str
) -> str:
    org = _org(project, organization_id)
    conn: SAMLConnection = _connection(project, org, connection_id, "saml")
    kept = [k for k in conn.encryption_private_keys if k["private_key_id"] != private_key_id]
    if len(kept) == len(conn.encryption_private_keys):
        raise sso_encryption_private_key_not_found()
    conn.encryption_private_keys = kept
    return private_key_id


def create_oidc(
    project: Project,
    base_url: str,
    organization_id: str,
    *,
    display_name: str | None,
    identity_provider: str | None,
) -> OIDCConnection:
    """An OIDC connection wired to the built-in IdP: a client registered there, its issuer and
    four URLs filled in, so it is ``active`` at once."""
    org = _org(project, organization_id)
    _check_identity_provider(identity_provider)
    connection_id = new_id("oidc-connection", project.env)
    redirect = callback_url(base_url, connection_id)
    client_id = f"mock-idp-client-{uuid_like()}"
    client_secret = secrets.token_urlsafe(32)
    idp_of(project).register_client(client_id, client_secret, redirect)
    urls = built_in_oidc(base_url, project.project_id)
    conn = OIDCConnection(
        organization_id=org.organization_id,
        connection_id=connection_id,
        status=PENDING,
        redirect_url=redirect,
        display_name=display_name or "",
        client_id=client_id,
        client_secret=client_secret,
        identity_provider=identity_provider or "generic",
        issuer=urls["issuer"],
        authorization_url=urls["authorization_url"],
        token_url=urls["token_url"],
        userinfo_url=urls["userinfo_url"],
        jwks_url=urls["jwks_url"],
    )
    conn.status = _oidc_status(conn)
    store(project).add(conn)
    refresh_active_connections(project, org)
    return conn


OIDC_URL_FIELDS = {
    "issuer": "oidc_connection_issuer_url_invalid_format",
    "authorization_url": "oidc_connection_authorization_url_invalid_format",
    "token_url": "oidc_connection_token_url_invalid_format",
    "userinfo_url": "oidc_connection_userinfo_url_invalid_format",
    "jwks_url": "oidc_connection_jwks_url_invalid_format",
}


def update_oidc(
    project: Project,
    base_url: str,
    organization_id: str,
    connection_id: str,
    changes: dict[str, Any],
) -> tuple[OIDCConnection, str | None]:
    """Partial update; ``warning`` when a new issuer's discovery document could not be read.

    [chosen] The mock fetches no network: a new issuer that is the built-in IdP fills the four
    URLs (body values win); any other issuer leaves them as they are, with a ``warning``."""
    org = _org(project, organization_id)
    conn: OIDCConnection = _connection(project, org, connection_id, "oidc")
    changes = {k: v for k, v in changes.items() if v is not None}
    _check_identity_provider(changes.get("identity_provider"))
    for name, error_type in OIDC_URL_FIELDS.items():
        if changes.get(name):
            _check_url(changes[name], error_type, name)
    warning = None
    if "issuer" in changes and changes["issuer"] != conn.issuer:
        built_in = built_in_oidc(base_url, project.project_id)
        if changes["issuer"].rstrip("/") == built_in["issuer"]:
            changes = {**built_in, **changes}
        else:
            warning = (
                "The mock does not fetch discovery documents, so authorization_url, token_url, "
                "userinfo_url and jwks_url were not inferred from the issuer."
            )
    for name in (
        "display_name",
        "client_id",
        "client_secret",
        "issuer",
        "authorization_url",
        "token_url",
        "userinfo_url",
        "jwks_url",
        "identity_provider",
        "custom_scopes",
    ):
        if name in changes:
            setattr(conn, name, changes[name])
    if "attribute_mapping" in changes:
        conn.attribute_mapping = dict(changes["attribute_mapping"])
    conn.status = _oidc_status(conn)
    refresh_active_connections(project, org)
    return conn, warning


def create_external(
    project: Project,
    organization_id: str,
    *,
    external_organization_id: str,
    external_connection_id: str,
    display_name: str | None,
    connection_implicit_role_assignments: list[dict[str, Any]] | None,
    group_implicit_role_assignments: list[dict[str, Any]] | None,
) -> ExternalConnection:
    org = _org(project, organization_id)
    source_org = project.find_organization(external_organization_id)
    target = find_connection(project, external_connection_id)
    if (
        source_org is None
        or target is None
        or target.organization_id != source_org.organization_id
        or isinstance(target, ExternalConnection)
    ):
        raise StytchError(
            404, "external_connection_id_not_found", "The external connection could not be found."
        )
    if target.status != ACTIVE:
        raise _e400("external_connection_not_active", "The external connection is not active.")
    for conn in store(project).of_org(org.organization_id):
        if (
            isinstance(conn, ExternalConnection)
            and conn.external_connection_id == target.connection_id
        ):
            raise _e400(
                "duplicate_external_sso_connection",
                "This organization already has an external connection to that connection.",
            )
    conn = ExternalConnection(
        organization_id=org.organization_id,
        connection_id=new_id("external-connection", project.env),
        external_organization_id=source_org.organization_id,
        external_connection_id=target.connection_id,
        display_name=display_name or target.display_name,
        external_connection_implicit_role_assignments=_role_assignments(
            connection_implicit_role_assignments, group=False
        ),
        external_group_implicit_role_assignments=_role_assignments(
            group_implicit_role_assignments, group=True
        ),
    )
    store(project).add(conn)
    refresh_active_connections(project, org)
    return conn


def update_external(
    project: Project, organization_id: str, connection_id: str, changes: dict[str, Any]
) -> ExternalConnection:
    org = _org(project, organization_id)
    conn: ExternalConnection = _connection(project, org, connection_id, "external")
    implicit = changes.get("external_connection_implicit_role_assignments")
    groups = changes.get("external_group_implicit_role_assignments")
    new_implicit = _role_assignments(implicit, group=False) if implicit is not None else None
    new_groups = _role_assignments(groups, group=True) if groups is not None else None
    if changes.get("display_name") is not None:
        conn.display_name = changes["display_name"]
    if new_implicit is not None:
        conn.external_connection_implicit_role_assignments = new_implicit
    if new_groups is not None:
        conn.external_group_implicit_role_assignments = new_groups
    refresh_active_connections(project, org)
    return conn


def get_connections(project: Project, organization_id: str) -> dict[str, list[Connection]]:
    org = _org(project, organization_id)
    out: dict[str, list[Connection]] = {
        "saml_connections": [],
        "oidc_connections": [],
        "external_connections": [],
    }
    for conn in store(project).of_org(org.organization_id):
        key = {"saml": "saml_connections", "oidc": "oidc_connections"}.get(
            conn.kind, "external_connections"
        )
        out[key].append(conn)
    return out


def delete_connection(project: Project, organization_id: str, connection_id: str) -> str:
    org = _org(project, organization_id)
    conn = find_connection(project, connection_id)
    if conn is None or conn.organization_id != org.organization_id:
        raise sso_connection_not_found()
    if org.sso_default_connection_id == connection_id:
        raise _e400(
            "cannot_delete_default_sso_connection",
            "The organization's default SSO connection cannot be deleted: change "
            "sso_default_connection_id first.",
        )
    store(project).remove(conn)
    refresh_active_connections(project, org)
    return connection_id


# --- login: start ----------------------------------------------------------------------------


def _connection_for_start(
    project: Project, connection_id: str | None, organization_id: str | None
) -> Connection:
    if connection_id and organization_id:
        conn = find_connection(project, connection_id)
        org = project.find_organization(organization_id)
        if conn is None or org is None:
            raise sso_connection_not_found()
        if conn.organization_id != org.organization_id:
            raise _e400(
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
        raise _e400("missing_sso_connection_locator", "Pass connection_id or organization_id.")
    org = project.find_organization(organization_id)
    if org is None:
        raise errors.organization_not_found()
    if org.sso_default_connection_id:
        conn = find_connection(project, org.sso_default_connection_id)
        if conn is not None:
            return conn
    # [chosen] Without a default connection, an organization with exactly one active
    # connection uses it.
    active = [c for c in store(project).of_org(org.organization_id) if c.status == ACTIVE]
    if not active:
        raise _e400(
            "no_sso_connection_exists_for_organization",
            "The organization has no active SSO connection.",
        )
    if len(active) > 1:
        raise _e400(
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
        raise _e400(
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
    if conn.status != ACTIVE or idp_conn.status != ACTIVE:
        raise _e400(
            "requires_active_sso_connection",
            "The SSO connection is not active yet: finish its set-up first.",
        )
    login_url = _redirect_url(project, login_redirect_url, "login")
    signup_url = _redirect_url(project, signup_redirect_url, "signup")
    now = project.now()
    sso = store(project)
    sso.sweep(now)
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
    sso.starts[pending.state] = pending
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
            "code_challenge": _s256(pending.code_verifier),
            "code_challenge_method": "S256",
            **passthrough,
        }
        return _with_query(idp_conn.authorization_url, query)
    pending.saml_request_id = "_" + uuid_like().replace("-", "")
    request = saml.authn_request(
        request_id=pending.saml_request_id,
        acs_url=idp_conn.acs_url,
        destination=idp_conn.idp_sso_url,
        issuer=idp_conn.audience_uri,
        now=now,
    )
    return _with_query(
        idp_conn.idp_sso_url, {"SAMLRequest": request, "RelayState": pending.state, **passthrough}
    )


def _s256(verifier: str) -> str:
    import base64
    import hashlib

    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _with_query(url: str, query: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(query)


# --- login: the IdP's answer ----------------------------------------------------------------


def _callback_connection(project: Project, connection_id: str, kind: str) -> Any:
    conn = find_connection(project, connection_id)
    if conn is None or conn.kind != kind:
        raise {"saml": saml_connection_not_found, "oidc": oidc_connection_not_found}[kind]()
    if conn.status != ACTIVE:
        raise _e400("requires_active_sso_connection", "The SSO connection is not active.")
    return conn


def _take_start(project: Project, state: str | None) -> SSOStart | None:
    if not state:
        return None
    pending = store(project).starts.pop(state, None)
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


def _issue_token(
    project: Project,
    pending: SSOStart | None,
    idp_conn: Connection,
    profile: SSOProfile,
    delivery: str,
) -> str:
    """The SSO token, and the app URL the browser goes to with it."""
    if not profile.email:
        raise _e400(
            "invalid_saml_response_email"
            if delivery == "sso_saml"
            else "oidc_response_email_missing",
            "The identity provider sent no email address for the user.",
        )
    now = project.now()
    if pending is None:  # IdP-initiated: the connection's own organization, default URLs
        connection_id, organization_id = idp_conn.connection_id, idp_conn.organization_id
        login_url = signup_url = project.resolve_redirect_url(None)
        challenge = None
    else:
        connection_id, organization_id = pending.connection_id, pending.organization_id
        login_url, signup_url = pending.login_redirect_url, pending.signup_redirect_url
        challenge = pending.pkce_code_challenge
    sso = store(project)
    sso.sweep(now)
    token = SSOToken(
        token=magic_token(),
        organization_id=organization_id,
        connection_id=connection_id,
        delivery_method=delivery,
        profile=profile,
        pkce_code_challenge=challenge,
        expires_at=now + timedelta(minutes=SSO_TOKEN_MINUTES),
    )
    sso.tokens[token.token] = token
    existing = _existing_member(project, organization_id, connection_id, profile)
    target = login_url if existing is not None else signup_url
    return _with_query(target, {"stytch_token_type": "sso", "token": token.token})


def saml_acs(
    project: Project, connection_id: str, saml_response: str | None, relay_state: str | None
) -> str:
    """The Assertion Consumer Service: verify the IdP's POSTed Response, then the app's URL."""
    conn: SAMLConnection = _callback_connection(project, connection_id, "saml")
    if not saml_response:
        raise _e400("missing_saml_response", "The request carries no SAMLResponse.")
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
    sso = store(project)
    if assertion.assertion_id in sso.seen_assertions:
        raise _e400("duplicate_saml_response", "This SAML response was already used.")
    pending = _take_start(project, relay_state)
    if pending is not None and pending.idp_connection_id != conn.connection_id:
        pending = None
    if pending is None:
        if assertion.in_response_to:
            raise _e400(
                "unsolicited_saml_response",
                "The SAML response answers a request this connection did not send (or one "
                "that expired).",
            )
        if conn.idp_initiated_auth_disabled:
            raise _e400(
                "saml_idp_initiated_auth_disabled",
                "IdP-initiated login is disabled for this connection.",
            )
    elif assertion.in_response_to and assertion.in_response_to != pending.saml_request_id:
        raise _e400("unsolicited_saml_response", "InResponseTo does not match the request.")
    sso.seen_assertions[assertion.assertion_id] = now + saml.ASSERTION_LIFETIME
    profile = _profile(
        conn.attribute_mapping or {},
        assertion.attributes,
        assertion.name_id,
        name_id=assertion.name_id,
    )
    return _issue_token(project, pending, conn, profile, "sso_saml")


def _saml_error(exc: saml.SAMLError, saml_response: str, conn: SAMLConnection) -> StytchError:
    reason = exc.reason
    if reason == "signature":
        signer = saml.signing_certificate(saml_response)
        known = {certs_body(c["certificate"]) for c in conn.verification_certificates}
        if signer is not None and signer not in known:
            return _e400(
                "saml_certificate_mismatch",
                "The SAML response is signed with a certificate this connection does not hold.",
            )
        return _e400("invalid_signature_saml_response", str(exc))
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
    return _e400(error_type, str(exc))


def certs_body(pem_text: str) -> str:
    """A PEM certificate's base64 body on one line (how KeyInfo carries it)."""
    return "".join(
        line.strip() for line in pem_text.strip().splitlines() if not line.startswith("-----")
    )


def oidc_callback_start(
    project: Project, connection_id: str, state: str | None, error: str | None
) -> tuple[OIDCConnection, SSOStart]:
    """The OIDC callback's first step: its connection and the login it answers (single use)."""
    conn: OIDCConnection = _callback_connection(project, connection_id, "oidc")
    if not state:
        raise _e400("missing_oidc_state_param", "The callback carries no state parameter.")
    pending = _take_start(project, state)
    if pending is None or pending.idp_connection_id != conn.connection_id:
        raise _e400(
            "unsolicited_oidc_response",
            "The callback answers no login this connection started (or one that expired).",
        )
    if error:
        raise _e400("oidc_auth_code_error", f"The identity provider answered {error!r}.")
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
        raise _e400(
            "oidc_invalid_callback_request", f"The ID token does not verify: {exc}."
        ) from None
    if pending.nonce and claims.get("nonce") != pending.nonce:
        raise _e400("oidc_invalid_callback_request", "The ID token's nonce does not match.")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and project.clock.timestamp() >= exp:
        raise _e400("expired_oidc_response", "The ID token has expired.")
    if not claims.get("sub"):
        raise _e400("oidc_response_subject_missing", "The ID token has no subject.")
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
        raise _e400(
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


def _existing_member(
    project: Project, organization_id: str, connection_id: str, profile: SSOProfile
) -> Member | None:
    member_id = store(project).registrations.get((connection_id, profile.external_id))
    member = project.members.get(member_id) if member_id else None
    if (
        member is not None
        and member.status != "deleted"
        and member.organization_id == organization_id
    ):
        return member
    return project.member_in_org_by_email(organization_id, profile.email)


def _sso_roles(conn: Connection, groups: list[str]) -> list[dict[str, Any]]:
    """Role grants from the connection (Stytch's MemberRoleSource types sso_connection and
    sso_connection_group; for SAML and external connections, not OIDC)."""
    if isinstance(conn, SAMLConnection):
        implicit = conn.saml_connection_implicit_role_assignments
        by_group = conn.saml_group_implicit_role_assignments
    elif isinstance(conn, ExternalConnection):
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
    check_duration(session_duration_minutes)
    check_custom_claims(session_custom_claims)
    if session_token and session_jwt:
        raise errors.too_many_session_arguments()
    sso = store(project)
    token = sso.tokens.get(sso_token)
    if token is None or project.now() >= token.expires_at:
        sso.tokens.pop(sso_token, None)
        raise sso_token_not_found()
    check_pkce(token.pkce_code_challenge, pkce_code_verifier)
    org = project.get_organization(token.organization_id)
    conn = find_connection(project, token.connection_id)
    if conn is None:
        raise sso_connection_not_found()
    existing_session = None
    if session_token or session_jwt:
        existing_session = find_session(
            project, session_token=session_token, session_jwt=session_jwt
        )
    ist = (
        find_intermediate_session(project, intermediate_session_token)
        if intermediate_session_token
        else None
    )
    profile = token.profile
    member = _existing_member(project, org.organization_id, conn.connection_id, profile)
    if member is None:
        if org.sso_jit_provisioning == "NOT_ALLOWED" or (
            org.sso_jit_provisioning == "RESTRICTED"
            and conn.connection_id not in org.sso_jit_provisioning_allowed_connections
        ):
            raise _e400(
                "invalid_connection_for_jit_provisioning",
                "The organization does not allow JIT provisioning through this connection.",
            )
    # Every check passed: from here on the token is spent and state changes.
    del sso.tokens[sso_token]
    now = project.now()
    if member is None:
        # [chosen] A JIT-provisioned member's email counts as verified (Stytch does not say).
        member = add_member(
            project,
            org,
            profile.email,
            status=ACTIVE,
            name=profile.name or None,
            email_address_verified=True,
        )
    elif member.status in (PENDING, INVITED):
        member.status = "active"
    if profile.name:
        member.name = profile.name
    if profile.custom:
        member.trusted_metadata = {**member.trusted_metadata, **profile.custom}
    registration = next(
        (r for r in member.sso_registrations if r["connection_id"] == conn.connection_id), None
    )
    if registration is None:
        registration = {
            "connection_id": conn.connection_id,
            "external_id": profile.external_id,
            "registration_id": new_id("member-sso-registration", project.env),
        }
        member.sso_registrations.append(registration)
    else:
        sso.registrations.pop((conn.connection_id, registration["external_id"]), None)
        registration["external_id"] = profile.external_id
    registration["sso_attributes"] = dict(profile.attributes)
    sso.registrations[(conn.connection_id, profile.external_id)] = member.member_id
    member.sso_roles = [
        g for g in member.sso_roles if g["source"]["details"]["connection_id"] != conn.connection_id
    ] + _sso_roles(conn, profile.groups)
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
    # A session of another member is ignored (a new one is made).
    same_member_session = (
        existing_session.member_session_id
        if existing_session is not None and existing_session.member_id == member.member_id
        else None
    )
    return log_in(
        project,
        member,
        org,
        [*(ist.authentication_factors if ist else []), factor],
        duration_minutes=session_duration_minutes,
        custom_claims=session_custom_claims,
        existing_session_id=same_member_session,
        intermediate_session=ist,
    )
