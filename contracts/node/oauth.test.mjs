// B2B OAuth through the official Node SDK (npm `stytch`), against the mock.
//
// A token only comes out of a browser sign-in; here the mock's built-in provider hands one
// out at once: a start URL with provider_login_hint=EMAIL redirects straight back to the app
// with ?stytch_token_type=oauth|discovery_oauth&token=... (README "OAuth offline").
// Mock-only, like every Node scenario.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import stytch from "stytch";

const { B2BClient, StytchError } = stytch;

const MOCK_URL = process.env.STYTCH_MOCK_URL.replace(/\/?$/, "/");
const PROJECT_ID = process.env.STYTCH_PROJECT_ID;
const SECRET = process.env.STYTCH_SECRET;
const BASIC = "Basic " + Buffer.from(`${PROJECT_ID}:${SECRET}`).toString("base64");

const warn = console.warn;
console.warn = () => {}; // the SDK warns once that `env` is a custom URL
const client = new B2BClient({ project_id: PROJECT_ID, secret: SECRET, env: MOCK_URL });
console.warn = warn;

function unique(prefix) {
  return `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

async function publicToken() {
  const response = await fetch(`${MOCK_URL}_mock/project`, { headers: { Authorization: BASIC } });
  assert.equal(response.status, 200, `GET /_mock/project -> ${response.status}`);
  return (await response.json()).public_token;
}

// The app URL the mock's provider redirects to for `email` (no browser: nothing follows it).
async function signIn(provider, email, params) {
  const query = new URLSearchParams({
    public_token: await publicToken(),
    provider_login_hint: email,
    ...params,
  });
  const path = params.organization_id ? "start" : "discovery/start";
  const response = await fetch(`${MOCK_URL}v1/b2b/public/oauth/${provider}/${path}?${query}`, {
    redirect: "manual",
  });
  assert.equal(response.status, 302);
  return new URL(response.headers.get("location"));
}

test("oauth.authenticate logs a Google user into the organization with an oauth factor", async () => {
  const domain = `${unique("node")}.com`;
  const slug = unique("node-oauth");
  const { organization } = await client.organizations.create({
    organization_name: `Node ${slug}`,
    organization_slug: slug,
    email_allowed_domains: [domain],
    email_jit_provisioning: "RESTRICTED",
  });
  const email = `ada@${domain}`;
  const url = await signIn("google", email, { organization_id: organization.organization_id });
  assert.equal(url.searchParams.get("stytch_token_type"), "oauth");
  const token = url.searchParams.get("token");

  const resp = await client.oauth.authenticate({ oauth_token: token, session_duration_minutes: 30 });
  assert.equal(resp.member_authenticated, true);
  assert.equal(resp.member.email_address, email);
  assert.equal(resp.provider_type, "Google");
  assert.equal(resp.member.oauth_registrations[0].provider_subject, resp.provider_subject);
  const factor = resp.member_session.authentication_factors[0];
  assert.equal(factor.delivery_method, "oauth_google");
  assert.equal(factor.google_oauth_factor.provider_subject, resp.provider_subject);
  assert.deepEqual(resp.provider_values.scopes, ["openid", "email", "profile"]);

  const local = await client.sessions.authenticateJwtLocal({ session_jwt: resp.session_jwt });
  assert.equal(local.member_id, resp.member_id);

  await assert.rejects(client.oauth.authenticate({ oauth_token: token }), (err) => {
    assert.ok(err instanceof StytchError);
    assert.equal(err.status_code, 400);
    assert.equal(err.error_type, "oauth_token_not_found");
    return true;
  });
});

test("oauth.discovery.authenticate returns an intermediate session and the organizations", async () => {
  const email = `${unique("grace")}@example.com`;
  const url = await signIn("microsoft", email, { mock_name: "Grace Hopper" });
  assert.equal(url.searchParams.get("stytch_token_type"), "discovery_oauth");

  const resp = await client.oauth.discovery.authenticate({
    discovery_oauth_token: url.searchParams.get("token"),
  });
  assert.equal(resp.email_address, email);
  assert.equal(resp.full_name, "Grace Hopper");
  assert.equal(resp.provider_type, "Microsoft");
  assert.deepEqual(resp.discovered_organizations, []);
  assert.ok(resp.intermediate_session_token);

  const slug = unique("node-oauth-disco");
  const created = await client.discovery.organizations.create({
    intermediate_session_token: resp.intermediate_session_token,
    organization_name: `Node ${slug}`,
    organization_slug: slug,
  });
  assert.equal(created.member_authenticated, true);
  assert.equal(created.member.email_address_verified, true); // Microsoft verifies the email
  assert.equal(created.member_session.authentication_factors[0].delivery_method, "oauth_microsoft");
});
