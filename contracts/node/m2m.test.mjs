// M2M scenarios through the official Node SDK (npm `stytch`): clients through
// `client.m2m.clients`, a token through `client.m2m.token` (which the Node SDK sends as a form,
// without an Authorization header) and its local check through `client.m2m.authenticateToken`
// (jose, against the project's JWKS). Both targets; the clients made are deleted.

import assert from "node:assert/strict";
import { after, test } from "node:test";

import { ClientError, client, rejectsWith, unique } from "./helpers.mjs";

const made = new Set();
after(async () => {
  for (const client_id of made) {
    await client.m2m.clients.delete({ client_id }).catch(() => {});
  }
});

test("an M2M client gets a token that the SDK verifies locally with its scopes", async () => {
  const { m2m_client } = await client.m2m.clients.create({
    client_name: unique("node-m2m"),
    scopes: ["read:users", "write:users"],
  });
  made.add(m2m_client.client_id);
  assert.match(m2m_client.client_id, /^m2m-client-test-/);
  assert.equal(m2m_client.client_secret_last_four, m2m_client.client_secret.slice(-4));

  const token = await client.m2m.token({
    client_id: m2m_client.client_id,
    client_secret: m2m_client.client_secret,
    scopes: ["read:users"],
  });
  assert.equal(token.token_type, "bearer");
  assert.equal(token.expires_in, 3600);

  const claims = await client.m2m.authenticateToken({
    access_token: token.access_token,
    required_scopes: ["read:users"],
  });
  assert.equal(claims.client_id, m2m_client.client_id);
  assert.deepEqual(claims.scopes, ["read:users"]);
  await assert.rejects(
    client.m2m.authenticateToken({ access_token: token.access_token, required_scopes: ["write:users"] }),
    (err) => err instanceof ClientError && err.code === "missing_scopes",
  );

  await rejectsWith(
    client.m2m.token({ client_id: m2m_client.client_id, client_secret: "not-the-secret" }),
    401,
    "unauthorized_credentials",
  );
  const rotating = await client.m2m.clients.secrets.rotateStart({ client_id: m2m_client.client_id });
  const next = rotating.m2m_client.next_client_secret;
  await client.m2m.clients.secrets.rotate({ client_id: m2m_client.client_id });
  const again = await client.m2m.token({ client_id: m2m_client.client_id, client_secret: next });
  assert.equal(
    (await client.m2m.authenticateToken({ access_token: again.access_token })).client_id,
    m2m_client.client_id,
  );
});
