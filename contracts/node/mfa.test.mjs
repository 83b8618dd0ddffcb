// Multi-factor login through the official Node SDK (npm `stytch`), against the mock: a primary
// factor into an organization that requires MFA, then an SMS code, a TOTP code or a recovery
// code with the intermediate session. Codes come from the mock's outbox (GET /_mock/outbox)
// and its TOTP helper (POST /_mock/totp_code, at the mock's clock): mock-only scenarios.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import stytch from "stytch";

const { B2BClient, StytchError } = stytch;

const MOCK_URL = required("STYTCH_MOCK_URL").replace(/\/?$/, "/");
const PROJECT_ID = required("STYTCH_PROJECT_ID");
const SECRET = required("STYTCH_SECRET");
const BASIC = "Basic " + Buffer.from(`${PROJECT_ID}:${SECRET}`).toString("base64");
const PHONE = "+15555550100";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (the mock's URL and project credentials)`);
  return value;
}

const client = (() => {
  const warn = console.warn; // the SDK warns once that `env` is a custom host
  console.warn = () => {};
  try {
    return new B2BClient({ project_id: PROJECT_ID, secret: SECRET, env: MOCK_URL });
  } finally {
    console.warn = warn;
  }
})();

function unique(prefix) {
  return `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

async function control(method, path, body) {
  const response = await fetch(`${MOCK_URL}${path}`, {
    method,
    headers: { Authorization: BASIC, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${method} /${path} -> ${response.status}`);
  return response.json();
}

async function latestMessage(to) {
  const { messages } = await control("GET", `_mock/outbox?to=${encodeURIComponent(to)}`);
  assert.ok(messages.length > 0, `nothing sent to ${to} in the mock's outbox`);
  return messages.at(-1);
}

async function totpCode(secret) {
  return (await control("POST", "_mock/totp_code", { secret })).code;
}

async function rejectsWith(promise, status, errorType) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof StytchError, `expected a StytchError, got ${err}`);
    assert.equal(err.status_code, status);
    assert.equal(err.error_type, errorType);
    return true;
  });
}

// An organization requiring MFA and a fresh address on its allowed domain.
async function mfaOrganization() {
  const slug = unique("node-mfa");
  const { organization } = await client.organizations.create({
    organization_name: `Node ${slug}`,
    organization_slug: slug,
    email_allowed_domains: [`${slug}.com`],
    mfa_policy: "REQUIRED_FOR_ALL",
  });
  return { organization, email: `${unique("ada")}@${slug}.com` };
}

async function magicLinkLogin(organizationId, email) {
  await client.magicLinks.email.loginOrSignup({
    organization_id: organizationId,
    email_address: email,
  });
  const { token } = await latestMessage(email);
  return client.magicLinks.authenticate({ magic_links_token: token });
}

function factorTypes(session) {
  return session.authentication_factors.map((f) => `${f.type}/${f.delivery_method}`);
}

