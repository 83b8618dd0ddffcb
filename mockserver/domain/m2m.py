"""M2M (machine-to-machine): clients (``/v1/m2m/clients...``) and their access tokens
(``POST /v1/public/{project_id}/oauth2/token``, the OAuth 2.0 client-credentials grant).

Rules from the Python SDK (``stytch/consumer/api/m2m.py``, ``m2m_clients.py``,
``m2m_clients_secrets.py`` and their models; the B2B client exposes them as ``client.m2m``)
and https://stytch.com/docs/api/m2m-token: a client's secret is shown once (at creation, or as
``next_client_secret`` when a rotation starts); during a rotation both secrets work; access
tokens are RS256 JWTs signed with the project's key (the one its JWKS serves), valid for an
hour, with ``sub`` the client id and ``scope`` the granted scopes; deactivating or deleting a
client stops new tokens only. Choices where Stytch is silent are marked [chosen] and listed in
the README's fidelity notes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from .. import errors
from ..errors import StytchError
from ..ids import new_id
from .keys import SessionJWT
from .project import Project
from .search import page, query_predicate
from .stores.m2m import M2MClient

TOKEN_LIFETIME = timedelta(hours=1)
STATUSES = ("active", "inactive")
# A scope is one word: the token endpoint's ``scope`` is a space-separated list.
_SCOPE = re.compile(r"\S+")
_MIN_SECRET_LENGTH = 8


# --- errors (types from Stytch's StytchAPIErrorType list, stytchauth/stytch-browser) ----------
# [chosen] statuses: not found 404, the rest 400 (Stytch publishes none of them).


def m2m_client_not_found() -> StytchError:
    return StytchError(404, "m2m_client_not_found", "M2M client could not be found.")


def _bad(error_type: str, message: str) -> StytchError:
    return StytchError(400, error_type, message)


# --- clients -------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    # [chosen] Stytch publishes no format: 48 URL-safe characters.
    return secrets.token_urlsafe(36)


def _check_scopes(scopes: Any) -> list[str]:
    if not isinstance(scopes, list) or not all(
        isinstance(s, str) and _SCOPE.fullmatch(s) for s in scopes
    ):
        raise _bad(
            "invalid_m2m_client_scope",
            "scopes must be a list of scopes, each one word without spaces.",
        )
    return list(dict.fromkeys(scopes))


def _check_secret(secret: str) -> None:
    """An imported secret: at least 8 characters and hard to guess (the Python SDK's create
    docstring). [chosen] "Hard to guess" is zxcvbn's score of 3 or more, the mock's password
    rule."""
    if len(secret) < _MIN_SECRET_LENGTH or int(zxcvbn(secret[:72])["score"]) < 3:
        raise _bad(
            "insecure_m2m_client_secret",
            "client_secret must be at least 8 characters and hard to guess.",
        )


def get_client(project: Project, client_id: str) -> M2MClient:
    client = project.m2m_clients.find(client_id)
    if client is None:
        raise m2m_client_not_found()
    return client


def create_client(
    project: Project,
    *,
    scopes: list[str],
    client_id: str | None = None,
    client_secret: str | None = None,
    client_name: str | None = None,
    client_description: str | None = None,
    trusted_metadata: dict[str, Any] | None = None,
) -> tuple[M2MClient, str]:
    """``m2m.clients.create``: the client and its secret (shown only here). An imported
    ``client_id`` must be free; an imported secret must be strong enough."""
    checked = _check_scopes(scopes)
    if client_id is not None:
        if not client_id.strip() or any(c.isspace() for c in client_id):
            raise errors.invalid_argument("client_id", "client_id must be one word.")
        if client_id in project.m2m_clients:
            raise _bad("duplicate_m2m_client_id", "An M2M client with this client_id exists.")
    if client_secret is not None:
        _check_secret(client_secret)
    secret = client_secret if client_secret is not None else _new_secret()
    client = M2MClient(
        client_id=client_id or new_id("m2m-client", project.env),
        client_name=client_name or "",
        client_description=client_description or "",
        status="active",
        scopes=checked,
        client_secret_digest=_digest(secret),
        client_secret_last_four=secret[-4:],
        created_at=project.now(),
        trusted_metadata=dict(trusted_metadata or {}),
    )
    project.m2m_clients.add(client)
    return client, secret


def update_client(project: Project, client_id: str, changes: dict[str, Any]) -> M2MClient:
    """``m2m.clients.update``: the fields sent, checked first. Deactivating a client stops new
    tokens only (tokens already issued stay valid until they expire)."""
    client = get_client(project, client_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    if "status" in changes and changes["status"] not in STATUSES:
        raise _bad("invalid_m2m_client_status", "status must be active or inactive.")
    if "scopes" in changes:
        changes["scopes"] = _check_scopes(changes["scopes"])
    for name in ("client_name", "client_description", "status", "scopes", "trusted_metadata"):
        if name in changes:
            setattr(client, name, changes[name])
    return client


def delete_client(project: Project, client_id: str) -> str:
    project.m2m_clients.forget(get_client(project, client_id))
    return client_id


def search_clients(
    project: Project, *, query: dict[str, Any] | None, cursor: str | None, limit: int | None
) -> tuple[list[M2MClient], int, str | None]:
    """``m2m.clients.search``: operands ``client_id`` (a list), ``client_name`` (exact) and
    ``scopes`` (clients with any of the scopes), joined by ``AND`` or ``OR``; 100 a page by
    default, up to 1000."""
    filters = {
        "client_id": ("in", lambda c: [c.client_id]),
        "client_name": ("equals", lambda c: [c.client_name]),
        "scopes": ("in", lambda c: c.scopes),
    }
    match = query_predicate(query, "m2m_client", filters)
    return page([c for c in project.m2m_clients if match(c)], cursor, limit)


# --- secret rotation -----------------------------------------------------------------------


def rotate_start(project: Project, client_id: str) -> tuple[M2MClient, str]:
    client = get_client(project, client_id)
    if client.next_client_secret_digest:
        raise _bad(
            "m2m_client_already_rotating_secret", "The M2M client is already rotating its secret."
        )
    secret = _new_secret()
    client.next_client_secret_digest = _digest(secret)
    client.next_client_secret_last_four = secret[-4:]
    return client, secret


def _not_rotating() -> StytchError:
    return _bad("m2m_client_not_rotating_secret", "The M2M client is not rotating its secret.")


def rotate(project: Project, client_id: str) -> M2MClient:
    """The next secret becomes the secret; the old one stops working."""
    client = get_client(project, client_id)
    if not client.next_client_secret_digest or client.next_client_secret_last_four is None:
        raise _not_rotating()
    client.client_secret_digest = client.next_client_secret_digest
    client.client_secret_last_four = client.next_client_secret_last_four
    client.next_client_secret_digest = ""
    client.next_client_secret_last_four = None
    return client


def rotate_cancel(project: Project, client_id: str) -> M2MClient:
    client = get_client(project, client_id)
    if not client.next_client_secret_digest:
        raise _not_rotating()
    client.next_client_secret_digest = ""
    client.next_client_secret_last_four = None
    return client


# --- tokens --------------------------------------------------------------------------------


def _authenticate_client(project: Project, client_id: str, client_secret: str) -> M2MClient:
    """The active client with this secret (or its next one); 401 ``unauthorized_credentials``
    otherwise (an unknown client, a wrong secret and an inactive client look the same)."""
    client = project.m2m_clients.find(client_id)
    if client is None or client.status != "active":
        raise errors.unauthorized_credentials()
    digest = _digest(client_secret)
    if hmac.compare_digest(digest, client.client_secret_digest):
        return client
    if client.next_client_secret_digest and hmac.compare_digest(
        digest, client.next_client_secret_digest
    ):
        return client
    raise errors.unauthorized_credentials()


def token(
    project: Project,
    *,
    grant_type: str | None,
    client_id: str | None,
    client_secret: str | None,
    scope: str | None,
) -> tuple[SessionJWT, int]:
    """``m2m.token``: an access token (unsigned yet) for the client and its lifetime in
    seconds. ``scope`` (space-separated) narrows the grant to those of the client's scopes; no
    scope grants them all. [chosen] A scope the client lacks is ``400
    invalid_m2m_client_scope``."""
    if grant_type != "client_credentials":
        raise errors.invalid_argument("grant_type", "grant_type must be client_credentials.")
    if not client_id or not client_secret:
        raise errors.unauthorized_credentials()
    client = _authenticate_client(project, client_id, client_secret)
    granted = client.scopes
    if scope is not None and scope.strip():
        asked = list(dict.fromkeys(scope.split()))
        outside = [s for s in asked if s not in client.scopes]
        if outside:
            raise _bad(
                "invalid_m2m_client_scope",
                f"The M2M client does not have the scopes {', '.join(outside)}.",
            )
        granted = asked
    now = int(project.now().timestamp())
    lifetime = int(TOKEN_LIFETIME.total_seconds())
    claims = {
        "sub": client.client_id,
        "iss": f"stytch.com/{project.project_id}",
        "aud": [project.project_id],
        "scope": " ".join(granted),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return project.key.unsigned(claims), lifetime
