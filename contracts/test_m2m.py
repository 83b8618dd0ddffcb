"""M2M: clients (``client.m2m.clients``), their secrets (``client.m2m.clients.secrets``) and
access tokens (``client.m2m.token``), checked as a resource server checks them
(``client.m2m.authenticate_token``: the SDK verifies the JWT locally against the project's
JWKS and checks the scopes).

Stytch's behaviour: the Python SDK's ``stytch/consumer/api/m2m*.py`` docstrings and
https://stytch.com/docs/api/m2m-token (the secret shown once, both secrets valid during a
rotation, one-hour RS256 tokens with ``sub`` the client id and ``scope`` the granted scopes, a
deactivated client gets no new tokens but its issued ones stay valid). Every scenario runs on
both targets and deletes the clients it made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jwt as pyjwt
import pytest
import requests
from stytch.core.response_base import StytchError

from contracts.helpers import refused, search_query
from contracts.support import SDK, Target, unique


@pytest.fixture
def new_client(sdk: SDK) -> Iterator[Callable[..., Any]]:
    """``new_client(scopes=[...], **fields)`` -> (the created client, its secret); deleted
    afterwards."""
    made: list[str] = []

    def make(**fields: Any) -> tuple[Any, str]:
        fields.setdefault("client_name", unique("m2m"))
        created = sdk.m2m.clients.create(**fields).m2m_client
        made.append(created.client_id)
        return created, created.client_secret

    yield make
    for client_id in made:
        try:
            sdk.m2m.clients.delete(client_id=client_id)
        except StytchError:  # the scenario deleted it already
            pass


def test_a_client_shows_its_secret_once(
    sdk: SDK, target: Target, new_client: Callable[..., Any]
) -> None:
    client, secret = new_client(
        scopes=["read:users", "write:users"],
        client_description="Nightly sync",
        trusted_metadata={"team": "data"},
    )

    assert client.client_id.startswith("m2m-client-test-")
    assert (client.status, client.scopes) == ("active", ["read:users", "write:users"])
    assert client.client_secret_last_four == secret[-4:]
    got = sdk.m2m.clients.get(client_id=client.client_id).m2m_client
    assert (got.client_name, got.client_description) == (client.client_name, "Nightly sync")
    assert got.trusted_metadata == {"team": "data"}
    assert got.next_client_secret_last_four is None
    # On the wire, not through the SDK's model (which has no client_secret field to fill).
    raw = requests.get(
        f"{target.url.rstrip('/')}/v1/m2m/clients/{client.client_id}",
        auth=(target.project_id, target.secret),
        timeout=30,
    ).json()["m2m_client"]
    assert "client_secret" not in raw and raw["client_secret_last_four"] == secret[-4:]


def test_update_search_and_delete(sdk: SDK, new_client: Callable[..., Any]) -> None:
    name = unique("m2m")
    client, _ = new_client(scopes=["read:users"], client_name=name)
    other, _ = new_client(scopes=["read:billing"])

    updated = sdk.m2m.clients.update(
        client_id=client.client_id, scopes=["read:users", "read:audit"], client_description="v2"
    ).m2m_client
    assert (updated.scopes, updated.client_description) == (["read:users", "read:audit"], "v2")
    refused(
        sdk.m2m.clients.update,
        400,
        "invalid_m2m_client_status",
        client_id=client.client_id,
        status="paused",
    )

    by_name = sdk.m2m.clients.search(query=search_query(("client_name", name)))
    assert [c.client_id for c in by_name.m2m_clients] == [client.client_id]
    assert by_name.results_metadata.total == 1
    by_ids = sdk.m2m.clients.search(
        query=search_query(("client_id", [client.client_id, other.client_id]))
    )
    assert {c.client_id for c in by_ids.m2m_clients} == {client.client_id, other.client_id}
    by_scope = sdk.m2m.clients.search(
        query=search_query(
            ("scopes", ["read:audit"]), ("client_id", [client.client_id, other.client_id])
        )
    )
    assert [c.client_id for c in by_scope.m2m_clients] == [client.client_id]

    assert sdk.m2m.clients.delete(client_id=client.client_id).client_id == client.client_id
    refused(sdk.m2m.clients.get, 404, "m2m_client_not_found", client_id=client.client_id)


def test_imported_ids_and_secrets(sdk: SDK, new_client: Callable[..., Any]) -> None:
    client_id = unique("imported-client")
    secret = "correct-horse-battery-staple-" + unique("s")
    client, shown = new_client(scopes=["read:users"], client_id=client_id, client_secret=secret)
    assert (client.client_id, shown, client.client_secret_last_four) == (
        client_id,
        secret,
        secret[-4:],
    )
    token = sdk.m2m.token(client_id=client_id, client_secret=secret).access_token
    assert pyjwt.decode(token, options={"verify_signature": False})["sub"] == client_id

    refused(
        sdk.m2m.clients.create,
        400,
        "duplicate_m2m_client_id",
        client_id=client_id,
        scopes=["read:users"],
    )
    refused(
        sdk.m2m.clients.create,
        400,
        "insecure_m2m_client_secret",
        client_id=unique("weak"),
        client_secret="password",
        scopes=["read:users"],
    )


def test_a_token_is_a_jwt_the_sdk_verifies_locally(
    sdk: SDK, target: Target, new_client: Callable[..., Any]
) -> None:
    client, secret = new_client(scopes=["read:users", "write:users", "read:billing"])

    resp = sdk.m2m.token(client_id=client.client_id, client_secret=secret)

    assert (resp.token_type, resp.expires_in) == ("bearer", 3600)
    header = pyjwt.get_unverified_header(resp.access_token)
    assert (header["alg"], header["typ"]) == ("RS256", "JWT")
    claims = pyjwt.decode(resp.access_token, options={"verify_signature": False})
    assert claims["sub"] == client.client_id
    assert claims["iss"] == f"stytch.com/{target.project_id}"
    assert claims["aud"] == [target.project_id]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["scope"].split() == ["read:users", "write:users", "read:billing"]
    checked = sdk.m2m.authenticate_token(
        access_token=resp.access_token, required_scopes=["read:users", "write:users"]
    )
    assert checked is not None
    assert (checked.client_id, checked.scopes) == (
        client.client_id,
        ["read:users", "write:users", "read:billing"],
    )

    narrow = sdk.m2m.token(client_id=client.client_id, client_secret=secret, scopes=["read:users"])
    assert sdk.m2m.authenticate_token(access_token=narrow.access_token).scopes == ["read:users"]
    assert (
        sdk.m2m.authenticate_token(
            access_token=narrow.access_token, required_scopes=["write:users"]
        )
        is None
    )
    refused(
        sdk.m2m.token,
        400,
        "invalid_m2m_client_scope",
        client_id=client.client_id,
        client_secret=secret,
        scopes=["delete:users"],
    )


def test_wrong_secrets_and_inactive_clients_get_no_token(
    sdk: SDK, new_client: Callable[..., Any]
) -> None:
    client, secret = new_client(scopes=["read:users"])
    issued = sdk.m2m.token(client_id=client.client_id, client_secret=secret).access_token

    refused(
        sdk.m2m.token,
        401,
        "unauthorized_credentials",
        client_id=client.client_id,
        client_secret="x" * 48,
    )
    refused(
        sdk.m2m.token,
        401,
        "unauthorized_credentials",
        client_id=unique("nobody"),
        client_secret=secret,
    )
    sdk.m2m.clients.update(client_id=client.client_id, status="inactive")
    refused(
        sdk.m2m.token,
        401,
        "unauthorized_credentials",
        client_id=client.client_id,
        client_secret=secret,
    )
    # Deactivation stops new tokens only.
    assert sdk.m2m.authenticate_token(access_token=issued).client_id == client.client_id


def test_rotation_keeps_both_secrets_valid_until_it_completes(
    sdk: SDK, new_client: Callable[..., Any]
) -> None:
    client, old = new_client(scopes=["read:users"])
    ids = dict(client_id=client.client_id)
    refused(sdk.m2m.clients.secrets.rotate, 400, "m2m_client_not_rotating_secret", **ids)
    refused(sdk.m2m.clients.secrets.rotate_cancel, 400, "m2m_client_not_rotating_secret", **ids)

    started = sdk.m2m.clients.secrets.rotate_start(**ids).m2m_client
    new = started.next_client_secret
    assert new != old and started.next_client_secret_last_four == new[-4:]
    refused(sdk.m2m.clients.secrets.rotate_start, 400, "m2m_client_already_rotating_secret", **ids)
    for secret in (old, new):
        assert sdk.m2m.token(client_id=client.client_id, client_secret=secret).access_token

    done = sdk.m2m.clients.secrets.rotate(**ids).m2m_client
    assert (done.client_secret_last_four, done.next_client_secret_last_four) == (new[-4:], None)
    refused(
        sdk.m2m.token,
        401,
        "unauthorized_credentials",
        client_id=client.client_id,
        client_secret=old,
    )

    pending = sdk.m2m.clients.secrets.rotate_start(**ids).m2m_client.next_client_secret
    cancelled = sdk.m2m.clients.secrets.rotate_cancel(**ids).m2m_client
    assert cancelled.next_client_secret_last_four is None
    refused(
        sdk.m2m.token,
        401,
        "unauthorized_credentials",
        client_id=client.client_id,
        client_secret=pending,
    )
    assert sdk.m2m.token(client_id=client.client_id, client_secret=new).access_token
