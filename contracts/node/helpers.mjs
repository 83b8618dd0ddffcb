// What the Node scenarios share: the mock's URL and credentials from the environment, a
// client for it, unique names, the mock's outbox, the refused-call assertion and logging in.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import stytch from "stytch";

export const { B2BClient, StytchError, ClientError } = stytch;

export const MOCK_URL = required("STYTCH_MOCK_URL").replace(/\/?$/, "/");
export const PROJECT_ID = required("STYTCH_PROJECT_ID");
export const SECRET = required("STYTCH_SECRET");
export const BASIC = "Basic " + Buffer.from(`${PROJECT_ID}:${SECRET}`).toString("base64");

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (the mock's URL and project credentials)`);
  return value;
}

export function newClient(secret = SECRET) {
  // `env` is how the SDK targets a custom host; it warns once that the value is custom.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return new B2BClient({ project_id: PROJECT_ID, secret, env: MOCK_URL });
  } finally {
    console.warn = warn;
  }
}

export const client = newClient();

export function unique(prefix) {
  return `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

export async function latestEmail(to) {
  const response = await fetch(`${MOCK_URL}_mock/outbox?to=${encodeURIComponent(to)}`, {
    headers: { Authorization: BASIC },
  });
  assert.equal(response.status, 200, `GET /_mock/outbox -> ${response.status}`);
  const { messages } = await response.json();
  assert.ok(messages.length > 0, `no email to ${to} in the mock's outbox`);
  return messages.at(-1);
}

// Awaits `promise`, expecting the SDK to throw Stytch's error with this status and type.
export async function rejectsWith(promise, status, errorType) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof StytchError, `expected a StytchError, got ${err}`);
    assert.equal(err.status_code, status);
    assert.equal(err.error_type, errorType);
    assert.match(err.request_id, /^request-id-test-/);
    return true;
  });
}

// A new organization through discovery, with `email` as its admin.
export async function signUpThroughDiscovery(email) {
  await client.magicLinks.email.discovery.send({ email_address: email });
  const { token } = await latestEmail(email);
  const { intermediate_session_token } = await client.magicLinks.discovery.authenticate({
    discovery_magic_links_token: token,
  });
  const slug = unique("node-rbac");
  return client.discovery.organizations.create({
    intermediate_session_token,
    organization_name: `Node ${slug}`,
    organization_slug: slug,
  });
}

// A new member of `orgId`, logged in through an organization magic link.
export async function joinAndLogIn(orgId, email, member = {}) {
  await client.organizations.members.create({ organization_id: orgId, email_address: email, ...member });
  await client.magicLinks.email.loginOrSignup({ organization_id: orgId, email_address: email });
  const link = await latestEmail(email);
  return client.magicLinks.authenticate({ magic_links_token: link.token, session_duration_minutes: 30 });
}
