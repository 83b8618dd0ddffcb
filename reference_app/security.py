"""The app's cookie: signed and encrypted state, and the CSRF token that forms carry.

One cookie holds everything the app keeps about a browser: the CSRF token, the Stytch
session token once logged in, and, between a discovery link and the choice of an
organization, the intermediate session token. It is a Fernet token (AES-128-CBC with an
HMAC-SHA256 over the whole), keyed from ``APP_SECRET`` through HKDF: the browser can neither
read nor change it, and a cookie that does not verify is treated as no cookie at all.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

COOKIE_NAME = "stytch_ref_session"
CSRF_FIELD = "csrf_token"


def fernet_for(app_secret: str) -> Fernet:
    """A Fernet keyed by ``APP_SECRET`` (any length) through HKDF-SHA256."""
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"stytch-b2b-mock reference app",
        info=b"session cookie v1",
    ).derive(app_secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class CookieState(dict[str, Any]):
    """The decrypted cookie: a small dict that knows whether it changed."""

    changed: bool = False

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            if value is None:
                if name in self:
                    del self[name]
                    self.changed = True
            elif self.get(name) != value:
                self[name] = value
                self.changed = True

    @property
    def csrf_token(self) -> str:
        token = self.get("csrf")
        if not token:
            token = new_csrf_token()
            self.set(csrf=token)
        return token

    def rotate_csrf(self) -> None:
        self.set(csrf=new_csrf_token())


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(state: CookieState, submitted: str | None) -> bool:
    expected = state.get("csrf")
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def seal(fernet: Fernet, state: dict[str, Any]) -> str:
    token = fernet.encrypt(json.dumps(state, separators=(",", ":")).encode()).decode()
    return token.rstrip("=")  # padding would make the cookie value a quoted string


def unseal(fernet: Fernet, value: str | None) -> CookieState:
    """The cookie's state, or an empty (new) state when it is absent, forged or damaged."""
    state = CookieState()
    if not value:
        return state
    try:
        data = json.loads(fernet.decrypt(value + "=" * (-len(value) % 4)))
    except (InvalidToken, ValueError):
        state.changed = True  # replace the bad cookie
        return state
    if isinstance(data, dict):
        state.update(data)
    return state
