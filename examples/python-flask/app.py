"""Stytch's B2B discovery quickstart in Flask, pointed at the mock by environment variables.

STYTCH_API_URL=http://127.0.0.1:8080/ python examples/python-flask/app.py
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, redirect, request, session
from markupsafe import escape
from stytch import B2BClient
from stytch.core.response_base import StytchError

PORT = int(os.environ.get("PORT", "3000"))
# The app's public URL, for the magic link's redirect; unset: the URL the browser used.
APP_URL = os.environ.get("APP_URL")

stytch = B2BClient(
    project_id=os.environ.get(
        "STYTCH_PROJECT_ID", "project-test-00000000-0000-4000-8000-000000000000"
    ),
    secret=os.environ.get("STYTCH_SECRET", "secret-test-stytch-b2b-mock-local-only"),
    # Any value but "test"/"live" is the base URL: the mock's.
    environment=os.environ.get("STYTCH_API_URL", "http://127.0.0.1:8080/"),
)

app = Flask(__name__)
app.secret_key = os.environ.get("APP_SECRET") or secrets.token_hex(32)


def page(body: str) -> str:
    return f"<!doctype html><title>Stytch B2B quickstart</title><main>{body}</main>"


@app.get("/")
def index() -> object:
    if session.get("session_token"):
        return redirect("/dashboard")
    return page(
        '<form method="post" action="/login"><label>Email <input name="email" type="email">'
        "</label><button>Continue</button></form>"
    )


@app.post("/login")
def login() -> str:
    email = request.form["email"]
    stytch.magic_links.email.discovery.send(
        email_address=email,
        discovery_redirect_url=(APP_URL or request.host_url).rstrip("/") + "/authenticate",
    )
    return page(f"<p>Check {escape(email)} for a login link.</p>")


@app.get("/authenticate")
def authenticate() -> object:
    if request.args.get("stytch_token_type") != "discovery":
        return page("<p>Unsupported token type.</p>"), 400
    found = stytch.magic_links.discovery.authenticate(
        discovery_magic_links_token=request.args["token"]
    )
    ist = found.intermediate_session_token
    if found.discovered_organizations:
        org_id = found.discovered_organizations[0].organization.organization_id
        result = stytch.discovery.intermediate_sessions.exchange(
            intermediate_session_token=ist, organization_id=org_id
        )
    else:
        result = stytch.discovery.organizations.create(intermediate_session_token=ist)
    session["session_token"] = result.session_token
    return redirect("/dashboard")


@app.get("/dashboard")
def dashboard() -> object:
    token = session.get("session_token")
    if not token:
        return redirect("/")
    try:
        current = stytch.sessions.authenticate(session_token=token)
    except StytchError:
        session.clear()
        return redirect("/")
    return page(
        f"<p>Logged in as <b id=member>{escape(current.member.email_address)}</b> in "
        f"<b id=organization>{escape(current.organization.organization_name)}</b>.</p>"
        '<form method="post" action="/logout"><button>Log out</button></form>'
    )


@app.post("/logout")
def logout() -> object:
    token = session.pop("session_token", None)
    if token:
        try:
            stytch.sessions.revoke(session_token=token)
        except StytchError:
            pass
    return redirect("/")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT)
