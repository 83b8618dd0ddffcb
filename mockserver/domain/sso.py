"""Enterprise SSO connections: SAML, OIDC and external (another organization's, shared).

Stytch's objects and endpoints are those of the Python SDK (``stytch/b2b/api/sso*.py``,
``stytch/b2b/models/sso*.py``); https://stytch.com/docs/api-reference/b2b/api/sso/saml-connection-object
and .../oidc-connection-object describe the connections. New SAML and OIDC connections are wired
to the mock's built-in identity provider (``mockserver.idp``) so they are ``active`` at once;
updates re-point them anywhere. The login is in :mod:`.sso_login`.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .. import errors
from ..errors import StytchError
from ..idp import certs, saml
from ..idp.provider import IdentityProvider
from ..ids import new_id, uuid_like
from . import rules
from .entities import Organization
from .project import Project
from .stores.sso import (
    Connection,
    ConnectionStatus,
    ExternalConnection,
    OIDCConnection,
    SAMLConnection,
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


def sso_bad_request(error_type: str, message: str) -> StytchError:
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


def idp_of(project: Project) -> IdentityProvider:
    return project.identity_provider.provider


def idp_certificate(project: Project) -> str:
    return idp_of(project).certificate_pem(project.now())


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
        raise sso_bad_request(
            "invalid_sso_idp",
            f"identity_provider must be one of {', '.join(sorted(IDENTITY_PROVIDERS))}.",
        )


def is_loopback(host: str | None) -> bool:
    return host in ("localhost", "127.0.0.1", "::1") or bool(host and host.endswith(".localhost"))


def _check_url(value: str, error_type: str, field_name: str, *, https: str | None = None) -> None:
    """An absolute http(s) URL; ``https`` names the error type when plain http is refused.
    [chosen] Plain http is accepted on loopback hosts, so the built-in IdP (and any IdP run
    locally) can be used; Stytch asks for https."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise sso_bad_request(error_type, f"{field_name} must be an absolute https:// URL.")
    if https is not None and parts.scheme == "http" and not is_loopback(parts.hostname):
        raise sso_bad_request(https, f"{field_name} must use https.")


