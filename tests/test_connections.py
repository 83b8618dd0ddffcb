"""Connections that would hold a long-running mock up: idle and slow clients, too many
connections, bodies past the limit, malformed HTTP, clients that hang up. One in-process server
with short limits, raw sockets."""

from __future__ import annotations

import logging
import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from mockserver.http.connections import Limits
from mockserver.server import MockServer
from tests import raw
from tests.support import PROJECT_A, assert_stytch_error, basic

LIMITS = Limits(
    idle_timeout=1.0, header_timeout=0.5, body_timeout=0.5, max_connections=6, shutdown_timeout=0.5
)
AUTH = basic(PROJECT_A.project_id, PROJECT_A.secret)
SEND = "/v1/b2b/magic_links/email/discovery/send"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer([PROJECT_A], limits=LIMITS) as running:
        yield running


def host(server: MockServer) -> str:
    return raw.host_header(server.url)


def head(server: MockServer, extra: str = "") -> bytes:
    return (
        f"POST {SEND} HTTP/1.1\r\nHost: {host(server)}\r\nAuthorization: {AUTH}\r\n"
        f"Content-Type: application/json\r\n{extra}"
    ).encode()


# --- bodies past the limit ---


def test_a_chunked_body_is_not_read_past_the_limit(server: MockServer) -> None:
    """The 413 comes once the first megabyte is in, not after the whole body."""
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    sent, limit = 0, 40 * 1024 * 1024
    with raw.connect(server.url) as sock:
        sock.sendall(head(server, "Transfer-Encoding: chunked\r\n\r\n"))
        sock.setblocking(False)
        with selectors.DefaultSelector() as sel:
            sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
            answered = False
            while sent < limit and not answered:
                for _key, events in sel.select(timeout=5):
                    if events & selectors.EVENT_READ:
                        answered = True
                        break
                    try:
                        sent += sock.send(chunk)
                    except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                        pass
        sock.setblocking(True)
        resp = raw.read_response(sock)

    assert_stytch_error(resp, 413, "bad_request")
    # the server stopped at about 1 MB; what it had not read yet sits in socket buffers
    assert sent < 12 * 1024 * 1024, sent


# --- timeouts and the connection cap ---


@pytest.mark.slow  # waits on real time
def test_an_idle_connection_is_closed(server: MockServer) -> None:
    with raw.connect(server.url) as sock:
        closed_after = raw.closed_within(sock, 5)

    assert closed_after is not None and closed_after < 3, closed_after


@pytest.mark.slow  # waits on real time
def test_headers_that_trickle_in_get_a_408(server: MockServer) -> None:
    """Slowloris: a byte every 0.1 s never completes the headers."""
    with raw.connect(server.url) as sock:
        sock.sendall(head(server))
        start = time.monotonic()
        sock.settimeout(0.1)
        received = b""
        while time.monotonic() - start < 5:
            try:
                sock.send(b"X")
                received += sock.recv(65536)
                if not received or b"}" in received:
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        elapsed = time.monotonic() - start

    assert elapsed < 3, elapsed
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 408"), received
    assert b'"error_type": "bad_request"' in rest


@pytest.mark.slow  # waits on real time
def test_a_body_that_stops_half_way_gets_a_408(server: MockServer) -> None:
    with raw.connect(server.url) as sock:
        sock.sendall(head(server, "Content-Length: 100\r\n\r\n") + b'{"email_address": ')
        start = time.monotonic()
        resp = raw.read_response(sock)

    assert_stytch_error(resp, 408, "bad_request")
    assert time.monotonic() - start < 3


def test_connections_past_the_cap_get_a_503_and_the_server_goes_on() -> None:
    # A server of its own: connections other tests left open would count towards the cap.
    with MockServer([PROJECT_A], limits=LIMITS) as server:
        _past_the_cap(server)


