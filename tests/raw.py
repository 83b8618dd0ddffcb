"""Bytes on a socket, for requests no HTTP client will send (non-ASCII headers, broken request
lines, chunked bodies, clients that stop half-way)."""

from __future__ import annotations

import json
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from mockserver.pytest_plugin import RawResponse


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def host_header(url: str) -> str:
    host, port = address(url)
    return f"{host}:{port}"


def connect(url: str, timeout: float = 10) -> socket.socket:
    return socket.create_connection(address(url), timeout=timeout)


def read_response(sock: socket.socket) -> RawResponse:
    """One HTTP/1.1 response (Content-Length framed, or up to the connection's end)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection; got {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        body = body[:length]
    else:
        while chunk := sock.recv(65536):
            body += chunk
    parsed: Any
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = body.decode("latin-1")
    return RawResponse(status, parsed, headers)


def exchange(url: str, raw: bytes, timeout: float = 10) -> RawResponse:
    """Send ``raw`` as it is on a new connection and read one response."""
    with connect(url, timeout) as sock:
        sock.sendall(raw)
        return read_response(sock)


def request_bytes(
    method: str, path: str, host: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    """A request with these headers (encoded as UTF-8, unlike any client would)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body and not any(
        k.lower() in ("content-length", "transfer-encoding") for k in headers or {}
    ):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``sock`` (reading and dropping whatever it sends), or
    None if it was still open after ``seconds``."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            if time.monotonic() - start > seconds:
                return None
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - start
