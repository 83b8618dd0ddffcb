"""Connections: timeouts, a connection cap, Stytch-shaped answers to malformed HTTP.

A mock shared by a team or a CI fleet runs for weeks, so no client may hold it up:

- **idle timeout**: a connection with no request in flight is closed after ``idle_timeout``
  seconds (aiohttp's keep-alive timeout, which also covers a connection that never sends a
  byte);
- **header timeout**: a request whose line and headers have not all arrived ``header_timeout``
  seconds after its first byte gets a 408 and the connection is closed (slowloris);
- **body timeout**: a body that has not all arrived ``body_timeout`` seconds after its handler
  started reading it is a 408 (``http.common.read_body``);
- **connection cap**: past ``max_connections`` open connections, a new one gets a 503
  ``server_unavailable`` and is closed at once, so the server never runs out of file
  descriptors (the cap stays below the process's limit);
- **shutdown**: a request still running when the server stops gets ``shutdown_timeout``
  seconds to finish, then is cancelled.

aiohttp answers a request it cannot parse (an oversized request line or header, more than 128
headers, ``Content-Length`` together with ``Transfer-Encoding``, a bad method, a raw byte that
is not allowed in the path) before any middleware runs; :class:`_Connection` overrides that
answer with Stytch's error shape (400 ``bad_request``, no echo of the bytes) and logs one
quiet line instead of a traceback. Bytes that are not HTTP at all cannot be answered
(README.md, "Fidelity notes").
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import resource
import socket
import ssl
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import http_exceptions, web, web_protocol, web_server

from .. import errors, ids

log = logging.getLogger("mockserver")


@dataclass(frozen=True)
class Limits:
    idle_timeout: float = 75.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1024
    shutdown_timeout: float = 2.0

    def effective_max_connections(self) -> int:
        """The cap, kept below the process's file-descriptor limit, with room for a batch of
        accepts (asyncio accepts up to the listen backlog at once, before any connection is
        counted) and for the listening socket, the signer's pipes, the state file and logs."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.max_connections
        return max(1, min(self.max_connections, soft - 3 * ACCEPT_BACKLOG - 16))


