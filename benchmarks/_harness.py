"""Shared parts of the benchmarks: server processes, load-generating HTTP clients, statistics.

Nothing here imports the mock: the servers run in processes of their own (so the load generator
never shares their event loop or GIL) and are reached over loopback HTTP only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

HERE = Path(__file__).resolve().parent

# The mock's documented default test credentials (mockserver/settings.py), passed explicitly so a
# .env file in the working directory cannot change them.
PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000"
SECRET = "secret-test-stytch-b2b-mock-local-only"
AUTHORIZATION = "Basic " + base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()).decode()

_CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """A request the benchmark relies on did not answer as expected."""


# --- server processes -------------------------------------------------------------------------


class ServerProcess:
    """A server started as ``python <script> <args>``; its first ``listening on URL`` line on
    stdout gives the URL. Extra ``KEY value...`` lines before it are kept in ``info``."""

    def __init__(self, script: str, args: Iterable[str] = (), *, timeout: float = 300.0) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / script), *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.pid = self.proc.pid
        self.info: dict[str, list[str]] = {}
        self.url = self._wait_for_url(timeout)
        parts = urlsplit(self.url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80

    def _wait_for_url(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on (\S+)", line)
            if match:
                return match.group(1).rstrip("/") + "/"
            key, _, rest = line.strip().partition(" ")
            if key.isupper():
                self.info[key] = rest.split()
        self.stop()
        self._stderr.seek(0)
        raise BenchError(f"the server did not start: {self._stderr.read()[-2000:]}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far: its own process and its live
        child processes (the mock's JWT signer, see mockserver/signer.py)."""
        return _process_cpu_seconds(self.pid) + self.helper_cpu_seconds()

    def helper_cpu_seconds(self) -> float:
        """CPU time of the server's live child processes only."""
        return sum(_process_cpu_seconds(pid) for pid in _children(self.pid))

    def status_kb(self, name: str) -> int:
        """A ``kB`` line of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``), added up over the
        server's process and its live child processes (the JWT signer)."""
        return sum(_status_kb(pid, name) for pid in (self.pid, *_children(self.pid)))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MockProcess(ServerProcess):
    """The mock (benchmarks/_server.py), with its garbage-collector log."""

    def __init__(
        self,
        *,
        preload_sessions: int = 0,
        profile: str | None = None,
        extra_args: Iterable[str] = (),
    ) -> None:
        fd, self._gc_path = tempfile.mkstemp(prefix="bench-gc-", suffix=".json")
        os.close(fd)
        args = ["--project-id", PROJECT_ID, "--secret", SECRET, "--gc-log", self._gc_path]
        args += list(extra_args)
        if preload_sessions:
            args += ["--preload-sessions", str(preload_sessions)]
        if profile:
            args += ["--profile", profile]
        try:
            super().__init__("_server.py", args)
        except BaseException:
            os.unlink(self._gc_path)
            raise

    def gc_events(
        self, since: float = 0.0, until: float = math.inf
    ) -> list[tuple[float, float, int]]:
        """(epoch start, pause seconds, generation) of each collection in [since, until)."""
        events = []
        try:
            with open(self._gc_path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and since <= float(parts[0]) < until:
                        events.append((float(parts[0]), float(parts[1]), int(parts[2])))
        except OSError:
            pass
        return events

    def stop(self) -> None:
        super().stop()
        if os.path.exists(self._gc_path):
            os.unlink(self._gc_path)


def gc_summary(events: list[tuple[float, float, int]]) -> dict[str, Any]:
    """Collections and their pauses, by generation."""
    out: dict[str, Any] = {}
    for g in (0, 1, 2):
        pauses = [e[1] for e in events if e[2] == g]
        out[f"gen{g}"] = {
            "collections": len(pauses),
            "total_ms": round(sum(pauses) * 1000, 1),
            "max_ms": round(max(pauses, default=0.0) * 1000, 1),
        }
    return out


def start_mock(
    *, preload_sessions: int = 0, profile: str | None = None, extra_args: Iterable[str] = ()
) -> MockProcess:
    return MockProcess(preload_sessions=preload_sessions, profile=profile, extra_args=extra_args)


def start_bare() -> ServerProcess:
    return ServerProcess("_bare.py")


# --- clients ----------------------------------------------------------------------------------


class AiohttpClient:
    """aiohttp's client with one connection per concurrent request (connector limit = C)."""

    name = "aiohttp"

    def __init__(self, server: ServerProcess, concurrency: int) -> None:
        self._base = server.url.rstrip("/")
        self._concurrency = concurrency
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AiohttpClient:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._concurrency),
            headers={"Authorization": AUTHORIZATION, "Content-Type": "application/json"},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        assert self._session is not None
        async with self._session.request(method, self._base + path, data=body) as response:
            return response.status, await response.read()


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that carries one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._head_end = -1
        self._total = -1
        self._status = 0
        self._close_after = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(BenchError(f"connection lost: {exc}"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._total < 0:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            self._status = int(head[0].split(" ", 2)[1])
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "content-length" not in headers:
                self._fail(BenchError(f"response without Content-Length: {head}"))
                return
            self._close_after = headers.get("connection", "").lower() == "close"
            self._head_end = end + 4
            self._total = self._head_end + int(headers["content-length"])
        if len(self._buffer) >= self._total:
            body = bytes(self._buffer[self._head_end : self._total])
            del self._buffer[: self._total]
            self._total = -1
            if self._close_after and self.transport is not None:
                self.transport.close()
                self.closed = True
            waiter, self._waiter = self._waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_result((self._status, body))

    def _fail(self, exc: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc)
        if self.transport is not None:
            self.transport.close()
        self.closed = True

    async def send(self, data: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self._waiter


class RawClient:
    """A minimal HTTP/1.1 client on asyncio protocols: C keep-alive connections, requests written
    as prebuilt bytes, responses read by Content-Length. About twice as fast as aiohttp's client,
    so it can saturate a bare aiohttp server on its own core."""

    name = "raw"

    def __init__(self, server: ServerProcess, concurrency: int) -> None:
        self._host = server.host
        self._port = server.port
        self._concurrency = concurrency
        self._pool: asyncio.LifoQueue[_Connection] = asyncio.LifoQueue()
        self._all: list[_Connection] = []
        self._prefix = (
            f"Host: {self._host}:{self._port}\r\nAuthorization: {AUTHORIZATION}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(_Connection, self._host, self._port)
        self._all.append(conn)
        return conn

    async def __aenter__(self) -> RawClient:
        for _ in range(self._concurrency):
            self._pool.put_nowait(await self._connect())
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in self._all:
            if conn.transport is not None:
                conn.transport.close()

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        body = body or b""
        data = (
            f"{method} {path} HTTP/1.1\r\n".encode()
            + self._prefix
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        conn = await self._pool.get()
        try:
            if conn.closed:
                conn = await self._connect()
            return await conn.send(data)
        finally:
            self._pool.put_nowait(conn)


CLIENTS = {"aiohttp": AiohttpClient, "raw": RawClient}


@asynccontextmanager
async def open_client(kind: str, server: ServerProcess, concurrency: int) -> AsyncIterator[Any]:
    async with CLIENTS[kind](server, concurrency) as client:
        yield client


# --- timing -----------------------------------------------------------------------------------


class Recorder:
    """Sends requests through a client and keeps each one's latency under a name."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.latencies: dict[str, list[float]] = {}

    def reset(self) -> None:
        self.latencies = {}

    async def call(
        self,
        name: str,
        method: str,
        path: str,
        payload: Any = None,
        *,
        parse: bool = True,
        expect: int = 200,
    ) -> Any:
        body = json.dumps(payload).encode() if payload is not None else None
        started = time.perf_counter()
        status, raw = await self.client.request(method, path, body)
        self.latencies.setdefault(name, []).append(time.perf_counter() - started)
        if status != expect:
            raise BenchError(f"{method} {path} answered {status}: {raw[:500]!r}")
        return json.loads(raw) if parse else raw


async def run_workers(
    items: Iterable[Any], work: Callable[[Any], Awaitable[None]], concurrency: int
) -> float:
    """``work(item)`` for every item, ``concurrency`` at a time; the elapsed seconds."""
    iterator = iter(items)

    async def worker() -> None:
        for item in iterator:
            await work(item)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (state is [0], ppid [1])."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rpartition(")")[2].split()


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = _stat_fields(pid)
    except OSError:  # it has just exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def _status_kb(pid: int, name: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise BenchError(f"no {name} in /proc/{pid}/status")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(int(entry))[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (busy jiffies of /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return (sum(fields[:3]) + sum(fields[5:8])) / _CLK_TCK


class CpuMeter:
    """CPU used during a span by the server, by this process (the client) and by everything else
    on the machine (other jobs competing for the cores)."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self._helper_start = server.helper_cpu_seconds()
        self.helper_seconds = 0.0
        self._start = self._read()

    def _read(self) -> tuple[float, float, float]:
        return (self.server.cpu_seconds(), time.process_time(), machine_busy_seconds())

    def stop(self) -> tuple[float, float, float]:
        """(server, client, others) CPU seconds since the meter was made."""
        end = self._read()
        self.helper_seconds = self.server.helper_cpu_seconds() - self._helper_start
        server, client, machine = (e - s for e, s in zip(end, self._start, strict=True))
        return server, client, max(0.0, machine - server - client)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measure:
    """One batch of requests: how many, how long, the latencies and the server's CPU time."""

    count: int
    seconds: float
    latencies: list[float] = field(repr=False)
    server_cpu_seconds: float = math.nan
    client_cpu_seconds: float = math.nan
    other_cpu_seconds: float = math.nan

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else math.nan

    def summary(self) -> dict[str, float]:
        return {
            "requests": self.count,
            "seconds": round(self.seconds, 4),
            "requests_per_s": round(self.rate, 1),
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 3),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 3),
            "server_cpu_ms_per_request": round(self.server_cpu_seconds / self.count * 1000, 4),
            "server_cpu_busy": round(self.server_cpu_seconds / self.seconds, 3),
            "client_cpu_busy": round(self.client_cpu_seconds / self.seconds, 3),
            "other_processes_cpu_busy": round(self.other_cpu_seconds / self.seconds, 3),
        }


def environment() -> dict[str, Any]:
    cpu_model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        loadavg = f.read().split()[:3]
    return {
        "loadavg_at_start": [float(v) for v in loadavg],
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "platform": platform.platform(),
    }


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                str(c).rjust(w) if i else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def gc_line(summary: dict[str, Any]) -> str:
    return ", ".join(
        f"gen{g} {summary[f'gen{g}']['collections']}x (max {summary[f'gen{g}']['max_ms']} ms, "
        f"total {summary[f'gen{g}']['total_ms']} ms)"
        for g in (0, 1, 2)
    )


def top_functions(profile_path: str, limit: int = 25) -> str:
    """The ``limit`` functions with the most own time in a cProfile dump, as text."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profile_path, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()
