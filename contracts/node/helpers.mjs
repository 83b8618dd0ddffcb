// What the Node scenarios share: the target's URL and credentials from the environment, a
// client for it, unique names, the mock's control API (outbox, public token), the refused-call
// assertion, logging in, and the cleanup of what a run made.
//
// With STYTCH_CONTRACT_TARGET=stytch the target is a remote server, a black box
// (STYTCH_API_URL: Stytch's Test API, or a separately started stytch-mock): scenarios that read
// the mock's outbox, call its control API (/_mock/...) or need one of its fixtures (TOTP codes,
// the OAuth provider page, the built-in identity provider) skip themselves there
// ({ skip: MOCK_ONLY }).

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after } from "node:test";

import stytch from "stytch";

export const { B2BClient, StytchError, ClientError } = stytch;

export const REMOTE = process.env.STYTCH_CONTRACT_TARGET === "stytch";
export const MOCK_ONLY =
  REMOTE &&
  "mock-only: needs the mock's outbox, its /_mock control API or one of its fixtures " +
    "(a black-box server such as Stytch has none)";
const STYTCH_TEST_URL = "https://test.stytch.com/";
export const MOCK_URL = (
  REMOTE ? process.env.STYTCH_API_URL || STYTCH_TEST_URL : required("STYTCH_MOCK_URL")
).replace(/\/?$/, "/");
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
    const env = MOCK_URL === STYTCH_TEST_URL ? stytch.envs.test : MOCK_URL;
    return new B2BClient({ project_id: PROJECT_ID, secret, env });
  } finally {
    console.warn = warn;
  }
}

export const client = newClient();

// Organizations the scenarios made, deleted after the run, even when a scenario failed (a real
// project keeps no leftovers).
export const madeOrganizations = new Set();
after(async () => {
  for (const organization_id of madeOrganizations) {
    await client.organizations.delete({ organization_id }).catch(() => {});
  }
});

export function unique(prefix) {
  return `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

// A call to the mock's control API (`path` like "_mock/outbox"), with the project's Basic auth;
// its JSON answer. Mock-only.
export async function control(method, path, body) {
  const response = await fetch(`${MOCK_URL}${path}`, {
    method,
    headers: { Authorization: BASIC, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${method} /${path} -> ${response.status}`);
  return response.json();
}

// The last email or SMS the mock sent to `to` (an address or a phone number), from its outbox.
export async function latestMessage(to) {
  const { messages } = await control("GET", `_mock/outbox?to=${encodeURIComponent(to)}`);
  assert.ok(messages.length > 0, `nothing sent to ${to} in the mock's outbox`);
  return messages.at(-1);
}

// The project's public token (for the public OAuth and SSO start URLs), from the mock.
export async function publicToken() {
  return (await control("GET", "_mock/project")).public_token;
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

// A new organization with a unique slug, deleted after the run.
export async function newOrganization(fields = {}, prefix = "node-org") {
  const slug = unique(prefix);
  const { organization } = await client.organizations.create({
    organization_name: `Node ${slug}`,
    organization_slug: slug,
    ...fields,
  });
  madeOrganizations.add(organization.organization_id);
  return organization;
}

// A new organization through discovery, with `email` as its admin.
export async function signUpThroughDiscovery(email) {
  await client.magicLinks.email.discovery.send({ email_address: email });
  const { token } = await latestMessage(email);
  const { intermediate_session_token } = await client.magicLinks.discovery.authenticate({
    discovery_magic_links_token: token,
  });
  const slug = unique("node-rbac");
  const created = await client.discovery.organizations.create({
    intermediate_session_token,
    organization_name: `Node ${slug}`,
    organization_slug: slug,
  });
  madeOrganizations.add(created.organization.organization_id);
  return created;
}

// `email` logged in to `orgId` through an organization magic link read from the outbox (the
// answer of magicLinks.authenticate, `params` passed to it).
export async function magicLinkLogin(orgId, email, params = {}) {
  await client.magicLinks.email.loginOrSignup({ organization_id: orgId, email_address: email });
  const link = await latestMessage(email);
  return client.magicLinks.authenticate({ magic_links_token: link.token, ...params });
}

// A new member of `orgId`, logged in through an organization magic link.
export async function joinAndLogIn(orgId, email, member = {}) {
  await client.organizations.members.create({ organization_id: orgId, email_address: email, ...member });
  return magicLinkLogin(orgId, email, { session_duration_minutes: 30 });
}
