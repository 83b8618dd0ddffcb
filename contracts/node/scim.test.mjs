// SCIM scenarios through the official Node SDK (npm `stytch`): the connection through
// `client.scim.connection`, and provisioning the way an identity provider does it, with SCIM 2.0
// requests (RFC 7644) to the connection's base_url and bearer token. Both run on any target
// (the IdP side needs only the connection's URL and token).

import assert from "node:assert/strict";
import { test } from "node:test";

import { client, newOrganization, rejectsWith, unique } from "./helpers.mjs";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// One SCIM request as an IdP sends it; the status and the JSON answer (if any).
async function scim(connection, token, method, path, body) {
  const response = await fetch(connection.base_url.split("?")[0] + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

test("a SCIM connection is created, read, rotated and deleted", async () => {
  const org = await newOrganization();
  const organization_id = org.organization_id;

  const { connection } = await client.scim.connection.create({
    organization_id,
    display_name: "Okta",
    identity_provider: "okta",
  });

  assert.match(connection.connection_id, /^scim-connection-test-/);
  assert.match(connection.bearer_token, /^[A-Za-z0-9]{48}$/);
  assert.ok(connection.base_url.endsWith(`/v1/b2b/scim/${connection.connection_id}`));
  await rejectsWith(
    client.scim.connection.create({ organization_id }),
    400,
    "active_scim_connection_exists",
  );
  const got = (await client.scim.connection.get({ organization_id })).connection;
  assert.equal(got.bearer_token_last_four, connection.bearer_token.slice(-4));
  assert.equal(got.bearer_token, undefined);

  const ids = { organization_id, connection_id: connection.connection_id };
  const next = (await client.scim.connection.rotateStart(ids)).connection.next_bearer_token;
  assert.equal((await scim(connection, next, "GET", "/Users")).status, 200);
  assert.equal((await scim(connection, connection.bearer_token, "GET", "/Users")).status, 200);
  const done = (await client.scim.connection.rotateComplete(ids)).connection;
  assert.equal(done.bearer_token_last_four, next.slice(-4));
  assert.equal((await scim(connection, connection.bearer_token, "GET", "/Users")).status, 401);
  await rejectsWith(
    client.scim.connection.rotateCancel(ids),
    400,
    "scim_connection_not_rotating_token",
  );

  assert.equal((await client.scim.connection.delete(ids)).connection_id, connection.connection_id);
  assert.equal((await client.scim.connection.get({ organization_id })).connection, undefined);
});

test("a user the IdP provisions into a group gets the group's role", async () => {
  const org = await newOrganization();
  const organization_id = org.organization_id;
  const { connection } = await client.scim.connection.create({ organization_id });
  const token = connection.bearer_token;
  const email = `${unique("ada")}@example.com`;

  const user = await scim(connection, token, "POST", "/Users", {
    schemas: [USER],
    userName: email,
    name: { givenName: "Ada", familyName: "Lovelace" },
    emails: [{ value: email, primary: true }],
    active: true,
  });
  assert.equal(user.status, 201);
  const group = await scim(connection, token, "POST", "/Groups", {
    schemas: [GROUP],
    displayName: "Admins",
  });
  assert.equal(group.status, 201);
  const added = await scim(connection, token, "PATCH", `/Groups/${group.body.id}`, {
    schemas: [PATCH],
    Operations: [{ op: "add", path: "members", value: [{ value: user.body.id }] }],
  });
  assert.deepEqual(added.body.members.map((m) => m.value), [user.body.id]);

  const ids = { organization_id, connection_id: connection.connection_id };
  const { scim_groups } = await client.scim.connection.getGroups(ids);
  assert.deepEqual(scim_groups.map((g) => [g.group_id, g.group_name]), [[group.body.id, "Admins"]]);
  await client.scim.connection.update({
    ...ids,
    scim_group_implicit_role_assignments: [{ role_id: "stytch_admin", group_id: group.body.id }],
  });

  const { member } = await client.organizations.members.get({
    organization_id,
    member_id: user.body.id,
  });
  assert.equal(member.name, "Ada Lovelace");
  assert.equal(member.is_admin, true);
  assert.equal(member.scim_registration.connection_id, connection.connection_id);
  const admin = member.roles.find((r) => r.role_id === "stytch_admin");
  assert.deepEqual(admin.sources, [
    {
      type: "scim_connection_group",
      details: { connection_id: connection.connection_id, group_id: group.body.id },
    },
  ]);

  const off = await scim(connection, token, "PATCH", `/Users/${user.body.id}`, {
    schemas: [PATCH],
    Operations: [{ op: "replace", value: { active: false } }],
  });
  assert.equal(off.body.active, false);
  await rejectsWith(
    client.organizations.members.get({ organization_id, member_id: user.body.id }),
    404,
    "member_not_found",
  );
});
