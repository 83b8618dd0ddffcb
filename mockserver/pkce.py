"""PKCE's S256 code challenge (RFC 7636 section 4.2), shared by the magic links, OAuth, SSO
and the built-in IdP."""

from __future__ import annotations

import base64
import hashlib


def pkce_s256(verifier: str) -> str:
    """base64url(sha256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
