"""The SCIM 2.0 routes beyond what a SCIM client library sends on purpose: malformed and
refused requests over raw HTTP (each an RFC 7644 error, state unchanged), bearer tokens against
other connections and projects, a token's expiry on the project clock, Entra's PATCH forms, and
a SCIM connection with its users and groups through ``/_mock/state``.

The well-formed flows go through scim2-client in contracts/test_scim.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from stytch.core.response_base import StytchError

from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, FIXTURE_SECRET, StytchMock
from tests.conftest import TwoProjects
from tests.support import assert_sdk_error, basic, http, state_of

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class IdP:
    """Raw SCIM requests to one connection, as an IdP sends them."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.split("?", 1)[0]
        self.token = token

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        token: Any = ...,
    ) -> Any:
        token = self.token if token is ... else token
        headers = {"Content-Type": "application/scim+json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        return http(self.base_url + path, method, body=data, headers=headers)

    def create_user(self, email: str, **fields: Any) -> Any:
        resp = self.send(
            "POST",
            "/Users",
            {"schemas": [USER_SCHEMA], "userName": email, "emails": [{"value": email}], **fields},
        )
        assert resp.status == 201, resp.json
        return resp.json


def assert_scim_error(resp: Any, status: int, scim_type: str | None = None) -> None:
    """An RFC 7644 §3.12 error: the status, the Error schema, ``status`` as a string."""
    assert resp.status == status, resp.json
    content_type = {k.lower(): v for k, v in resp.headers.items()}["content-type"]
    assert content_type.startswith("application/scim+json"), content_type
    assert resp.json["schemas"] == [ERROR_SCHEMA], resp.json
    assert resp.json["status"] == str(status)
    assert resp.json.get("scimType") == scim_type, resp.json
    assert resp.json["detail"]


def connect(mock: StytchMock, **fields: Any) -> tuple[str, Any, IdP]:
    org = mock.client.organizations.create(organization_name="Acme").organization
    conn = mock.client.scim.connection.create(
        organization_id=org.organization_id, **fields
    ).connection
    return org.organization_id, conn, IdP(conn.base_url, conn.bearer_token)


@pytest.fixture
def scim(stytch_mock: StytchMock) -> tuple[str, Any, IdP]:
    return connect(stytch_mock)


# --- refused requests ----------------------------------------------------------------------


def test_a_bad_body_is_a_scim_error_and_changes_nothing(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP]
) -> None:
    _, _, idp = scim
    user = idp.create_user("ada@acme.com")
    before = state_of(stytch_mock)

    assert_scim_error(idp.send("POST", "/Users", raw=b"{not json"), 400, "invalidSyntax")
    assert_scim_error(idp.send("POST", "/Users", raw=b"[1, 2]"), 400, "invalidSyntax")
    assert_scim_error(idp.send("POST", "/Users", raw=b'{"userName": NaN}'), 400, "invalidSyntax")
    assert_scim_error(idp.send("POST", "/Users", {"schemas": [USER_SCHEMA]}), 400, "invalidValue")
    assert_scim_error(
        idp.send("POST", "/Users", {"schemas": [USER_SCHEMA], "userName": "ada@acme.com"}),
        409,
        "uniqueness",
    )
    assert_scim_error(
        idp.send("POST", "/Users", {"schemas": [USER_SCHEMA], "userName": 7}), 400, "invalidValue"
    )
    patch_path = f"/Users/{user['id']}"
    for operations in (
        [],
        [{"op": "frob", "path": "active", "value": False}],
        [{"op": "replace", "path": "id", "value": "member-test-x"}],
        [{"op": "replace", "path": "emails", "value": [{"value": "not an email"}]}],
        [{"op": "replace", "path": "userName", "value": ""}],
        [{"op": "remove", "path": "userName"}],
    ):
        body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
        resp = idp.send("PATCH", patch_path, body)
        assert resp.status == 400, (operations, resp.json)
        assert_scim_error(resp, 400, resp.json.get("scimType"))
    assert_scim_error(idp.send("GET", "/Users?filter=userName%20eq"), 400, "invalidFilter")
    assert_scim_error(idp.send("GET", "/Users?startIndex=x"), 400, "invalidValue")
    assert_scim_error(idp.send("GET", "/Users/member-test-nobody"), 404)
    assert_scim_error(idp.send("GET", "/Schemas/urn:nope"), 404)
    assert_scim_error(idp.send("GET", "/ResourceTypes/Nope"), 404)
    assert_scim_error(idp.send("DELETE", "/Groups/scim-group-test-nobody"), 404)
    assert_scim_error(
        idp.send(
            "POST",
            "/Groups",
            {"schemas": [GROUP_SCHEMA], "displayName": "G", "members": [{"value": "member-x"}]},
        ),
        400,
        "invalidValue",
    )

    assert state_of(stytch_mock) == before


