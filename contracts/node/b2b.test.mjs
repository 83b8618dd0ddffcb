// Core Stytch B2B scenarios through the official Node SDK (npm `stytch`).
//
// Run: STYTCH_MOCK_URL=http://127.0.0.1:8080/ STYTCH_PROJECT_ID=... STYTCH_SECRET=... node --test
// (contracts/test_node_sdk.py does this from pytest against the in-process mock.)
//
// With STYTCH_CONTRACT_TARGET=stytch the scenarios run against a remote server as a black box
// (STYTCH_API_URL: Stytch's Test API, or a separately started stytch-mock): the ones that read
// the mock's outbox (GET /_mock/outbox) are skipped there, and every organization a scenario
// makes is deleted after the run, even when the scenario fails.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ClientError,
  MOCK_ONLY,
  client,
  joinAndLogIn,
  latestMessage,
  madeOrganizations,
  newClient,
  newOrganization,
  rejectsWith,
  signUpThroughDiscovery,
  unique,
} from "./helpers.mjs";


test("discovery sign-up of a new email ends in a session the JWT and the API both accept", { skip: MOCK_ONLY }, async () => {
  const email = `${unique("ada")}@example.com`;

  const sent = await client.magicLinks.email.discovery.send({ email_address: email });
  assert.equal(sent.status_code, 200);

  const message = await latestMessage(email);
  assert.equal(message.kind, "discovery");
  assert.ok(message.token);

  const discovered = await client.magicLinks.discovery.authenticate({
    discovery_magic_links_token: message.token,
  });
  assert.equal(discovered.email_address, email);
  assert.deepEqual(discovered.discovered_organizations, []);
  assert.ok(discovered.intermediate_session_token);

  const slug = unique("node-disco");
  const created = await client.discovery.organizations.create({
    intermediate_session_token: discovered.intermediate_session_token,
    organization_name: `Node ${slug}`,
    organization_slug: slug,
    session_duration_minutes: 60,
  });
  assert.equal(created.organization.organization_slug, slug);
  assert.equal(created.member.email_address, email);
  assert.equal(created.member.status, "active");
  assert.equal(created.member_authenticated, true);
  assert.ok(created.session_token);
  assert.ok(created.session_jwt);
  const memberId = created.member.member_id;
  const orgId = created.organization.organization_id;
  madeOrganizations.add(orgId);
  const sessionId = created.member_session.member_session_id;

  const authed = await client.sessions.authenticate({ session_token: created.session_token });
  assert.equal(authed.member_session.member_session_id, sessionId);
  assert.equal(authed.member.member_id, memberId);
  assert.equal(authed.organization.organization_id, orgId);

  // Verified locally against the mock's JWKS (no call to /sessions/authenticate).
  const local = await client.sessions.authenticateJwtLocal({ session_jwt: created.session_jwt });
  assert.equal(local.member_session_id, sessionId);
  assert.equal(local.member_id, memberId);
  assert.equal(local.organization_id, orgId);
  assert.equal(local.organization_slug, slug);

  const viaJwt = await client.sessions.authenticateJwt({ session_jwt: created.session_jwt });
  assert.equal(viaJwt.member_session.member_session_id, sessionId);

  // The discovery token is single use: a replay is refused (semantics: 401 for a used link).
  await rejectsWith(
    client.magicLinks.discovery.authenticate({ discovery_magic_links_token: message.token }),
    401,
    "unable_to_auth_magic_link",
  );

  const revoked = await client.sessions.revoke({ member_session_id: sessionId });
  assert.equal(revoked.status_code, 200);
  await rejectsWith(
    client.sessions.authenticate({ session_token: created.session_token }),
    404,
    "session_not_found",
  );
  await rejectsWith(
    client.sessions.authenticate({ session_jwt: created.session_jwt }),
    404,
    "session_not_found",
  );
});

test("local JWT authorization checks follow Stytch's default RBAC policy", { skip: MOCK_ONLY }, async () => {
  // The creator of an organization is stytch_admin; a member who logs in is stytch_member.
  const admin = await signUpThroughDiscovery(`${unique("root")}@example.com`);
  const orgId = admin.organization.organization_id;
  assert.ok(admin.member.roles.some((r) => r.role_id === "stytch_admin"));
  const manageMembers = { organization_id: orgId, resource_id: "stytch.member", action: "create" };

  // Local check: the SDK fetches the project's and the organization's policies from the mock.
  const local = await client.sessions.authenticateJwtLocal({
    session_jwt: admin.session_jwt,
    authorization_check: manageMembers,
  });
  assert.equal(local.member_id, admin.member.member_id);

  const member = await joinAndLogIn(orgId, `${unique("member")}@example.com`);
  assert.deepEqual(
    member.member.roles.map((r) => r.role_id),
    ["stytch_member"],
  );

  await assert.rejects(
    client.sessions.authenticateJwtLocal({
      session_jwt: member.session_jwt,
      authorization_check: manageMembers,
    }),
    (err) => err instanceof ClientError && err.code === "invalid_permissions",
  );
  const self = await client.sessions.authenticateJwtLocal({
    session_jwt: member.session_jwt,
    authorization_check: { organization_id: orgId, resource_id: "stytch.self", action: "update" },
  });
  assert.equal(self.member_id, member.member.member_id);

  // The API answers the same question with Stytch's 403.
  await rejectsWith(
    client.sessions.authenticate({
      session_token: member.session_token,
      authorization_check: manageMembers,
    }),
    403,
    "session_authorization_error",
  );
});

