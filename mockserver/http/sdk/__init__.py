"""The frontend SDK's API (``/sdk/v1/...``): what ``@stytch/vanilla-js`` and ``@stytch/react``
call from a browser, over the same projects and state as the backend API (``/v1/...``).

One module per family, as for the backend; ``common`` holds the public-token check, the
``{"data": ...}`` envelope and the CORS middleware. Factor families (passwords, one-time
codes, TOTP, recovery codes, the token half of OAuth and SSO, whose starts are the backend's
public start URLs) and the admin portal's SSO and SCIM connection management add their
browser routes as a module here (handlers declared with ``common.sdk_operation``) and an entry
in ``FAMILIES``; http/families.py includes this list.
"""

from __future__ import annotations

from . import (
    bootstrap,
    discovery,
    impersonation,
    magic_links,
    members,
    oauth,
    organizations,
    otps,
    passwords,
    recovery_codes,
    scim,
    sessions,
    sso,
    totps,
)

# Order matters where paths overlap: members' static paths (``members/me``, ``members/update``)
# come before ``members/{member_id}``; within sso and scim, ``sso/saml``, ``scim/groups``,
# ``scim/rotate/...`` come before ``{connection_id}``.
FAMILIES = (
    bootstrap,
    magic_links,
    discovery,
    sessions,
    members,
    organizations,
    passwords,
    otps,
    totps,
    recovery_codes,
    oauth,
    sso,
    scim,
    impersonation,
)
