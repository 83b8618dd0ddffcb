// B2B password scenarios through the official Node SDK (npm `stytch`): strength, the reset
// email read from the mock's outbox, sign-in, a wrong password, migrate, and the
// cross-organization discovery sign-in. Run like b2b.test.mjs (same environment). On a remote
// target the strength check and migrate run black-box; the reset email (outbox) and the
// cross-organization policy (POST /_mock/password_policy) are mock-only.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MOCK_ONLY,
  client,
  control,
  latestMessage,
  newOrganization,
  rejectsWith,
  unique,
} from "./helpers.mjs";

const STRONG = "correct horse battery staple 42";

async function orgWithMember() {
  const organization = await newOrganization({}, "node-pw");
  const email = `${unique("ada")}@acme.co`;
  await client.organizations.members.create({
    organization_id: organization.organization_id,
    email_address: email,
  });
  return { organization, email };
}

test("passwords: strength check with zxcvbn feedback", async () => {
  const weak = await client.passwords.strengthCheck({ password: "password" });
  assert.equal(weak.valid_password, false);
  assert.equal(weak.breached_password, true);
  assert.equal(weak.strength_policy, "zxcvbn");
  assert.ok(weak.zxcvbn_feedback.warning.length > 0);
  const strong = await client.passwords.strengthCheck({ password: STRONG });
  assert.equal(strong.valid_password, true);
  assert.equal(strong.score, 4);
});

test("passwords: reset email, then sign-in; a wrong password is refused", { skip: MOCK_ONLY }, async () => {
  const { organization, email } = await orgWithMember();
  const org = organization.organization_id;
  await client.passwords.email.resetStart({ organization_id: org, email_address: email });
  const message = await latestMessage(email);
  assert.equal(message.kind, "reset_password");
  const link = new URL(message.link);
  assert.equal(link.searchParams.get("stytch_token_type"), "multi_tenant_passwords");
  const reset = await client.passwords.email.reset({
    password_reset_token: link.searchParams.get("token"),
    password: STRONG,
  });
  assert.equal(reset.member_authenticated, true);
  assert.ok(reset.member.member_password_id.startsWith("member-password-test-"));

  const signedIn = await client.passwords.authenticate({
    organization_id: org,
    email_address: email,
    password: STRONG,
  });
  assert.equal(signedIn.member_authenticated, true);
  assert.deepEqual(
    signedIn.member_session.authentication_factors.map((f) => [f.type, f.delivery_method]),
    [["password", "knowledge"]],
  );
  const viaJwt = await client.sessions.authenticateJwt({ session_jwt: signedIn.session_jwt });
  assert.equal(viaJwt.member_session.member_id, signedIn.member_id);
  await rejectsWith(
    client.passwords.authenticate({ organization_id: org, email_address: email, password: "nope" }),
    401,
    "unauthorized_credentials",
  );
});

test("passwords: migrate a bcrypt hash and sign in with it", async () => {
  const { organization } = await orgWithMember();
  const email = `${unique("migrated")}@acme.co`;
  const migrated = await client.passwords.migrate({
    organization_id: organization.organization_id,
    email_address: email,
    // crypt_blowfish's reference vector for the password "U*U"
    hash: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
    hash_type: "bcrypt",
  });
  assert.equal(migrated.member_created, true);
  assert.equal(migrated.member.email_address_verified, true);
  const signedIn = await client.passwords.authenticate({
    organization_id: organization.organization_id,
    email_address: email,
    password: "U*U",
  });
  assert.equal(signedIn.member_id, migrated.member_id);
  await rejectsWith(
    client.passwords.migrate({
      organization_id: organization.organization_id,
      email_address: `${unique("bad")}@acme.co`,
      hash: "abc",
      hash_type: "rot13",
    }),
    400,
    "invalid_hash_type",
  );
});

test("passwords: discovery sign-in with cross-organization passwords", { skip: MOCK_ONLY }, async () => {
  const { organization, email } = await orgWithMember();
  const org = organization.organization_id;
  await client.passwords.email.resetStart({ organization_id: org, email_address: email });
  await client.passwords.email.reset({
    password_reset_token: (await latestMessage(email)).token,
    password: STRONG,
  });
  await control("POST", "_mock/password_policy", { cross_org_passwords: true });
  try {
    const found = await client.passwords.discovery.authenticate({
      email_address: email,
      password: STRONG,
    });
    assert.equal(found.email_address, email);
    assert.deepEqual(
      found.discovered_organizations.map((d) => d.organization.organization_id),
      [org],
    );
    const joined = await client.discovery.intermediateSessions.exchange({
      intermediate_session_token: found.intermediate_session_token,
      organization_id: org,
    });
    assert.equal(joined.member_authenticated, true);
  } finally {
    await control("POST", "_mock/password_policy", { cross_org_passwords: false });
  }
});
