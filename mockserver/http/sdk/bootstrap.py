"""``/sdk/v1/projects/bootstrap/{public_token}`` (the project settings the SDK reads first) and
``/sdk/v1/events`` (its telemetry)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, RootModel

from ...domain import frontend
from ...models import responses as rs
from ...models import sdk
from ..common import operation, project, public
from .common import DataResponse, data, sdk_operation

routes = web.RouteTableDef()


@routes.get("/sdk/v1/projects/bootstrap/{public_token}")
@sdk_operation("Get the frontend SDK's project settings", sdk.BootstrapResponse)
async def bootstrap(request: web.Request) -> web.Response:
    proj = project(request)
    if request.match_info["public_token"] != proj.config.public_token:
        raise frontend.public_token_not_found(request.match_info["public_token"])
    return data(
        request,
        sdk.BootstrapResponse,
        keep_nulls=True,
        # The passwords family, when it lands, passes the project's policy here
        # ({luds_complexity, luds_minimum_count}); null means no password policy to show.
        **frontend.bootstrap(proj.config.frontend, password_config=None),
    )


class TelemetryEventRequest(BaseModel):
    """One event of the SDK's telemetry batch (see
    https://github.com/stytchauth/stytch-browser/blob/main/packages/core/src/EventLogger.ts
    ); only its shape is checked, nothing is kept."""

    telemetry: dict[str, object] | None = None
    event: dict[str, object] | None = None


class TelemetryBatchRequest(RootModel[list[TelemetryEventRequest]]):
    pass


@routes.post("/sdk/v1/events")
@public
@operation(
    "Take the frontend SDK's telemetry", DataResponse[rs.EmptyResponse], body=TelemetryBatchRequest
)
async def events(request: web.Request, body: TelemetryBatchRequest) -> web.Response:
    # Sent without credentials; a malformed batch is a 400, a good one is dropped.
    return data(request, rs.EmptyResponse)