test("an organization can be created, read, updated, searched and deleted", async () => {
  const org = await newOrganization({ email_invites: "ALL_ALLOWED" });
  assert.match(org.organization_id, /^organization-test-/);
  assert.equal(org.email_invites, "ALL_ALLOWED");

  const got = await client.organizations.get({ organization_id: org.organization_id });
  assert.equal(got.organization.organization_slug, org.organization_slug);

  const updated = await client.organizations.update({
    organization_id: org.organization_id,
    organization_name: "Renamed by Node",
  });
  assert.equal(updated.organization.organization_name, "Renamed by Node");
  const reread = await client.organizations.get({ organization_id: org.organization_id });
  assert.equal(reread.organization.organization_name, "Renamed by Node");

  const found = await client.organizations.search({
    query: {
      operator: "AND",
      operands: [{ filter_name: "organization_slugs", filter_value: [org.organization_slug] }],
    },
  });
  assert.deepEqual(
    found.organizations.map((o) => o.organization_id),
    [org.organization_id],
  );
  assert.equal(found.results_metadata.total, 1);

  const deleted = await client.organizations.delete({ organization_id: org.organization_id });
  assert.equal(deleted.organization_id, org.organization_id);
  await rejectsWith(
    client.organizations.get({ organization_id: org.organization_id }),
    404,
    "organization_not_found",
  );
});

test("a duplicate organization slug is refused", async () => {
  const org = await newOrganization();
  await rejectsWith(
    client.organizations.create({
      organization_name: "Another",
      organization_slug: org.organization_slug,
    }),
    400,
    "organization_slug_already_used",
  );
  await client.organizations.delete({ organization_id: org.organization_id });
});

test("a member can be created, read, updated, searched and deleted", async () => {
  const org = await newOrganization();
  const email = `${unique("bob")}@example.com`;

  const created = await client.organizations.members.create({
    organization_id: org.organization_id,
    email_address: email,
    name: "Bob",
  });
  assert.equal(created.member.email_address, email);
  assert.equal(created.member.name, "Bob");
  assert.equal(created.member.status, "active");
  const memberId = created.member.member_id;
  assert.match(memberId, /^member-test-/);

  const got = await client.organizations.members.get({
    organization_id: org.organization_id,
    email_address: email,
  });
  assert.equal(got.member.member_id, memberId);

  const dangerously = await client.organizations.members.dangerouslyGet({ member_id: memberId });
  assert.equal(dangerously.member.email_address, email);

  const updated = await client.organizations.members.update({
    organization_id: org.organization_id,
    member_id: memberId,
    name: "Robert",
  });
  assert.equal(updated.member.name, "Robert");

  const found = await client.organizations.members.search({
    organization_ids: [org.organization_id],
  });
  assert.deepEqual(
    found.members.map((m) => m.member_id),
    [memberId],
  );

  await rejectsWith(
    client.organizations.members.create({
      organization_id: org.organization_id,
      email_address: email,
    }),
    400,
    "duplicate_member_email",
  );

  const deleted = await client.organizations.members.delete({
    organization_id: org.organization_id,
    member_id: memberId,
  });
  assert.equal(deleted.member_id, memberId);
  await rejectsWith(
    client.organizations.members.get({ organization_id: org.organization_id, email_address: email }),
    404,
    "member_not_found",
  );

  await client.organizations.delete({ organization_id: org.organization_id });
});

test("Stytch's sandbox magic-link token logs the sandbox member in", async () => {
  // https://stytch.com/docs/b2b/guides/testing/sandbox-values: works on Stytch's Test API
  // without an inbox, so this scenario runs on every target.
  const resp = await client.magicLinks.authenticate({
    magic_links_token: "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=",
    session_duration_minutes: 60,
  });
  assert.equal(resp.member.email_address, "sandbox@stytch.com");
  assert.equal(resp.organization_id, "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b");
  assert.ok(resp.session_token);
  const authed = await client.sessions.authenticate({ session_token: resp.session_token });
  assert.equal(authed.member.member_id, resp.member.member_id);
  await client.sessions.revoke({ session_token: resp.session_token });
  await rejectsWith(
    client.sessions.authenticate({ session_token: resp.session_token }),
    404,
    "session_not_found",
  );
});

test("wrong credentials are refused with Stytch's 401", async () => {
  const wrong = newClient("wrong-secret");
  await rejectsWith(wrong.organizations.search({}), 401, "unauthorized_credentials");
});
