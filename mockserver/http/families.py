"""The one list of API families the mock serves.

Each family is one module of this package with a ``routes`` table (``web.RouteTableDef``) whose
handlers are declared with ``common.operation``. The app (``app.create_app``) serves exactly
these routes and ``/openapi.json`` (``mockserver.openapi``) documents exactly these, so a new
family is one line here.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    console,
    control,
    discovery,
    faults,
    impersonation,
    m2m,
    magic_links,
    mfa_control,
    mock_tools,
    oauth,
    oauth_provider,
    openapi,
    organizations,
    otps,
    passwords,
    rbac,
    recovery_codes,
    scim,
    scim_protocol,
    sdk,
    sessions,
    sso,
    sso_browser,
    sso_idp,
    totps,
)

FAMILIES: tuple[ModuleType, ...] = (
    magic_links,
    discovery,
    oauth,
    oauth_provider,
    organizations,
    sessions,
    rbac,
    passwords,
    otps,
    totps,
    recovery_codes,
    sso,
    sso_browser,
    sso_idp,
    scim,
    scim_protocol,
    m2m,
    impersonation,
    control,
    mfa_control,
    mock_tools,
    console,
    faults,
    openapi,
    # The frontend SDK's routes (/sdk/v1), one module per family in http/sdk/.
    *sdk.FAMILIES,
)
