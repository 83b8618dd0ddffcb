// What the Node scenario files share: the mock's URL and the project's credentials from the
// environment, a B2BClient pointed at the mock, unique names, Stytch-error assertions, and a
// new organization.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import stytch from "stytch";

const { B2BClient, StytchError } = stytch;

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (the mock's URL and project credentials)`);
  return value;
}

export const MOCK_URL = required("STYTCH_MOCK_URL").replace(/\/?$/, "/");
export const PROJECT_ID = required("STYTCH_PROJECT_ID");
export const SECRET = required("STYTCH_SECRET");
export const BASIC = "Basic " + Buffer.from(`${PROJECT_ID}:${SECRET}`).toString("base64");

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

export async function newOrganization(fields = {}) {
  const slug = unique("node-org");
  const { organization } = await client.organizations.create({
    organization_name: `Node ${slug}`,
    organization_slug: slug,
    ...fields,
  });
  return organization;
}
