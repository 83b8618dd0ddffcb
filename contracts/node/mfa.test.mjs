// Multi-factor login through the official Node SDK (npm `stytch`), against the mock: a primary
// factor into an organization that requires MFA, then an SMS code, a TOTP code or a recovery
// code with the intermediate session. Codes come from the mock's outbox (GET /_mock/outbox)
// and its TOTP helper (POST /_mock/totp_code, at the mock's clock): mock-only scenarios, skipped
// on a remote target.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MOCK_ONLY,
  client,
  control,
  latestMessage,
  magicLinkLogin,
  newOrganization,
  rejectsWith,
  unique,
} from "./helpers.mjs";

const PHONE = "+15555550100";

async function totpCode(secret) {
  return (await control("POST", "_mock/totp_code", { secret })).code;
}

// An organization requiring MFA and a fresh address on its allowed domain.
async function mfaOrganization() {
  const domain = `${unique("node-mfa")}.com`;
  const organization = await newOrganization(
    { email_allowed_domains: [domain], mfa_policy: "REQUIRED_FOR_ALL" },
    "node-mfa",
  );
  return { organization, email: `${unique("ada")}@${domain}` };
}

function factorTypes(session) {
  return session.authentication_factors.map((f) => `${f.type}/${f.delivery_method}`);
}

test("MFA login: magic link, then SMS enrolment, ends in a session with both factors", { skip: MOCK_ONLY }, async () => {
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

test("MFA login: TOTP enrolment with the intermediate session, then a recovery code", { skip: MOCK_ONLY }, async () => {
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

test("Email one-time code as the primary factor, then a TOTP migrated in", { skip: MOCK_ONLY }, async () => {
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
