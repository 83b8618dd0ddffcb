// SSO scenarios through the official Node SDK (npm `stytch`), against the mock.
//
// Connections are made and managed through the SDK; the login itself goes through the mock's
// built-in identity provider the way a browser would (fetch with redirects handled by hand:
// GET /v1/public/sso/start with login_hint, the IdP, the ACS or OIDC callback) and ends with
// `sso.authenticate`. Mock-only (the built-in IdP, which new connections are wired to and
// which makes them active; the public token from /_mock/project): skipped on a remote target.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MOCK_ONLY,
  MOCK_URL,
  client,
  newOrganization,
  publicToken,
  rejectsWith,
  unique,
} from "./helpers.mjs";

function unescapeHtml(text) {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

// Signs `email` in at the connection's IdP as a browser would; the SSO token the app receives.
async function ssoToken(connectionId, email, extra = {}) {
  const params = new URLSearchParams({
    connection_id: connectionId,
    public_token: await publicToken(),
    login_hint: email,
    ...extra,
  });
  let url = `${MOCK_URL}v1/public/sso/start?${params}`;
  let init = { redirect: "manual" };
  for (let step = 0; step < 10; step++) {
    const response = await fetch(url, init);
    init = { redirect: "manual" };
    const location = response.headers.get("location");
    if (response.status === 302 && location) {
      const next = new URL(location, url);
      if (next.searchParams.get("stytch_token_type") === "sso") {
        return { token: next.searchParams.get("token"), url: next };
      }
      url = next.toString();
      continue;
    }
    const body = await response.text();
    assert.equal(response.status, 200, `SSO login stopped at ${url}: ${body.slice(0, 300)}`);
    const action = unescapeHtml(body.match(/<form[^>]*action="([^"]+)"/)[1]);
    const form = new URLSearchParams();
    for (const [, name, value] of body.matchAll(/name=["'](SAMLResponse|RelayState)["'] value=["']([^"']*)/g)) {
      form.set(name, unescapeHtml(value));
    }
    url = action;
    init = { redirect: "manual", method: "POST", body: form };
  }
  throw new Error("the SSO login did not reach the app");
}

test("SSO connections are created, listed, updated and deleted", { skip: MOCK_ONLY }, async () => {
  const org = await newOrganization();
  const ids = { organization_id: org.organization_id };

  const { connection: saml } = await client.sso.saml.createConnection({ ...ids, display_name: "SAML" });
  const { connection: oidc } = await client.sso.oidc.createConnection({ ...ids, display_name: "OIDC" });
  assert.match(saml.connection_id, /^saml-connection-test-/);
  assert.match(oidc.connection_id, /^oidc-connection-test-/);
  assert.equal(saml.status, "active");
  assert.equal(oidc.status, "active");

  const listed = await client.sso.getConnections(ids);
  assert.deepEqual(listed.saml_connections.map((c) => c.connection_id), [saml.connection_id]);
  assert.deepEqual(listed.oidc_connections.map((c) => c.connection_id), [oidc.connection_id]);

  const { connection: renamed } = await client.sso.saml.updateConnection({
    ...ids,
    connection_id: saml.connection_id,
    display_name: "Renamed",
  });
  assert.equal(renamed.display_name, "Renamed");
  await rejectsWith(
    client.sso.saml.updateConnection({
      ...ids,
      connection_id: saml.connection_id,
      attribute_mapping: { full_name: "name" },
    }),
    400,
    "saml_connection_email_mapping_required",
  );

  const deleted = await client.sso.deleteConnection({ ...ids, connection_id: oidc.connection_id });
  assert.equal(deleted.connection_id, oidc.connection_id);
  await rejectsWith(
    client.sso.deleteConnection({ ...ids, connection_id: oidc.connection_id }),
    404,
    "sso_connection_not_found",
  );
});

async function loginScenario(kind) {
  const org = await newOrganization();
  const { connection } = await client.sso[kind].createConnection({
    organization_id: org.organization_id,
  });
  const email = `${unique("ada")}@acme.example`;

  const { token, url } = await ssoToken(connection.connection_id, email, { mock_name: "Ada Node" });
  assert.equal(url.origin + url.pathname, "http://localhost:3000/authenticate");
  const resp = await client.sso.authenticate({ sso_token: token, session_duration_minutes: 30 });

  assert.equal(resp.member_authenticated, true);
  assert.equal(resp.member.email_address, email);
  assert.equal(resp.member.name, "Ada Node");
  assert.equal(resp.member.sso_registrations[0].connection_id, connection.connection_id);
  const [factor] = resp.member_session.authentication_factors;
  assert.equal(factor.type, "sso");
  assert.equal(factor.delivery_method, `sso_${kind}`);
  assert.equal(factor[`${kind}_sso_factor`].provider_id, connection.connection_id);
  const { member_session } = await client.sessions.authenticateJwt({ session_jwt: resp.session_jwt });
  assert.equal(member_session.member_id, resp.member_id);
  await rejectsWith(client.sso.authenticate({ sso_token: token }), 404, "sso_token_not_found");
}

test("an OIDC login through the built-in IdP authenticates a new member", { skip: MOCK_ONLY }, () =>
  loginScenario("oidc"),
);

test("a SAML login through the built-in IdP authenticates a new member", { skip: MOCK_ONLY }, () =>
  loginScenario("saml"),
);