def _certificate_entry(pem_text: str, now: datetime) -> dict[str, Any]:
    try:
        cert = certs.load_certificate(pem_text)
    except certs.BadCertificate:
        raise sso_bad_request(
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
            raise sso_bad_request(
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
            raise sso_bad_request(
                "saml_connection_attribute_mapping_missing_groups_key",
                "Group role assignments need a groups key in attribute_mapping.",
            )
        return
    if any(isinstance(v, dict | list) for v in mapping.values()):
        raise sso_bad_request(
            "saml_connection_no_nested_keys_in_attribute_mapping",
            "attribute_mapping values must be attribute names (strings).",
        )
    if not mapping.get("email"):
        raise sso_bad_request(
            "saml_connection_email_mapping_required", "attribute_mapping must map email."
        )
    if not mapping.get("full_name") and not (
        mapping.get("first_name") and mapping.get("last_name")
    ):
        raise sso_bad_request(
            "saml_connection_name_mapping_required",
            "attribute_mapping must map full_name, or first_name and last_name.",
        )
    if group_roles and not mapping.get("groups"):
        raise sso_bad_request(
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
    return project.organizations.get(organization_id)


def find_connection(project: Project, connection_id: str) -> Connection | None:
    return project.sso_connections.find(connection_id)


def get_connection(project: Project, org: Organization, connection_id: str, kind: str) -> Any:
    """The organization's connection of this kind, or its kind's not-found error."""
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
    for conn in project.sso_connections.of_organization(org.organization_id):
        if conn.status != ConnectionStatus.ACTIVE:
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
    return ConnectionStatus.ACTIVE if complete else ConnectionStatus.PENDING


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
    return ConnectionStatus.ACTIVE if complete else ConnectionStatus.PENDING


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
        status=ConnectionStatus.PENDING,
        acs_url=url,
        audience_uri=url,
        display_name=display_name or "",
        idp_entity_id=idp["idp_entity_id"],
        idp_sso_url=idp["idp_sso_url"],
        signing_certificates=[signing],
        verification_certificates=[_certificate_entry(idp_certificate(project), now)],
        identity_provider=identity_provider or "generic",
        attribute_mapping=dict(BUILT_IN_ATTRIBUTE_MAPPING),
        signing_private_key=key_pem,
    )
    conn.status = _saml_status(conn)
    project.sso_connections.add(conn)
    refresh_active_connections(project, org)
    return conn


def update_saml(
    project: Project, organization_id: str, connection_id: str, changes: dict[str, Any]
) -> SAMLConnection:
    """Partial update; everything is checked before anything changes."""
    org = _org(project, organization_id)
    conn: SAMLConnection = get_connection(project, org, connection_id, "saml")
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
                raise sso_bad_request(
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
            raise sso_bad_request(
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
    conn: SAMLConnection = get_connection(project, org, connection_id, "saml")
    built_in = built_in_saml(base_url, project.project_id)
    if metadata_url != built_in["metadata_url"]:
        raise sso_bad_request(
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
            "x509_certificate": idp_certificate(project),
        },
    )


def delete_verification_certificate(
    project: Project, organization_id: str, connection_id: str, certificate_id: str
) -> str:
    org = _org(project, organization_id)
    conn: SAMLConnection = get_connection(project, org, connection_id, "saml")
    kept = [c for c in conn.verification_certificates if c["certificate_id"] != certificate_id]
    if len(kept) == len(conn.verification_certificates):
        raise sso_verification_key_not_found()
    if not kept and conn.status == ConnectionStatus.ACTIVE:
        raise sso_bad_request(
            "cannot_delete_last_sso_verification_key",
            "An active connection keeps at least one verification certificate.",
        )
    conn.verification_certificates = kept
    return certificate_id


def delete_encryption_private_key(
    project: Project, organization_id: str, connection_id: str, private_key_id: str
) -> str:
    org = _org(project, organization_id)
    conn: SAMLConnection = get_connection(project, org, connection_id, "saml")
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
        status=ConnectionStatus.PENDING,
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
    project.sso_connections.add(conn)
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
    discovered: dict[str, str] | None = None,
    discovery_error: str | None = None,
) -> tuple[OIDCConnection, str | None]:
    """Partial update; ``warning`` when a new issuer's discovery document could not be read.

    A new issuer fills the four URLs from its discovery document (body values win), as Stytch
    does: ``discovered`` is that document's URLs when the HTTP layer could read it.
    [chosen] The mock reads discovery documents only on loopback hosts (the built-in IdP, or
    an IdP running locally), never the internet; other issuers get a ``warning``."""
    org = _org(project, organization_id)
    conn: OIDCConnection = get_connection(project, org, connection_id, "oidc")
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
        elif discovered is not None:
            changes = {**discovered, **changes}
        else:
            warning = (
                discovery_error
                or "The mock reads discovery documents only from loopback hosts, so "
                "authorization_url, token_url, userinfo_url and jwks_url were not inferred "
                "from the issuer."
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
    source_org = project.organizations.find(external_organization_id)
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
    if target.status != ConnectionStatus.ACTIVE:
        raise sso_bad_request(
            "external_connection_not_active", "The external connection is not active."
        )
    for conn in project.sso_connections.of_organization(org.organization_id):
        if (
            isinstance(conn, ExternalConnection)
            and conn.external_connection_id == target.connection_id
        ):
            raise sso_bad_request(
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
    project.sso_connections.add(conn)
    refresh_active_connections(project, org)
    return conn


def update_external(
    project: Project, organization_id: str, connection_id: str, changes: dict[str, Any]
) -> ExternalConnection:
    org = _org(project, organization_id)
    conn: ExternalConnection = get_connection(project, org, connection_id, "external")
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
    for conn in project.sso_connections.of_organization(org.organization_id):
        key = {"saml": "saml_connections", "oidc": "oidc_connections"}.get(
            conn.kind, "external_connections"
        )
        out[key].append(conn)
    return out


def discover_connections(project: Project, email_address: str) -> list[dict[str, str]]:
    """``sso.discoverConnections`` (a login page's call, no session): the active connections
    of the organizations where this email is a member; when there are none, those the email
    could be JIT provisioned through. [chosen] "Could JIT provision" is read as: an
    organization whose ``email_allowed_domains`` holds the email's domain and whose
    ``sso_jit_provisioning`` lets the connection in (``ALL_ALLOWED``, or ``RESTRICTED`` and the
    connection listed in ``sso_jit_provisioning_allowed_connections``). Organizations
    oldest first, their connections oldest first, each listed once."""
    email = rules.validate_email(email_address)
    orgs = project.organizations
    members_of = {m.organization_id for m in project.members.live_with_email(email)}
    candidates = [orgs.get_by_id(org_id) for org_id in members_of]
    found = [c for org in _oldest_first(candidates) for c in org.sso_active_connections]
    if not found:
        for org in _oldest_first(orgs.with_allowed_domain(rules.email_domain(email))):
            if org.sso_jit_provisioning == "NOT_ALLOWED":
                continue
            found += [
                c
                for c in org.sso_active_connections
                if org.sso_jit_provisioning == "ALL_ALLOWED"
                or c["connection_id"] in org.sso_jit_provisioning_allowed_connections
            ]
    return list({c["connection_id"]: c for c in found}.values())


def _oldest_first(orgs: list[Organization]) -> list[Organization]:
    return sorted(orgs, key=lambda o: (o.created_at, o.organization_id))


def check_default_connection(project: Project, org: Organization, connection_id: str) -> None:
    """``sso_default_connection_id`` on an organization update must name one of its
    connections."""
    conn = find_connection(project, connection_id)
    if conn is None or conn.organization_id != org.organization_id:
        raise sso_bad_request(
            "invalid_sso_default_connection_id",
            "sso_default_connection_id must be one of the organization's SSO connections.",
        )


def forget_organization(project: Project, organization_id: str) -> None:
    """An organization is deleted: its connections (and the built-in IdP's clients of its OIDC
    ones), and logins and tokens for it, go too."""
    for conn in project.sso_connections.forget_organization(organization_id):
        if isinstance(conn, OIDCConnection):
            idp_of(project).forget_client(conn.client_id, conn.redirect_url)
    project.sso_starts.forget_where(organization_id=organization_id)
    project.sso_tokens.forget_where(organization_id=organization_id)


def delete_connection(project: Project, organization_id: str, connection_id: str) -> str:
    org = _org(project, organization_id)
    conn = find_connection(project, connection_id)
    if conn is None or conn.organization_id != org.organization_id:
        raise sso_connection_not_found()
    if org.sso_default_connection_id == connection_id:
        raise sso_bad_request(
            "cannot_delete_default_sso_connection",
            "The organization's default SSO connection cannot be deleted: change "
            "sso_default_connection_id first.",
        )
    project.sso_connections.forget(conn)
    if isinstance(conn, OIDCConnection):
        idp_of(project).forget_client(conn.client_id, conn.redirect_url)
    project.sso_starts.forget_where(connection_id=connection_id)
    project.sso_tokens.forget_where(connection_id=connection_id)
    refresh_active_connections(project, org)
    return connection_id


def certs_body(pem_text: str) -> str:
    """A PEM certificate's base64 body on one line (how KeyInfo carries it)."""
    return "".join(
        line.strip() for line in pem_text.strip().splitlines() if not line.startswith("-----")
    )
