// Member-session authorization through the Node SDK's `authorization` option, and the project
// RBAC policy as the SDK's local checks and the API both apply it.
//
// `{ authorization: { session_token } }` (or `session_jwt`) sends the logged-in Member's
// session with a call (X-Stytch-Member-Session / X-Stytch-Member-SessionJWT); Stytch then runs
// the call as that Member. Mock-only (members log in through the outbox; the policy comes from
// POST /_mock/seed): skipped on a remote target.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MOCK_ONLY,
  ClientError,
  client,
  control,
  joinAndLogIn,
  newClient,
  rejectsWith,
  signUpThroughDiscovery,
  unique,
} from "./helpers.mjs";

async function team() {
  const admin = await signUpThroughDiscovery(`${unique("admin")}@example.com`);
  const orgId = admin.organization.organization_id;
  const member = await joinAndLogIn(orgId, `${unique("member")}@example.com`);
  const revoked = await joinAndLogIn(orgId, `${unique("gone")}@example.com`);
  await client.sessions.revoke({ session_token: revoked.session_token });
  const outsider = await signUpThroughDiscovery(`${unique("outsider")}@example.com`);
  return { orgId, admin, member, revoked, outsider };
}

// One call of each operation that takes the `authorization` option, against organization
// `orgId`, as the Member whose session is `auth`.
const OPERATIONS = {
  "organizations.update": (orgId, auth) =>
    client.organizations.update({ organization_id: orgId, organization_name: "Renamed" }, auth),
  "organizations.members.create": (orgId, auth) =>
    client.organizations.members.create(
      { organization_id: orgId, email_address: `${unique("new")}@example.com` },
      auth,
    ),
  "organizations.members.update": async (orgId, auth) => {
    const { member } = await client.organizations.members.create({
      organization_id: orgId,
      email_address: `${unique("target")}@example.com`,
    });
    return client.organizations.members.update(
      { organization_id: orgId, member_id: member.member_id, roles: ["stytch_admin"] },
      auth,
    );
  },
  "organizations.members.search": (orgId, auth) =>
    client.organizations.members.search({ organization_ids: [orgId] }, auth),
  "magicLinks.email.invite": (orgId, auth) =>
    client.magicLinks.email.invite(
      { organization_id: orgId, email_address: `${unique("invitee")}@example.com` },
      auth,
    ),
  "organizations.members.delete": async (orgId, auth) => {
    const { member } = await client.organizations.members.create({
      organization_id: orgId,
      email_address: `${unique("target")}@example.com`,
    });
    return client.organizations.members.delete(
      { organization_id: orgId, member_id: member.member_id },
      auth,
    );
  },
  "sessions.revoke": async (orgId, auth) => {
    const { member } = await client.organizations.members.create({
      organization_id: orgId,
      email_address: `${unique("target")}@example.com`,
    });
    return client.sessions.revoke({ member_id: member.member_id }, auth);
  },
  "organizations.delete": (orgId, auth) =>
    client.organizations.delete({ organization_id: orgId }, auth),
};

const byToken = (session) => ({ authorization: { session_token: session.session_token } });
const byJwt = (session) => ({ authorization: { session_jwt: session.session_jwt } });

test("member sessions through the authorization option: admin allowed, others refused", { skip: MOCK_ONLY }, async () => {
  for (const [name, call] of Object.entries(OPERATIONS)) {
    const { orgId, admin, member, revoked, outsider } = await team();
    await rejectsWith(call(orgId, byJwt(member)), 403, "session_authorization_error");
    await rejectsWith(call(orgId, byToken(outsider)), 403, "session_authorization_tenancy_error");
    await rejectsWith(call(orgId, byToken(revoked)), 404, "session_not_found");
    const allowed = await call(orgId, name.endsWith("search") ? byJwt(admin) : byToken(admin));
    assert.equal(allowed.status_code, 200, name);
  }
  // Nothing the refused calls tried took effect: the organization kept its name.
  const { orgId, member } = await team();
  await rejectsWith(
    OPERATIONS["organizations.update"](orgId, byToken(member)),
    403,
    "session_authorization_error",
  );
  const { organization } = await client.organizations.get({ organization_id: orgId });
  assert.notEqual(organization.organization_name, "Renamed");
  // Without the option the project secret has full access.
  const bySecret = await client.organizations.update({
    organization_id: orgId,
    organization_name: "By secret",
  });
  assert.equal(bySecret.organization.organization_name, "By secret");
});

const POLICY = {
  resources: [
    { resource_id: "documents", description: "Shared documents", actions: ["read", "write"] },
  ],
  roles: [
    {
      role_id: "editor",
      description: "Edits documents",
      permissions: [{ resource_id: "documents", actions: ["read", "write"] }],
    },
    {
      role_id: "stytch_member",
      permissions: [
        { resource_id: "stytch.self", actions: ["*"] },
        { resource_id: "documents", actions: ["read"] },
      ],
    },
  ],
};

test("the local RBAC check and the API agree on a configured policy", { skip: MOCK_ONLY }, async () => {
  await control("POST", "_mock/seed", { rbac_policy: POLICY });
  const fresh = newClient(); // its policy cache starts empty, so it reads the seeded policy
  const { policy } = await fresh.rbac.policy();
  assert.deepEqual(
    policy.resources.find((r) => r.resource_id === "documents").actions,
    ["read", "write"],
  );

  const admin = await signUpThroughDiscovery(`${unique("admin")}@example.com`);
  const orgId = admin.organization.organization_id;
  await fresh.rbac.organizations.setOrgPolicy({
    organization_id: orgId,
    org_policy: {
      roles: [
        {
          role_id: "reviewer",
          description: "Reads documents",
          permissions: [{ resource_id: "documents", actions: ["read"] }],
        },
      ],
    },
  });
  const actors = {
    admin,
    member: await joinAndLogIn(orgId, `${unique("m")}@example.com`),
    editor: await joinAndLogIn(orgId, `${unique("e")}@example.com`, { roles: ["editor"] }),
    reviewer: await joinAndLogIn(orgId, `${unique("r")}@example.com`, { roles: ["reviewer"] }),
  };
  const table = [
    ["member", "documents", "read", ["stytch_member"]],
    ["member", "documents", "write", null],
    ["editor", "documents", "write", ["editor"]],
    ["editor", "documents", "read", ["stytch_member", "editor"]],
    ["reviewer", "documents", "read", ["stytch_member", "reviewer"]],
    ["reviewer", "documents", "write", null],
    ["admin", "stytch.organization", "update.info.name", ["stytch_admin"]],
    ["member", "stytch.organization", "update.info.name", null],
  ];
  for (const [who, resource_id, action, granting] of table) {
    const session = actors[who];
    const check = { organization_id: orgId, resource_id, action };
    const label = `${who} ${resource_id}:${action}`;
    if (granting === null) {
      await rejectsWith(
        fresh.sessions.authenticate({ session_token: session.session_token, authorization_check: check }),
        403,
        "session_authorization_error",
      );
      await assert.rejects(
        fresh.sessions.authenticateJwtLocal({ session_jwt: session.session_jwt, authorization_check: check }),
        (err) => err instanceof ClientError && err.code === "invalid_permissions",
        label,
      );
    } else {
      const remote = await fresh.sessions.authenticate({
        session_token: session.session_token,
        authorization_check: check,
      });
      assert.deepEqual(remote.verdict, { authorized: true, granting_roles: granting }, label);
      const local = await fresh.sessions.authenticateJwtLocal({
        session_jwt: session.session_jwt,
        authorization_check: check,
      });
      assert.equal(local.member_id, session.member.member_id, label);
    }
  }
});