def test_the_bearer_token_is_the_connections_and_nobody_elses(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP]
) -> None:
    _, conn, idp = scim
    _, _, other = connect(stytch_mock)

    for token in (None, "", "x" * 48, other.token, conn.bearer_token[:-1]):
        assert_scim_error(idp.send("GET", "/Users", token=token), 401)
    # Another connection's token does not open this one, nor does the project secret.
    resp = http(
        idp.base_url + "/Users",
        headers={"Authorization": basic(FIXTURE_PROJECT_ID, FIXTURE_SECRET)},
    )
    assert_scim_error(resp, 401)
    assert_scim_error(
        IdP(idp.base_url.replace(conn.connection_id, "nope"), idp.token).send("GET", "/Users"), 401
    )
    assert idp.send("GET", "/Users").json["totalResults"] == 0


def test_projects_never_see_each_others_connections(two_projects: TwoProjects) -> None:
    mock_a, mock_b = two_projects.a, two_projects.b
    org_a, conn_a, idp_a = connect(mock_a)
    idp_a.create_user("ada@acme.com")
    org_b, _, _ = connect(mock_b)

    with pytest.raises(StytchError) as caught:
        mock_b.client.scim.connection.get_groups(
            organization_id=org_a, connection_id=conn_a.connection_id
        )
    assert_sdk_error(caught, 404, "organization_not_found")
    with pytest.raises(StytchError) as caught:
        mock_b.client.scim.connection.delete(
            organization_id=org_b, connection_id=conn_a.connection_id
        )
    assert_sdk_error(caught, 404, "scim_connection_not_found")
    assert idp_a.send("GET", "/Users").json["totalResults"] == 1


def test_a_bearer_token_expires_on_the_project_clock(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP]
) -> None:
    _, conn, idp = scim
    lifetime = conn.bearer_token_expires_at - stytch_mock.now()
    assert timedelta(days=5 * 365 - 1) < lifetime <= timedelta(days=5 * 365)

    stytch_mock.advance_clock((lifetime - timedelta(seconds=1)).total_seconds())
    assert idp.send("GET", "/Users").status == 200
    stytch_mock.advance_clock(1)
    assert_scim_error(idp.send("GET", "/Users"), 401)


# --- what IdPs send ------------------------------------------------------------------------


def test_entra_style_patches_and_paging(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP]
) -> None:
    org_id, _, idp = scim
    ids = [idp.create_user(f"u{n}@acme.com")["id"] for n in range(3)]
    group = idp.send(
        "POST",
        "/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Eng", "externalId": "g-1"},
    ).json
    # Entra: capitalised ops, members added as a list and removed by value list.
    resp = idp.send(
        "PATCH",
        f"/Groups/{group['id']}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [
                {"op": "Add", "path": "members", "value": [{"value": i} for i in ids]},
                {"op": "Remove", "path": "members", "value": [{"value": ids[0]}]},
                {"op": "Replace", "path": "displayName", "value": "Engineering"},
            ],
        },
    )
    assert resp.status == 200, resp.json
    assert [m["value"] for m in resp.json["members"]] == ids[1:]
    assert resp.json["displayName"] == "Engineering"
    user = idp.send("GET", f"/Users/{ids[1]}").json
    assert [g["value"] for g in user["groups"]] == [group["id"]]
    # Entra deprovisions with a path-less replace of active.
    off = idp.send(
        "PATCH",
        f"/Users/{ids[2]}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "Replace", "path": "active", "value": False}],
        },
    )
    assert off.json["active"] is False
    member = stytch_mock.client.organizations.members.dangerously_get(
        member_id=ids[2], include_deleted=True
    ).member
    assert member.status == "deleted"

    page = idp.send("GET", "/Users?startIndex=2&count=1").json
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [r["id"] for r in page["Resources"]] == [ids[1]]
    inactive = idp.send("GET", "/Users?filter=active%20eq%20false").json
    assert [r["id"] for r in inactive["Resources"]] == [ids[2]]
    by_name = idp.send("GET", "/Groups?filter=displayName%20eq%20%22engineering%22").json
    assert [r["id"] for r in by_name["Resources"]] == [group["id"]]
    groups = stytch_mock.client.scim.connection.get_groups(
        organization_id=org_id, connection_id=member.scim_registration.connection_id, limit=1
    )
    assert [g.group_name for g in groups.scim_groups] == ["Engineering"]
    assert groups.next_cursor is None
    idp.send("POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Sales"})
    ids = dict(organization_id=org_id, connection_id=member.scim_registration.connection_id)
    first = stytch_mock.client.scim.connection.get_groups(**ids, limit=1)
    assert [g.group_name for g in first.scim_groups] == ["Engineering"] and first.next_cursor
    rest = stytch_mock.client.scim.connection.get_groups(**ids, cursor=first.next_cursor)
    assert ([g.group_name for g in rest.scim_groups], rest.next_cursor) == (["Sales"], None)