# The listen backlog, which is also how many connections asyncio accepts in one go; a refused
# connection's descriptor is closed a turn or two of the loop later, so a few batches may be
# open at once on top of the cap.
ACCEPT_BACKLOG = 8


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Should descriptors run out anyway (other processes' sockets, a tiny limit), asyncio
    stops accepting for a second and reports it with a traceback each time: make that one
    warning line at most every ten seconds."""
    last = [-math.inf]

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if str(context.get("message", "")).startswith("socket.accept() out of system resource"):
            now = loop.time()
            if now - last[0] >= 10:
                last[0] = now
                log.warning("out of file descriptors: accepting again in a moment")
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


# The kernel's queue of connections not yet accepted. asyncio uses one number for this and
# for its accept batch; the batch stays ACCEPT_BACKLOG, the queue is re-set after start: with a
# queue of 8, a burst of clients (50 at once in tests/test_concurrency.py) overflows it while the
# loop is busy, Linux drops the extra SYNs and those clients retry a second later.
LISTEN_QUEUE = 512


class _Site(web.TCPSite):
    async def start(self) -> None:
        await super().start()
        server = self._server
        assert isinstance(server, asyncio.base_events.Server)
        for listening in server.sockets:
            # A duplicate of the listening descriptor: listen() on it re-sizes the one queue.
            with socket.fromfd(listening.fileno(), listening.family, listening.type) as dup:
                dup.listen(LISTEN_QUEUE)


def site(
    runner: web.BaseRunner, host: str | None, port: int, ssl_context: ssl.SSLContext | None = None
) -> web.TCPSite:
    """The listening socket of a server run by :class:`MockRunner` (HTTPS with a context)."""
    return _Site(runner, host, port, backlog=ACCEPT_BACKLOG, ssl_context=ssl_context)


LIMITS = web.AppKey("limits", Limits)


def error_bytes(error: errors.StytchError) -> bytes:
    """A whole HTTP/1.1 response carrying ``error``, that closes the connection: for answers
    written straight to a transport, outside aiohttp's request handling."""
    body = json.dumps(error.body(ids.request_id())).encode()
    reason = HTTPStatus(error.status_code).phrase
    head = (
        f"HTTP/1.1 {error.status_code} {reason}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def server_unavailable() -> errors.StytchError:
    return errors.StytchError(
        503, "server_unavailable", "The mock has too many open connections; try again."
    )


def header_timeout(seconds: float) -> errors.StytchError:
    return errors.StytchError(
        408, "bad_request", f"The request's headers did not arrive within {seconds:g} seconds."
    )


# Why aiohttp could not parse a request, in words that echo none of the client's bytes.
_PARSE_ERRORS: list[tuple[type[Exception], str]] = [
    (http_exceptions.LineTooLong, "The request line or a header is too long."),
    (http_exceptions.BadHttpMethod, "The request method is not a valid HTTP method."),
    (http_exceptions.InvalidURLError, "The request's path is not a valid URL path."),
    (http_exceptions.InvalidHeader, "A request header is not a valid HTTP header."),
    (http_exceptions.BadStatusLine, "The request line is not valid HTTP/1.1."),
    (http_exceptions.PayloadEncodingError, "The request body's framing is not valid HTTP/1.1."),
]


def _parse_error_message(exc: BaseException | None) -> str:
    for kind, message in _PARSE_ERRORS:
        if isinstance(exc, kind):
            return message
    text = str(getattr(exc, "message", "") or "")
    if "header" in text.lower() and "many" in text.lower():
        return "The request has too many headers."
    return "The request is not valid HTTP/1.1."


class _Connection(web_protocol.RequestHandler):
    """aiohttp's connection handler with the cap, the header timeout and Stytch-shaped answers
    to what aiohttp cannot parse."""

    __slots__ = ("_rejected", "_header_timer")

    def __init__(self, manager: Any, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._rejected = False
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        server: _Server = self._manager  # type: ignore[assignment]
        if server.open_connections >= server.max_connections:
            self._rejected = True
            transport.write(error_bytes(server_unavailable()))  # type: ignore[attr-defined]
            transport.close()
            return
        server.open_connections += 1
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._rejected:
            return
        self._disarm()
        if self._manager is not None:
            self._manager.open_connections -= 1  # type: ignore[attr-defined]
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._messages or self._request_in_progress:
            self._disarm()  # a whole request line and headers arrived
        elif data and self._header_timer is None and self.transport is not None:
            timeout = self._manager.header_timeout  # type: ignore[union-attr]
            self._header_timer = self._loop.call_later(timeout, self._headers_too_slow, timeout)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self, timeout: float) -> None:
        self._header_timer = None
        waiting = self._waiter is not None and not self._waiter.done()
        if waiting and not self._messages and self.transport is not None:
            self.transport.write(error_bytes(header_timeout(timeout)))
            self.force_close()

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:  # as aiohttp: too late for another response
            raise ConnectionError("the response was under way already")
        if isinstance(exc, ConnectionError):
            log.debug("client closed a request from %s", request.remote)
            error = errors.bad_request("The client closed the request.")
        elif status == 504:
            error = errors.StytchError(504, "internal_server_error", "The request timed out.")
        elif status >= 500:
            log.error("unhandled error on a request", exc_info=exc)
            error = errors.StytchError(
                500,
                "internal_server_error",
                "The mock hit an unexpected error; its log has the details.",
            )
        else:
            log.debug("malformed request from %s: %s", request.remote, exc)
            error = errors.bad_request(_parse_error_message(exc))
        response = web.Response(
            status=error.status_code,
            body=json.dumps(error.body(ids.request_id())).encode(),
            content_type="application/json",
        )
        response.force_close()
        return response


class _Server(web_server.Server):
    """Makes :class:`_Connection` handlers and counts the open ones."""

    open_connections: int
    max_connections: int
    header_timeout: float

    def __call__(self) -> _Connection:
        return _Connection(self, loop=self._loop, **self._kwargs)


class MockRunner(web.AppRunner):
    """An AppRunner whose server applies the app's :class:`Limits`."""

    def __init__(self, app: web.Application, **kwargs: Any) -> None:
        limits = app[LIMITS]
        kwargs.setdefault("handle_signals", False)
        super().__init__(
            app,
            shutdown_timeout=limits.shutdown_timeout,
            keepalive_timeout=limits.idle_timeout,
            # a body nobody reads is drained for at most this long before the close
            lingering_time=min(limits.body_timeout, 2.0),
            **kwargs,
        )

    async def _make_server(self) -> web_server.Server:
        server = await super()._make_server()
        # The app's own server, made to hand out _Connection handlers (it keeps every
        # other part of aiohttp's set-up).
        server.__class__ = _Server
        assert isinstance(server, _Server)
        limits = self.app[LIMITS]
        server.open_connections = 0
        server.max_connections = limits.effective_max_connections()
        server.header_timeout = limits.header_timeout
        return server