test("MFA login: magic link, then SMS enrolment, ends in a session with both factors", async () => {
  const { organization, email } = await mfaOrganization();
  const orgId = organization.organization_id;

  const first = await magicLinkLogin(orgId, email);
  assert.equal(first.member_authenticated, false);
  assert.equal(first.session_token, "");
  assert.ok(first.intermediate_session_token);
  assert.ok(first.mfa_required);

  const sent = await client.otps.sms.send({
    organization_id: orgId,
    member_id: first.member_id,
    mfa_phone_number: PHONE,
    intermediate_session_token: first.intermediate_session_token,
  });
  assert.equal(sent.member.mfa_phone_number, PHONE);
  const sms = await latestMessage(PHONE);
  assert.equal(sms.channel, "sms");
  assert.match(sms.code, /^\d{6}$/);

  const done = await client.otps.sms.authenticate({
    organization_id: orgId,
    member_id: first.member_id,
    code: sms.code,
    intermediate_session_token: first.intermediate_session_token,
  });
  assert.deepEqual(factorTypes(done.member_session), ["magic_link/email", "otp/sms"]);
  assert.equal(done.member.mfa_enrolled, true);
  assert.equal(done.member.mfa_phone_number_verified, true);

  // The JWT, verified locally against the mock's JWKS, lists both factors too.
  const local = await client.sessions.authenticateJwtLocal({ session_jwt: done.session_jwt });
  assert.deepEqual(factorTypes(local), ["magic_link/email", "otp/sms"]);

  // A wrong code is 404, a used one 401; the IST is gone once used.
  const again = await magicLinkLogin(orgId, email);
  assert.equal(again.mfa_required.secondary_auth_initiated, "sms_otp");
  const code = (await latestMessage(PHONE)).code;
  await rejectsWith(
    client.otps.sms.authenticate({
      organization_id: orgId,
      member_id: first.member_id,
      code: code === "000000" ? "111111" : "000000",
      intermediate_session_token: again.intermediate_session_token,
    }),
    404,
    "otp_code_not_found",
  );
  await rejectsWith(
    client.otps.sms.authenticate({
      organization_id: orgId,
      member_id: first.member_id,
      code: sms.code,
      intermediate_session_token: first.intermediate_session_token,
    }),
    404,
    "intermediate_session_not_found",
  );
});

test("MFA login: TOTP enrolment with the intermediate session, then a recovery code", async () => {
  const { organization, email } = await mfaOrganization();
  const orgId = organization.organization_id;
  const first = await magicLinkLogin(orgId, email);

  const created = await client.totps.create({
    organization_id: orgId,
    member_id: first.member_id,
    intermediate_session_token: first.intermediate_session_token,
  });
  assert.match(created.secret, /^[A-Z2-7]{32}$/);
  assert.match(created.qr_code, /^data:image\/png;base64,/);
  assert.equal(created.recovery_codes.length, 10);

  const done = await client.totps.authenticate({
    organization_id: orgId,
    member_id: first.member_id,
    code: await totpCode(created.secret),
    intermediate_session_token: first.intermediate_session_token,
  });
  assert.deepEqual(factorTypes(done.member_session), [
    "magic_link/email",
    "totp/authenticator_app",
  ]);
  assert.equal(done.member.totp_registration_id, created.totp_registration_id);

  const again = await magicLinkLogin(orgId, email);
  const recovered = await client.recoveryCodes.recover({
    organization_id: orgId,
    member_id: first.member_id,
    recovery_code: created.recovery_codes[0],
    intermediate_session_token: again.intermediate_session_token,
  });
  assert.equal(recovered.recovery_codes_remaining, 9);
  assert.deepEqual(factorTypes(recovered.member_session), [
    "magic_link/email",
    "recovery_codes/recovery_code",
  ]);
  const left = await client.recoveryCodes.get({ organization_id: orgId, member_id: first.member_id });
  assert.deepEqual(left.recovery_codes, created.recovery_codes.slice(1));
});

test("Email one-time code as the primary factor, then a TOTP migrated in", async () => {
  const { organization, email } = await mfaOrganization();
  const orgId = organization.organization_id;
  const { member } = await client.organizations.members.create({
    organization_id: orgId,
    email_address: email,
  });
  const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  const migrated = await client.totps.migrate({
    organization_id: orgId,
    member_id: member.member_id,
    secret,
    recovery_codes: [],
  });

  await client.otps.email.loginOrSignup({ organization_id: orgId, email_address: email });
  const message = await latestMessage(email);
  assert.equal(message.kind, "email_otp_login");
  const first = await client.otps.email.authenticate({
    organization_id: orgId,
    email_address: email,
    code: message.code,
  });
  assert.equal(first.member_authenticated, false);
  assert.equal(
    first.mfa_required.member_options.totp_registration_id,
    migrated.totp_registration_id,
  );

  const done = await client.totps.authenticate({
    organization_id: orgId,
    member_id: member.member_id,
    code: await totpCode(secret),
    intermediate_session_token: first.intermediate_session_token,
  });
  assert.deepEqual(factorTypes(done.member_session), ["email_otp/email", "totp/authenticator_app"]);
});
