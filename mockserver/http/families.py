"""The one list of API families the mock serves.

Each family is one module of this package with a ``routes`` table (``web.RouteTableDef``) whose
handlers are declared with ``common.operation``. The app (``app.create_app``) serves exactly
these routes and ``/openapi.json`` (``mockserver.openapi``) documents exactly these, so a new
family is one line here.
"""

from __future__ import annotations

from types import ModuleType

from . import control, discovery, magic_links, openapi, organizations, sdk, sessions

FAMILIES: tuple[ModuleType, ...] = (
    magic_links,
    discovery,
    organizations,
    sessions,
    control,
    openapi,
    # The frontend SDK's routes (/sdk/v1), one module per family in http/sdk/.
    *sdk.FAMILIES,
)
