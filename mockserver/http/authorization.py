"""The member-session headers, read in one place.

A handler that Stytch runs as a Member when the call carries ``X-Stytch-Member-Session`` or
``X-Stytch-Member-SessionJWT`` (the SDKs' ``method_options`` / ``options.authorization``)
declares its check with ``@member_authorization(domain.authorization.authorize_...)`` under
``@operation``. The headers' session is authenticated and checked before the handler runs;
without the headers the call keeps the project secret's full access. Stytch's Ruby SDK sends
these "headers" as query parameters on GET and DELETE (its ``request`` helper puts every
header of a GET or DELETE into the query string), so those are read there too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from ..domain import authorization
from .common import project

SESSION_HEADER = "X-Stytch-Member-Session"
SESSION_JWT_HEADER = "X-Stytch-Member-SessionJWT"


def member_session_credentials(request: web.Request) -> tuple[str | None, str | None]:
    """``(session_token, session_jwt)`` from the headers (or, on GET and DELETE, the query)."""
    token = request.headers.get(SESSION_HEADER)
    jwt = request.headers.get(SESSION_JWT_HEADER)
    if request.method in ("GET", "DELETE"):
        token = token if token is not None else request.query.get(SESSION_HEADER)
        jwt = jwt if jwt is not None else request.query.get(SESSION_JWT_HEADER)
    return token, jwt


def caller(request: web.Request) -> authorization.Caller | None:
    """The Member the request runs as, or None when it carries no member session."""
    token, jwt = member_session_credentials(request)
    if token is None and jwt is None:
        return None
    return authorization.authenticate_caller(project(request), session_token=token, session_jwt=jwt)


def member_authorization(rule: authorization.Rule) -> Callable[[Any], Any]:
    """Run ``rule`` for the headers' Member before the handler (parsed body, if any, as a
    dict of the fields sent)."""

    def wrap(handler: Any) -> Any:
        @functools.wraps(handler)
        async def checked(request: web.Request, *args: BaseModel) -> web.StreamResponse:
            member = caller(request)
            if member is not None:
                body = args[0].model_dump(exclude_none=True) if args else {}
                rule(project(request), member, request.match_info, body)
            return await handler(request, *args)

        checked.member_authorization = rule.__name__  # type: ignore[attr-defined]
        return checked

    return wrap
