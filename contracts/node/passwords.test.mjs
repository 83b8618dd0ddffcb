// B2B password scenarios through the official Node SDK (npm `stytch`), against the mock:
// strength, the reset email read from the mock's outbox, sign-in, a wrong password, migrate,
// and the cross-organization discovery sign-in. Run like b2b.test.mjs (same environment).

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import stytch from "stytch";

const { B2BClient, StytchError } = stytch;

const MOCK_URL = process.env.STYTCH_MOCK_URL.replace(/\/?$/, "/");
const BASIC =
  "Basic " +
  Buffer.from(`${process.env.STYTCH_PROJECT_ID}:${process.env.STYTCH_SECRET}`).toString("base64");
const STRONG = "correct horse battery staple 42";

const warn = console.warn;
console.warn = () => {}; // the SDK warns once that `env` is a custom host
const client = new B2BClient({
  project_id: process.env.STYTCH_PROJECT_ID,
  secret: process.env.STYTCH_SECRET,
  env: MOCK_URL,
});
console.warn = warn;

const unique = (prefix) => `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 10)}`;

async function control(method, path, body) {
  const response = await fetch(`${MOCK_URL}${path}`, {
    method,
    headers: { Authorization: BASIC, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${method} /${path} -> ${response.status}`);
  return response.json();
}

async function latestEmail(to) {
  const { messages } = await control("GET", `_mock/outbox?to=${encodeURIComponent(to)}`);
  assert.ok(messages.length > 0, `no email to ${to} in the mock's outbox`);
  return messages.at(-1);
}

async function rejectsWith(promise, status, errorType) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof StytchError, `expected a StytchError, got ${err}`);
    assert.equal(err.status_code, status);
    assert.equal(err.error_type, errorType);
    return true;
  });
}

async function orgWithMember() {
  const slug = unique("node-pw");
  const { organization } = await client.organizations.create({
    organization_name: `Node ${slug}`,
    organization_slug: slug,
  });
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

test("passwords: reset email, then sign-in; a wrong password is refused", async () => {
  const { organization, email } = await orgWithMember();
  const org = organization.organization_id;
  await client.passwords.email.resetStart({ organization_id: org, email_address: email });
  const message = await latestEmail(email);
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

test("passwords: discovery sign-in with cross-organization passwords", async () => {
  const { organization, email } = await orgWithMember();
  const org = organization.organization_id;
  await client.passwords.email.resetStart({ organization_id: org, email_address: email });
  await client.passwords.email.reset({
    password_reset_token: (await latestEmail(email)).token,
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
