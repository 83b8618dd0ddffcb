"""``/_mock/settings/mfa``: the project's MFA choices where Stytch publishes nothing (sandbox
codes, a masked phone number in ``mfa_required``, member locks). Not part of Stytch's API."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from ..models import mfa as m
from .common import operation, project, render

routes = web.RouteTableDef()


def _render(request: web.Request) -> web.Response:
    settings = project(request).config.mfa
    return render(request, m.MfaSettingsResponse, **dataclasses.asdict(settings))


@routes.get("/_mock/settings/mfa")
@operation("[mock] Read the project's MFA settings", m.MfaSettingsResponse)
async def get_settings(request: web.Request) -> web.Response:
    return _render(request)


@routes.put("/_mock/settings/mfa")
@operation(
    "[mock] Change the project's MFA settings", m.MfaSettingsResponse, body=m.MfaSettingsBody
)
async def put_settings(request: web.Request, body: m.MfaSettingsBody) -> web.Response:
    config = project(request).config
    config.mfa = dataclasses.replace(config.mfa, **body.model_dump(exclude_none=True))
    return _render(request)
