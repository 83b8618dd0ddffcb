// Stytch's B2B discovery quickstart in Express, pointed at the mock by environment variables.
//
//   npm ci && STYTCH_API_URL=http://127.0.0.1:8080/ node app.mjs

import { randomBytes } from "node:crypto";

import express from "express";
import stytch from "stytch";

const PORT = Number(process.env.PORT || 3000);
// The app's public URL, for the magic link's redirect; unset: the URL the browser used.
const APP_URL = process.env.APP_URL;

// `env` takes any base URL (the SDK warns once that it is a custom one).
const client = new stytch.B2BClient({
  project_id: process.env.STYTCH_PROJECT_ID || "project-test-00000000-0000-4000-8000-000000000000",
  secret: process.env.STYTCH_SECRET || "secret-test-stytch-b2b-mock-local-only",
  env: process.env.STYTCH_API_URL || "http://127.0.0.1:8080/",
});

// Session tokens by an opaque cookie value (a real app would use a session store).
const sessions = new Map();
const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body) => `<!doctype html><title>Stytch B2B quickstart</title><main>${body}</main>`;

function sid(req) {
  const match = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie || "");
  return match ? match[1] : null;
}

const app = express();
app.use(express.urlencoded({ extended: false }));

app.get("/", (req, res) => {
  if (sessions.has(sid(req))) return res.redirect("/dashboard");
  res.send(
    page(
      '<form method="post" action="/login"><label>Email <input name="email" type="email">' +
        "</label><button>Continue</button></form>",
    ),
  );
});

app.post("/login", async (req, res, next) => {
  try {
    await client.magicLinks.email.discovery.send({
      email_address: req.body.email,
      discovery_redirect_url: `${APP_URL || `${req.protocol}://${req.get("host")}`}/authenticate`,
    });
    res.send(page(`<p>Check ${escape(req.body.email)} for a login link.</p>`));
  } catch (err) {
    next(err);
  }
});

app.get("/authenticate", async (req, res, next) => {
  try {
    if (req.query.stytch_token_type !== "discovery") {
      return res.status(400).send(page("<p>Unsupported token type.</p>"));
    }
    const found = await client.magicLinks.discovery.authenticate({
      discovery_magic_links_token: req.query.token,
    });
    const ist = found.intermediate_session_token;
    const result = found.discovered_organizations.length
      ? await client.discovery.intermediateSessions.exchange({
          intermediate_session_token: ist,
          organization_id: found.discovered_organizations[0].organization.organization_id,
        })
      : await client.discovery.organizations.create({ intermediate_session_token: ist });
    const id = randomBytes(16).toString("hex");
    sessions.set(id, result.session_token);
    res.setHeader("Set-Cookie", `sid=${id}; HttpOnly; SameSite=Lax; Path=/`);
    res.redirect("/dashboard");
  } catch (err) {
    next(err);
  }
});

app.get("/dashboard", async (req, res) => {
  const token = sessions.get(sid(req));
  if (!token) return res.redirect("/");
  try {
    const current = await client.sessions.authenticate({ session_token: token });
    res.send(
      page(
        `<p>Logged in as <b id=member>${escape(current.member.email_address)}</b> in ` +
          `<b id=organization>${escape(current.organization.organization_name)}</b>.</p>` +
          '<form method="post" action="/logout"><button>Log out</button></form>',
      ),
    );
  } catch {
    sessions.delete(sid(req));
    res.redirect("/");
  }
});

app.post("/logout", async (req, res) => {
  const token = sessions.get(sid(req));
  sessions.delete(sid(req));
  if (token) await client.sessions.revoke({ session_token: token }).catch(() => {});
  res.redirect("/");
});

app.use((err, req, res, _next) => {
  res.status(err.status_code || 500).send(page(`<p>${escape(err.error_type || err.message)}</p>`));
});

const server = app.listen(PORT, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