def _past_the_cap(server: MockServer) -> None:
    held = [raw.connect(server.url) for _ in range(LIMITS.max_connections)]
    try:
        time.sleep(0.05)  # let the server see them all
        with raw.connect(server.url) as extra:
            refused = raw.read_response(extra)
    finally:
        for sock in held:
            sock.close()
    assert_stytch_error(refused, 503, "server_unavailable")

    deadline = time.monotonic() + 5
    while True:  # the server notices the closed connections within a moment
        resp = raw.exchange(
            server.url, f"GET /_mock/health HTTP/1.1\r\nHost: {host(server)}\r\n\r\n".encode()
        )
        if resp.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert resp.status == 200, resp.json


# --- malformed HTTP ---

MALFORMED = {
    "request line too long": b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "header too long": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Long: "
    + b"a" * 9000
    + b"\r\n\r\n",
    "too many headers": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n"
    + b"".join(b"X-H%d: 1\r\n" % i for i in range(200))
    + b"\r\n",
    "Content-Length with Transfer-Encoding": b"POST " + SEND.encode() + b" HTTP/1.1\r\n"
    b"Host: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "bad method token": b"G(T /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw 0xff in the path": b"GET /_mock/\xffhealth HTTP/1.1\r\nHost: x\r\n\r\n",
    "TLS to the plain port": bytes.fromhex("16030100a5010000a10303") + b"\x00" * 40,
    "broken chunk framing": b"POST " + SEND.encode() + b" HTTP/1.1\r\nHost: x\r\n"
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("request_bytes", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_http_gets_a_stytch_shaped_400(server: MockServer, request_bytes: bytes) -> None:
    resp = raw.exchange(server.url, request_bytes)

    if request_bytes is MALFORMED["broken chunk framing"] and resp.status == 401:
        # The body streams in: the route's credential check may run before the framing error.
        assert_stytch_error(resp, 401, "unauthorized_credentials")
    else:
        assert_stytch_error(resp, 400, "bad_request")
    assert "aaaa" not in resp.json["error_message"] and "\\x" not in resp.json["error_message"]


def test_a_client_that_hangs_up_mid_body_logs_no_traceback(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mockserver")
    with raw.connect(server.url) as sock:
        sock.sendall(head(server, "Content-Length: 1000\r\n\r\n") + b'{"email_address": ')
        time.sleep(0.05)  # the handler is reading the body
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    deadline = time.monotonic() + 5
    while not any("client closed" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        time.sleep(0.02)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--idle-timeout", "0"], "--idle-timeout must be more than 0"),
        (["--max-connections", "-3"], "--max-connections must be more than 0"),
        (["--shutdown-timeout", "-1"], "--shutdown-timeout must be 0 or more"),
        (["--save-interval", "0"], "--save-interval must be more than 0"),
    ],
)
def test_bad_limits_are_a_clear_error(clean_env: object, argv: list[str], message: str) -> None:
    from mockserver.settings import ConfigError
    from tests.test_cli import settings

    with pytest.raises(ConfigError, match=message):
        settings(*argv)


def test_the_limits_flags_reach_the_settings(clean_env: object) -> None:
    from tests.test_cli import settings

    s = settings("--idle-timeout", "5", "--header-timeout", "1.5", "--max-connections", "9")

    assert (s.limits.idle_timeout, s.limits.header_timeout) == (5, 1.5)
    assert s.limits.max_connections == 9 and s.limits.body_timeout == Limits().body_timeout


@pytest.mark.slow  # waits on real time
def test_a_burst_of_connections_is_queued_while_the_loop_is_busy() -> None:
    """60 clients connecting while the server's loop is busy all get through the handshake at
    once: the kernel queues them (``LISTEN_QUEUE``) until the loop accepts. With the accept
    batch as the queue (8), Linux dropped the rest and they retried a second later."""
    with MockServer([PROJECT_A]) as server:
        loop = server._loop
        assert loop is not None
        loop.call_soon_threadsafe(time.sleep, 1.0)  # the loop does nothing else for a second
        time.sleep(0.05)
        host, port = raw.host_header(server.url).split(":")
        opened: list[socket.socket] = []
        try:
            for _ in range(60):
                opened.append(socket.create_connection((host, int(port)), timeout=0.5))
        finally:
            for sock in opened:
                sock.close()
        assert len(opened) == 60
