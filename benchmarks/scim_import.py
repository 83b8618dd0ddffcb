"""SCIM directory import: how fast an identity provider can provision users into the mock, and
whether the cost per user stays flat as the directory grows.

    .venv/bin/python benchmarks/scim_import.py [--users 10000] [--window 1000] [--json]

What runs (see README.md), against one mock server in its own process: one organization and
its SCIM connection (through the backend API), then ``--users`` users provisioned the way Okta
does it, one at a time: ``GET /Users?filter=userName eq "<email>"`` (is the user there?), then
``POST /Users``. Reported per window of ``--window`` users: users/s and the p50/p99 latency of
each request, for the first and the last window (a cost that grew with the directory would show
as a slower last window), and the server's resident memory at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any
from urllib.parse import quote

import aiohttp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (  # noqa: E402
    AUTHORIZATION,
    BenchError,
    environment,
    percentile,
    start_mock,
    table,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


async def _connection(http: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    headers = {"Authorization": AUTHORIZATION}
    async with http.post(
        url + "v1/b2b/organizations", json={"organization_name": "Bench"}, headers=headers
    ) as resp:
        org = (await resp.json())["organization"]["organization_id"]
    async with http.post(
        f"{url}v1/b2b/scim/{org}/connection", json={"identity_provider": "okta"}, headers=headers
    ) as resp:
        conn = (await resp.json())["connection"]
    return conn["base_url"], conn["bearer_token"]


async def run(users: int, window: int) -> dict[str, Any]:
    with start_mock() as server:
        async with aiohttp.ClientSession() as http:
            base, token = await _connection(http, server.url)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
            windows: list[dict[str, Any]] = []
            lookups: list[float] = []
            creates: list[float] = []
            started = time.perf_counter()
            for n in range(users):
                email = f"user{n}@bench.example"
                t0 = time.perf_counter()
                query = quote(f'userName eq "{email}"')
                async with http.get(f"{base}/Users?filter={query}", headers=headers) as resp:
                    found = await resp.json()
                    if resp.status != 200 or found["totalResults"] != 0:
                        raise BenchError(f"lookup of {email}: {resp.status} {found}")
                t1 = time.perf_counter()
                body = {"schemas": [USER_SCHEMA], "userName": email, "emails": [{"value": email}]}
                async with http.post(f"{base}/Users", json=body, headers=headers) as resp:
                    if resp.status != 201:
                        raise BenchError(f"create of {email}: {resp.status} {await resp.text()}")
                    await resp.read()
                t2 = time.perf_counter()
                lookups.append(t1 - t0)
                creates.append(t2 - t1)
                if (n + 1) % window == 0:
                    elapsed = time.perf_counter() - started
                    windows.append(
                        {
                            "users": f"{n + 2 - window}-{n + 1}",
                            "users_per_s": window / elapsed,
                            "lookup_p50_ms": 1000 * percentile(lookups, 50),
                            "lookup_p99_ms": 1000 * percentile(lookups, 99),
                            "create_p50_ms": 1000 * percentile(creates, 50),
                            "create_p99_ms": 1000 * percentile(creates, 99),
                        }
                    )
                    lookups, creates = [], []
                    started = time.perf_counter()
            rss_mb = server.status_kb("VmRSS") / 1024
    return {"users": users, "windows": windows, "rss_mb": rss_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=1_000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.users < args.window or args.window < 1:
        parser.error("--users must be at least --window, which must be positive")
    result = asyncio.run(run(args.users, args.window))
    result["environment"] = environment()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    shown = [result["windows"][0], result["windows"][-1]]
    rows = [
        [
            w["users"],
            f"{w['users_per_s']:.0f}",
            f"{w['lookup_p50_ms']:.2f} / {w['lookup_p99_ms']:.2f}",
            f"{w['create_p50_ms']:.2f} / {w['create_p99_ms']:.2f}",
        ]
        for w in shown
    ]
    header = ["users", "users/s", "lookup p50 / p99 ms", "create p50 / p99 ms"]
    print(table(rows, header))
    print(f"server RSS after {result['users']} users: {result['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