def test_deleting_the_organization_takes_its_connection(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP]
) -> None:
    org_id, _, idp = scim
    idp.create_user("ada@acme.com")
    stytch_mock.client.organizations.delete(organization_id=org_id)

    assert_scim_error(idp.send("GET", "/Users"), 401)
    state = state_of(stytch_mock)
    assert state["scim_connections"] == [] and state["scim_groups"] == []


# --- state ---------------------------------------------------------------------------------


def test_a_connection_with_users_and_groups_round_trips(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP], fresh: StytchMock
) -> None:
    org_id, conn, idp = scim
    user = idp.create_user("ada@acme.com")
    group = idp.send(
        "POST",
        "/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Admins", "members": [{"value": user["id"]}]},
    ).json
    stytch_mock.client.scim.connection.update(
        organization_id=org_id,
        connection_id=conn.connection_id,
        scim_group_implicit_role_assignments=[{"role_id": "stytch_admin", "group_id": group["id"]}],
    )
    saved = state_of(stytch_mock)
    assert saved["scim_connections"] and saved["scim_groups"]
    assert conn.bearer_token not in json.dumps(saved)  # only its digest is kept

    fresh.control("PUT", "_mock/state", {"state": saved})

    assert state_of(fresh) == saved
    base = idp.base_url.replace(stytch_mock.url.rstrip("/"), fresh.url.rstrip("/"))
    moved = IdP(base, conn.bearer_token)
    assert moved.send("GET", f"/Users/{user['id']}").json["userName"] == "ada@acme.com"
    member = fresh.client.organizations.members.get(
        organization_id=org_id, member_id=user["id"]
    ).member
    assert member.is_admin is True
    broken = json.loads(json.dumps(saved))
    broken["scim_groups"][0]["member_ids"] = ["member-test-nobody"]
    resp = http(
        fresh.url + "_mock/state",
        "PUT",
        body=json.dumps({"state": broken}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": basic(FIXTURE_PROJECT_ID, FIXTURE_SECRET),
        },
    )
    assert resp.status == 400 and "unknown member" in resp.json["error_message"]


def test_user_names_stay_unique_through_renames_and_lookups_ignore_case(
    stytch_mock: StytchMock, scim: tuple[str, Any, IdP]
) -> None:
    _, _, idp = scim
    ada = idp.create_user("ada@acme.com")
    renamed = idp.send(
        "PUT",
        f"/Users/{ada['id']}",
        {
            "schemas": [USER_SCHEMA],
            "userName": "ada.l@acme.com",
            "emails": [{"value": "ada@acme.com"}],
        },
    )
    assert renamed.status == 200, renamed.json

    # The old userName is free again, the new one is taken (in any case).
    bea = idp.create_user("ada@acme.com", emails=[{"value": "bea@acme.com"}])
    assert_scim_error(
        idp.send(
            "POST",
            "/Users",
            {
                "schemas": [USER_SCHEMA],
                "userName": "ADA.L@acme.com",
                "emails": [{"value": "c@acme.com"}],
            },
        ),
        409,
        "uniqueness",
    )
    found = idp.send("GET", "/Users?filter=userName%20eq%20%22ADA.L%40ACME.COM%22").json
    assert [r["id"] for r in found["Resources"]] == [ada["id"]]
    found = idp.send("GET", "/Users?filter=userName%20eq%20%22ada%40acme.com%22").json
    assert [r["id"] for r in found["Resources"]] == [bea["id"]]
    idp.send("DELETE", f"/Users/{bea['id']}")
    gone = idp.send("GET", "/Users?filter=userName%20eq%20%22ada%40acme.com%22").json
    assert gone["totalResults"] == 0
