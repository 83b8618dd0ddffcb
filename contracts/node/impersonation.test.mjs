// Impersonation through the official Node SDK (npm `stytch`), against the mock.
//
// Stytch's tokens come from its Dashboard ("Impersonate Member"); the mock mints them with its
// control API (POST /_mock/impersonation_tokens), so the scenario is mock-only.

import assert from "node:assert/strict";
import { test } from "node:test";

import { MOCK_ONLY, client, control, newOrganization, rejectsWith, unique } from "./helpers.mjs";

test("an impersonation token logs in once, for 60 minutes, with the impersonated factor", { skip: MOCK_ONLY }, async () => {
  const organization = await newOrganization({}, "node-imp");
  const { member } = await client.organizations.members.create({
    organization_id: organization.organization_id,
    email_address: `${unique("ada")}@example.com`,
  });
  const { impersonation_token, impersonator_id } = await control("POST", "_mock/impersonation_tokens", {
    organization_id: organization.organization_id,
    member_id: member.member_id,
    impersonator_email_address: "support@example.com",
  });

  const resp = await client.impersonation.authenticate({ impersonation_token });

  assert.equal(resp.member_id, member.member_id);
  assert.equal(resp.organization_id, organization.organization_id);
  assert.equal(resp.member_authenticated, true);
  assert.equal(resp.intermediate_session_token, "");
  const session = resp.member_session;
  const lifetime = Date.parse(session.expires_at) - Date.parse(session.started_at);
  assert.equal(lifetime, 60 * 60 * 1000);
  assert.deepEqual(
    session.authentication_factors.map((f) => [f.type, f.delivery_method, f.impersonated_factor]),
    [["impersonated", "impersonation", { impersonator_id, impersonator_email_address: "support@example.com" }]],
  );
  // Asking for a longer session changes nothing: impersonated sessions cannot be extended.
  const again = await client.sessions.authenticate({
    session_token: resp.session_token,
    session_duration_minutes: 600,
  });
  assert.equal(again.member_session.expires_at, session.expires_at);
  await rejectsWith(
    client.impersonation.authenticate({ impersonation_token }),
    401,
    "unable_to_auth_impersonation_token",
  );
});
