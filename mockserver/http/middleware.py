"""The one middleware every request passes: request id, credentials, error rendering.

- Every response, success or error, carries a ``request_id`` (``request-id-test-<uuid>``).
- Every route but the public ones (JWKS, health, OpenAPI) needs HTTP Basic
  ``project_id:secret``; missing, garbled or wrong credentials are 401
  ``unauthorized_credentials``.
- A :class:`StytchError` becomes Stytch's error body with its status; aiohttp's own 404/405/413
  become Stytch-shaped errors too; anything unexpected becomes a Stytch-shaped 500 with no
  traceback in the body (and a log line for whoever runs the mock).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from .. import errors, ids
from ..domain.project import Project
from ..domain.registry import Registry
from .common import PROJECT, REQUEST_ID, json_response, with_key

log = logging.getLogger("mockserver")

REGISTRY = web.AppKey("registry", Registry)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def basic_credentials(header: str | None) -> tuple[str, str]:
    """``(user, password)`` of an HTTP Basic ``Authorization`` header; 401 otherwise."""
    if not header or not header[:6].lower() == "basic ":
        raise errors.unauthorized_credentials()
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 once decoded
        raise errors.unauthorized_credentials() from None
    project_id, sep, secret = decoded.partition(":")
    if not sep:
        raise errors.unauthorized_credentials()
    return project_id, secret


# Authorization header -> project, for headers that authenticated once (secrets never change
# while the server runs). Bounded, so a client cycling through headers cannot grow it.
AUTHENTICATED = web.AppKey("authenticated", dict)
_AUTHENTICATED_MAX = 4096


def _project(request: web.Request) -> Project:
    header = request.headers.get("Authorization")
    known: dict[str, Project] = request.app[AUTHENTICATED]
    project = known.get(header) if header else None
    if project is not None:
        request.app[REGISTRY].touch(project)
        return project
    project_id, secret = basic_credentials(header)
    project = request.app[REGISTRY].authenticate(project_id, secret)
    if header and len(known) < _AUTHENTICATED_MAX:
        known[header] = project
    return project


def forget_project(known: dict[str, Project], project: Project) -> None:
    """Drop the cached headers of a project the registry forgot (Registry.on_evict)."""
    for header in [h for h, p in known.items() if p is project]:
        del known[header]


def _error_response(error: errors.StytchError, request_id: str) -> web.Response:
    return json_response(json.dumps(error.body(request_id)), status=error.status_code)


async def answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, credentials and Stytch-shaped errors around ``handler`` (the core of the one
    middleware, http.pipeline)."""
    request_id = ids.request_id()
    request[REQUEST_ID] = request_id
    try:
        match = request.match_info
        if match.http_exception is None and not getattr(match.handler, "public", False):
            project = _project(request)
            request[PROJECT] = project if project.has_key else await with_key(request, project)
        if request.method != "GET":
            request.app[REGISTRY].changes += 1  # may change state: the state file follows
        return await handler(request)
    except errors.StytchError as exc:
        return _error_response(exc, request_id)
    except web.HTTPException as exc:
        if exc.status == 404:
            error = errors.route_not_found()
        elif exc.status == 405:
            response = _error_response(errors.method_not_allowed(), request_id)
            if "Allow" in exc.headers:
                response.headers["Allow"] = exc.headers["Allow"]
            return response
        elif exc.status == 413:
            error = errors.body_too_large()
        elif 400 <= exc.status < 500:
            error = errors.StytchError(exc.status, "bad_request", exc.reason)
        else:
            raise
        return _error_response(error, request_id)
    except ConnectionError:  # the client hung up (mid-body): one quiet line, no traceback
        log.debug("client closed %s %s (%s)", request.method, request.path, request_id)
        error = errors.StytchError(400, "client_closed_request", "The client closed the request.")
        return _error_response(error, request_id)
    except Exception:  # a bug in the mock: say so in the log, not in the body
        log.exception("unhandled error on %s %s (%s)", request.method, request.path, request_id)
        error = errors.StytchError(
            500,
            "internal_server_error",
            "The mock hit an unexpected error; its log has the details.",
        )
        return _error_response(error, request_id)
