"""The mock's MFA controls (not part of Stytch's API):

- ``/_mock/settings/mfa``: the project's choices where Stytch publishes nothing (sandbox codes,
  a masked phone number in ``mfa_required``, member locks);
- ``POST /_mock/totp_code``: the code an authenticator app with a given secret shows at the
  project's clock, for tests in any language (the pytest fixture's ``totp_code``).
"""

from __future__ import annotations

import dataclasses

from aiohttp import web

from ..domain.totps import code_at
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
    "[mock] Change the project's MFA settings", m.MfaSettingsResponse, body=m.MfaSettingsRequest
)
async def put_settings(request: web.Request, body: m.MfaSettingsRequest) -> web.Response:
    config = project(request).config
    config.mfa = dataclasses.replace(config.mfa, **body.model_dump(exclude_none=True))
    return _render(request)


@routes.post("/_mock/totp_code")
@operation("[mock] The TOTP code for a secret now", m.TotpCodeResponse, body=m.TotpCodeRequest)
async def totp_code(request: web.Request, body: m.TotpCodeRequest) -> web.Response:
    code = code_at(body.secret, project(request).now(), body.steps)
    return render(request, m.TotpCodeResponse, code=code)
