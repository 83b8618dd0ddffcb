"""Where session JWTs get their RS256 signatures.

An RS256 signature with a 2048-bit key costs about 0.3 ms of CPU: a third of everything the mock
does for a whole discovery login (benchmarks/README.md). The domain only encodes a JWT
(:class:`~mockserver.domain.keys.SessionJWT`); the HTTP layer has it signed here, after the state
change is complete, when it renders the response:

- :class:`InlineSigner` signs on the event loop. The in-process server (``MockServer``, the
  pytest fixture) uses it: no extra process, and a test suite never signs enough to notice.
- :class:`ProcessSigner` hands the bytes to sign to a helper process (``python -m
  mockserver.signer``) over a pipe and awaits the signature, so the event loop serves other
  requests meanwhile and a second core does the signing. ``stytch-mock`` uses it unless given
  ``--jwt-signer inline``. If the helper cannot start, dies, or leaves a signature unanswered
  for ``timeout`` seconds (a stopped or wedged process), the signer says so once on the
  ``mockserver`` log, stops the helper and signs inline from then on; no request fails
  because of it.

RSASSA-PKCS1-v1_5 is deterministic, so both give byte-identical JWTs.

The pipe protocol (parent to helper; the helper answers each ``S`` frame in order):

- ``K`` frame: register a key: header ``!cHI`` (b"K", len(kid), len(pem)), kid, PEM.
- ``S`` frame: sign: header ``!cHI`` (b"S", len(kid), len(data)), kid, data.
- answer: ``!H`` length, then the signature; length 0 means "unknown key" (signed inline).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import struct
import sys
from typing import Protocol

from .domain.keys import SessionJWT, SigningKey

log = logging.getLogger("mockserver")

_FRAME = struct.Struct("!cHI")
_ANSWER = struct.Struct("!H")


class Signer(Protocol):
    async def sign(self, jwt: SessionJWT) -> str: ...


class InlineSigner:
    """Signs on the caller's thread."""

    async def sign(self, jwt: SessionJWT) -> str:
        return jwt.sign_here()  # the JWT's own token when it is signed already


class ProcessSigner:
    """Signs in a helper process. ``await start()`` before use and ``await close()`` after; until
    it has started (or after it failed) it signs inline."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self._transport: asyncio.SubprocessTransport | None = None
        self._stdin: asyncio.WriteTransport | None = None
        # (JWT, its future, when it was sent), oldest first: the helper answers in order
        self._pending: collections.deque[tuple[SessionJWT, asyncio.Future[str], float]] = (
            collections.deque()
        )
        self._watchdog: asyncio.TimerHandle | None = None
        self._registered: dict[str, SigningKey] = {}
        self._buffer = bytearray()
        self._exited: asyncio.Future[None] | None = None

    @property
    def running(self) -> bool:
        return self._stdin is not None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._exited = loop.create_future()
        env = dict(os.environ)
        # The helper imports this package from wherever the server imported it.
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        try:
            transport, _ = await loop.subprocess_exec(
                lambda: _HelperProtocol(self),
                sys.executable,
                "-m",
                "mockserver.signer",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=None,
                env=env,
                # Its own session: a Ctrl-C meant for the server does not reach it; the
                # server stops it (close), or it stops at end of input if the server dies.
                start_new_session=True,
            )
        except (OSError, RuntimeError) as exc:
            log.warning("JWT signer process did not start (%s); signing on the event loop", exc)
            return
        self._transport = transport
        self._stdin = transport.get_pipe_transport(0)  # type: ignore[assignment]

    async def sign(self, jwt: SessionJWT) -> str:
        if jwt.token is not None:
            return jwt.token
        stdin = self._stdin
        if stdin is None:
            return jwt.sign_here()
        key = jwt.key
        kid = key.kid.encode()
        if self._registered.get(key.kid) is not key:
            pem = key.private_pem().encode()
            stdin.write(_FRAME.pack(b"K", len(kid), len(pem)) + kid + pem)
            self._registered[key.kid] = key
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        self._pending.append((jwt, future, loop.time()))
        stdin.write(_FRAME.pack(b"S", len(kid), len(jwt.signing_input)) + kid + jwt.signing_input)
        if self._watchdog is None:
            self._watchdog = loop.call_later(self.timeout, self._watch)
        return await future

    def _watch(self) -> None:
        """Runs while signatures are owed: the oldest must come within ``timeout``."""
        self._watchdog = None
        if not self._pending or self._stdin is None:
            return
        loop = asyncio.get_running_loop()
        due = self._pending[0][2] + self.timeout
        if loop.time() < due:
            self._watchdog = loop.call_at(due, self._watch)
            return
        transport = self._transport
        self._lost(f"did not answer within {self.timeout:g} s")
        if transport is not None:
            transport.kill()  # a stopped process dies of SIGKILL too

    def _answers(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 2 and self._pending:
            (size,) = _ANSWER.unpack_from(buffer)
            if len(buffer) < 2 + size:
                break
            signature = bytes(buffer[2 : 2 + size])
            del buffer[: 2 + size]
            jwt, future, _ = self._pending.popleft()
            token = jwt.with_signature(signature) if size else jwt.sign_here()
            if not future.done():
                future.set_result(token)

    def _lost(self, reason: str) -> None:
        """The helper is gone: sign what it still owed inline, and everything after."""
        if self._stdin is not None:
            log.warning("JWT signer process %s; signing on the event loop", reason)
        self._stdin = None
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._pending:
            jwt, future, _ = self._pending.popleft()
            if not future.done():
                future.set_result(jwt.sign_here())
        if self._exited is not None and not self._exited.done():
            self._exited.set_result(None)

    async def close(self, timeout: float = 5.0) -> None:
        transport, self._transport = self._transport, None
        stdin, self._stdin = self._stdin, None
        if transport is None:
            return
        if stdin is not None:
            stdin.close()  # the helper exits at end of input
        try:
            if self._exited is not None:
                await asyncio.wait_for(asyncio.shield(self._exited), timeout)
        except TimeoutError:
            transport.kill()
        finally:
            transport.close()


class _HelperProtocol(asyncio.SubprocessProtocol):
    def __init__(self, signer: ProcessSigner) -> None:
        self._signer = signer

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self._signer._answers(data)

    def connection_lost(self, exc: Exception | None) -> None:
        # Called once the helper has exited and its pipes are drained.
        self._signer._lost("exited")


def _read_exactly(stream: object, size: int) -> bytes | None:
    data = stream.read(size)  # type: ignore[attr-defined]
    return data if len(data) == size else None


def helper_main() -> int:
    """The helper process: read frames on stdin, write signatures on stdout, stop at EOF."""
    from cryptography.hazmat.primitives import serialization

    from .domain.keys import rs256_signature

    stdin = sys.stdin.buffer
    out = sys.stdout.fileno()
    keys = {}
    while True:
        header = _read_exactly(stdin, _FRAME.size)
        if header is None:
            return 0
        kind, kid_size, size = _FRAME.unpack(header)
        kid = _read_exactly(stdin, kid_size)
        data = _read_exactly(stdin, size)
        if kid is None or data is None:
            return 0
        if kind == b"K":
            keys[kid] = serialization.load_pem_private_key(data, password=None)
            continue
        key = keys.get(kid)
        signature = rs256_signature(key, data) if key is not None else b""  # type: ignore[arg-type]
        answer = _ANSWER.pack(len(signature)) + signature
        while answer:
            answer = answer[os.write(out, answer) :]


if __name__ == "__main__":
    sys.exit(helper_main())
