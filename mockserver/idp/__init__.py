"""The mock's built-in identity provider and the SSO protocol machinery.

- :mod:`.certs`: RSA keys and X.509 certificates (``cryptography``).
- :mod:`.saml`: SAML 2.0 responses signed and verified with ``signxml`` (XML-DSig, RSA-SHA256),
  and the AuthnRequest of the HTTP-Redirect binding.
- :mod:`.provider`: the identity provider's state (keys, OIDC clients, codes, access tokens) and
  its OIDC rules (authorization code with PKCE, RS256 ID tokens).

The service-provider side (Stytch's ACS and OIDC callback) lives in ``mockserver.domain.sso``
and only uses the standard protocols, so it works the same against any other IdP.
"""
