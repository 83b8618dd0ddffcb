"""RSA keys made ahead of need, off the event loop.

A project's signing key is a 2048-bit RSA key: 50-70 ms of CPU to make. With
``--open-projects`` projects appear while the server runs, and making the key on the event
loop would stall every other request for that long. The pool keeps a few keys made on a worker
thread (OpenSSL releases the GIL while it works): a new project takes one at once, and the HTTP
layer awaits the thread in the rare case the pool has run dry (:meth:`KeyPool.key`).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from cryptography.hazmat.primitives.asymmetric import rsa

from .domain import keys
from .domain.keys import SigningKey
from .ids import new_id


class KeyPool:
    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._ready: deque[rsa.RSAPrivateKey] = deque()
        self._making: deque[Future[None]] = deque()
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="stytch-mock-keys")

    def fill(self) -> None:
        """Start making keys until ``size`` are ready or under way."""
        with self._lock:
            while self._making and self._making[0].done():
                self._making.popleft()
            for _ in range(self.size - len(self._ready) - len(self._making)):
                self._making.append(self._executor.submit(self._make))

    def _make(self) -> None:
        private_key = keys.new_private_key()
        with self._lock:
            self._ready.append(private_key)

    def take(self, env: str) -> SigningKey | None:
        """A ready key (and another one started), or None when none is ready."""
        with self._lock:
            private_key = self._ready.popleft() if self._ready else None
        self.fill()
        return SigningKey(new_id("jwk", env), private_key) if private_key else None

    async def key(self, env: str) -> SigningKey:
        """A key, waiting for the worker thread if none is ready."""
        while (found := self.take(env)) is None:
            with self._lock:
                under_way = self._making[0] if self._making else None
            if under_way is None:  # a pool of size 0: make one on a thread
                private_key = await asyncio.to_thread(keys.new_private_key)
                return SigningKey(new_id("jwk", env), private_key)
            await asyncio.wrap_future(under_way)
        return found

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
