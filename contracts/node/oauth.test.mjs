// B2B OAuth through the official Node SDK (npm `stytch`), against the mock.
//
// A token only comes out of a browser sign-in; here the mock's built-in provider hands one
// out at once: a start URL with provider_login_hint=EMAIL redirects straight back to the app
// with ?stytch_token_type=oauth|discovery_oauth&token=... (README "OAuth offline").
// Mock-only (the built-in provider, the public token from /_mock/project): skipped on a remote
// target.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MOCK_ONLY,
  MOCK_URL,
  client,
  madeOrganizations,
  newOrganization,
  publicToken,
  rejectsWith,
  unique,
} from "./helpers.mjs";

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

test("oauth.authenticate logs a Google user into the organization with an oauth factor", { skip: MOCK_ONLY }, async () => {
  const domain = `${unique("node")}.com`;
  const organization = await newOrganization(
    { email_allowed_domains: [domain], email_jit_provisioning: "RESTRICTED" },
    "node-oauth",
  );
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

  await rejectsWith(client.oauth.authenticate({ oauth_token: token }), 400, "oauth_token_not_found");
});

test("oauth.discovery.authenticate returns an intermediate session and the organizations", { skip: MOCK_ONLY }, async () => {
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
  madeOrganizations.add(created.organization.organization_id);
  assert.equal(created.member_authenticated, true);
  assert.equal(created.member.email_address_verified, true); // Microsoft verifies the email
  assert.equal(created.member_session.authentication_factors[0].delivery_method, "oauth_microsoft");
});
