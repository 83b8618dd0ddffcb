"""M2M on the wire: client objects, request bodies and responses, field for field as the
Python SDK declares them (``stytch/consumer/models/m2m.py``, ``m2m_clients.py``,
``m2m_clients_secrets.py`` and ``stytch/consumer/api/m2m*.py`` of stytch 15.3.0). Nothing is
added."""

from __future__ import annotations

from typing import Any

from .objects import ResultsMetadataObject, WireModel
from .requests import JSONBody
from .responses import ResponseBase

# --- objects ---------------------------------------------------------------------------------


class _M2MClientFields(WireModel):
    client_id: str
    client_name: str
    client_description: str
    status: str
    scopes: list[str]
    client_secret_last_four: str
    trusted_metadata: dict[str, Any] | None = None
    next_client_secret_last_four: str | None = None


class M2MClientObject(_M2MClientFields):
    """``M2MClient``."""


class M2MClientWithClientSecretObject(_M2MClientFields):
    """``M2MClientWithClientSecret``: what create returns, the only time the secret is shown."""

    client_secret: str


class M2MClientWithNextClientSecretObject(_M2MClientFields):
    """``M2MClientWithNextClientSecret``: what rotate start returns."""

    next_client_secret: str


# --- requests --------------------------------------------------------------------------------


class CreateM2MClientRequest(JSONBody):
    scopes: list[str]
    client_id: str | None = None
    client_secret: str | None = None
    client_name: str | None = None
    client_description: str | None = None
    trusted_metadata: dict[str, Any] | None = None


class UpdateM2MClientRequest(JSONBody):
    client_name: str | None = None
    client_description: str | None = None
    status: str | None = None
    scopes: list[str] | None = None
    trusted_metadata: dict[str, Any] | None = None


class M2MSearchQuery(JSONBody):
    operator: str
    operands: list[dict[str, Any]] | None = None


class SearchM2MClientsRequest(JSONBody):
    cursor: str | None = None
    limit: int | None = None
    query: M2MSearchQuery | None = None


class M2MTokenRequest(JSONBody):
    """The token endpoint's fields (JSON from the Python SDK, a form from the Node SDK; the
    client's credentials may also come as HTTP Basic)."""

    grant_type: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None


# --- responses -------------------------------------------------------------------------------


class CreateM2MClientResponse(ResponseBase):
    m2m_client: M2MClientWithClientSecretObject


class M2MClientResponse(ResponseBase):
    """get, update, rotate and rotate cancel."""

    m2m_client: M2MClientObject


class RotateStartM2MClientResponse(ResponseBase):
    m2m_client: M2MClientWithNextClientSecretObject


class DeleteM2MClientResponse(ResponseBase):
    client_id: str


class SearchM2MClientsResponse(ResponseBase):
    m2m_clients: list[M2MClientObject]
    results_metadata: ResultsMetadataObject


class M2MTokenResponse(ResponseBase):
    access_token: str
    token_type: str
    expires_in: int
