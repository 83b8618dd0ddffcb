"""Soak: a mock that runs for a long time keeps its memory flat and its latency steady.

    python benchmarks/soak.py [--seconds 60] [--concurrency 16] [--json]

One mock process (benchmarks/_server.py, bound to 127.0.0.1; every request goes to it over
loopback) gets, for ``--seconds`` seconds, a mix of

- discovery logins of a fixed set of members (send, read the outbox, authenticate, exchange
  the intermediate session for a session, authenticate the session),
- organization logins (login_or_signup, the outbox, authenticate),
- bad input (invalid JSON, NaN, an unknown route, a body over the limit) that must be a 4xx,
- and every two seconds the clock moved an hour, so links, intermediate sessions and sessions
  expire all the time.

The members and organizations are seeded once; everything else a flow makes (links, emails,
intermediate sessions, sessions) expires. Memory is flat when the server drops what expired
(the sweep) and caps its outbox. The run is bounded in time and in requests in flight, and it
stops by itself. It prints the server's resident memory (its own and its JWT signer's) every
``--sample`` seconds, the p50/p99 latency of each window, and the error count: any answer that
was not the one expected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from typing import Any
from urllib.parse import quote

from _harness import (
    BenchError,
    RawClient,
    environment,
    percentile,
    start_mock,
    table,
)

ORGS = 20
MEMBERS_PER_ORG = 5


def email(org: int, member: int) -> str:
    return f"soak-{member}@soak-org-{org}.example"


class Soak:
    """Each worker logs in members of its own (no two flows race for one email's outbox), and
    the clock moves only between flows (a link is never expired under a flow's feet), so every
    answer is known in advance: any other one is an error."""

    def __init__(self, client: RawClient, members: list[tuple[str, str]]) -> None:
        self.client = client
        self.members = members  # (organization_id, email)
        self.latencies: list[float] = []
        self.requests = 0
        self.errors: dict[str, int] = {}
        self.open = asyncio.Event()  # cleared while the clock moves
        self.open.set()
        self.in_flight = 0

    async def call(self, method: str, path: str, payload: Any = None, expect: int = 200) -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        started = time.perf_counter()
        status, raw = await self.client.request(method, path, body if payload is not None else None)
        self.latencies.append(time.perf_counter() - started)
        self.requests += 1
        if status != expect:
            key = f"{method} {path.split('?')[0]} -> {status}"
            self.errors[key] = self.errors.get(key, 0) + 1
            return None
        return json.loads(raw) if raw else None

    async def latest_token(self, address: str) -> str | None:
        box = await self.call("GET", f"/_mock/outbox?to={quote(address)}")
        messages = box["messages"] if box else []
        return messages[-1]["token"] if messages else None

    async def discovery_login(self, mine: list[tuple[str, str]]) -> None:
        org_id, address = random.choice(mine)
        if (
            await self.call(
                "POST", "/v1/b2b/magic_links/email/discovery/send", {"email_address": address}
            )
            is None
        ):
            return
        token = await self.latest_token(address)
        found = await self.call(
            "POST",
            "/v1/b2b/magic_links/discovery/authenticate",
            {"discovery_magic_links_token": token},
        )
        if found is None:
            return
        session = await self.call(
            "POST",
            "/v1/b2b/discovery/intermediate_sessions/exchange",
            {
                "intermediate_session_token": found["intermediate_session_token"],
                "organization_id": org_id,
                "session_duration_minutes": 30,
            },
        )
        if session is not None:
            await self.call(
                "POST", "/v1/b2b/sessions/authenticate", {"session_token": session["session_token"]}
            )

    async def organization_login(self, mine: list[tuple[str, str]]) -> None:
        org_id, address = random.choice(mine)
        sent = await self.call(
            "POST",
            "/v1/b2b/magic_links/email/login_or_signup",
            {"organization_id": org_id, "email_address": address},
        )
        if sent is None:
            return
        token = await self.latest_token(address)
        await self.call(
            "POST",
            "/v1/b2b/magic_links/authenticate",
            {"magic_links_token": token, "session_duration_minutes": 30},
        )

    async def bad_input(self) -> None:
        send = "/v1/b2b/magic_links/email/discovery/send"
        await self.call("POST", send, b'{"email_address": ', expect=400)
        await self.call("POST", send, b'{"email_address": "a@b.co", "x": NaN}', expect=400)
        await self.call("GET", "/v1/b2b/no/such/route", expect=404)
        await self.call("POST", send, b'{"pad": "' + b"x" * 1_100_000 + b'"}', expect=413)

    async def flows(self, worker: int, workers: int, until: float) -> None:
        mine = self.members[worker::workers]
        while time.monotonic() < until:
            await self.open.wait()
            self.in_flight += 1
            try:
                roll = random.random()
                if roll < 0.5:
                    await self.discovery_login(mine)
                elif roll < 0.9:
                    await self.organization_login(mine)
                else:
                    await self.bad_input()
            finally:
                self.in_flight -= 1

    async def clock(self, until: float) -> None:
        while time.monotonic() < until - 2:
            await asyncio.sleep(2)
            self.open.clear()
            while self.in_flight:
                await asyncio.sleep(0.001)
            await self.call("POST", "/_mock/clock", {"advance_seconds": 3600})
            self.open.set()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    random.seed(args.seed)
    with start_mock(extra_args=["--keep-expired", str(args.keep_expired)]) as server:
        async with RawClient(server, args.concurrency + 1) as client:
            seeded = await Soak(client, []).call(
                "POST",
                "/_mock/seed",
                {
                    "organizations": [
                        {
                            "organization_name": f"Soak Org {o}",
                            "organization_slug": f"soak-org-{o}",
                            "members": [
                                {"email_address": email(o, m)} for m in range(MEMBERS_PER_ORG)
                            ],
                        }
                        for o in range(ORGS)
                    ]
                },
            )
            if seeded is None:
                raise BenchError("the seed was refused")
            members = [
                (org["organization_id"], m["email_address"])
                for org in seeded["organizations"]
                for m in org["members"]
            ]
            soak = Soak(client, members)
            samples = []
            start = time.monotonic()
            until = start + args.seconds
            n = args.concurrency
            tasks = [asyncio.ensure_future(soak.flows(i, n, until)) for i in range(n)]
            tasks.append(asyncio.ensure_future(soak.clock(until)))
            seen_requests, seen_latencies = 0, 0
            while time.monotonic() < until:
                await asyncio.sleep(min(args.sample, max(0.0, until - time.monotonic())))
                window = soak.latencies[seen_latencies:]
                samples.append(
                    {
                        "t_s": round(time.monotonic() - start, 1),
                        "rss_mb": round(server.status_kb("VmRSS") / 1024, 1),
                        "signer_rss_mb": round(_helper_rss_kb(server) / 1024, 1),
                        "requests": soak.requests - seen_requests,
                        "p50_ms": round(percentile(window, 50) * 1000, 2),
                        "p99_ms": round(percentile(window, 99) * 1000, 2),
                    }
                )
                seen_requests, seen_latencies = soak.requests, len(soak.latencies)
            await asyncio.gather(*tasks)
            rss = [s["rss_mb"] for s in samples]
            half = len(rss) // 2
            return {
                "environment": environment(),
                "seconds": args.seconds,
                "concurrency": args.concurrency,
                "requests": soak.requests,
                "requests_per_s": round(soak.requests / args.seconds, 1),
                "p50_ms": round(percentile(soak.latencies, 50) * 1000, 2),
                "p99_ms": round(percentile(soak.latencies, 99) * 1000, 2),
                "errors": soak.errors,
                "rss_mb_first_half_max": max(rss[:half], default=0.0),
                "rss_mb_second_half_max": max(rss[half:], default=0.0),
                "samples": samples,
            }


def _helper_rss_kb(server: Any) -> int:
    from _harness import _children, _status_kb

    return sum(_status_kb(pid, "VmRSS") for pid in _children(server.proc.pid))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    p.add_argument("--concurrency", type=int, default=16, help="flows in flight (default 16)")
    p.add_argument("--sample", type=float, default=5.0, help="seconds between samples (5)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the mix (1)")
    p.add_argument(
        "--keep-expired",
        type=float,
        default=3600,
        help="the server's --keep-expired (3600: the soak moves the clock an hour every two "
        "seconds, so the mock's default day would pass only 48 s into the run)",
    )
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    args = p.parse_args(argv)
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    rows = [
        [
            str(s["t_s"]),
            str(s["rss_mb"]),
            str(s["signer_rss_mb"]),
            str(s["requests"]),
            str(s["p50_ms"]),
            str(s["p99_ms"]),
        ]
        for s in report["samples"]
    ]
    print(table(rows, ["t (s)", "RSS (MB)", "signer RSS (MB)", "requests", "p50 ms", "p99 ms"]))
    print(
        f"\n{report['requests']} requests in {report['seconds']:g} s "
        f"({report['requests_per_s']}/s), p50 {report['p50_ms']} ms, p99 {report['p99_ms']} ms"
    )
    print(
        f"RSS max, first half {report['rss_mb_first_half_max']} MB, "
        f"second half {report['rss_mb_second_half_max']} MB"
    )
    errors = report["errors"]
    print("errors: " + (", ".join(f"{k}: {v}" for k, v in errors.items()) if errors else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
