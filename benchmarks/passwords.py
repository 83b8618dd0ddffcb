"""Password sign-in throughput of the mock, beside the bare aiohttp handler, hashing included.

    .venv/bin/python benchmarks/passwords.py [--members N] [--requests N] [--concurrency C]
        [--client raw|aiohttp] [--json]

1. The hashing cost alone, in this process: one argon2id hash and one verify with the mock's
   default parameters (``PasswordPolicy``: argon2id t=1, m=1024 KiB, p=1; argon2-cffi).
2. The bare handler (benchmarks/_bare.py): N POSTs at concurrency C: the yardstick.
3. A fresh mock (benchmarks/_server.py), N members seeded with a password (POST /_mock/seed,
   stored as argon2id), then N ``POST /v1/b2b/passwords/authenticate`` (each verifies the
   argon2id hash and starts a session with a signed JWT), and N ``strength_check`` calls
   (zxcvbn): requests/s, p50/p99, the server's CPU per request.

Measures only; asserts nothing (see README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _harness import (  # noqa: E402
    CpuMeter,
    Measure,
    Recorder,
    ServerProcess,
    environment,
    open_client,
    run_workers,
    start_bare,
    start_mock,
    table,
)

from mockserver.domain.passwords.hashing import PasswordHash, hash_password, verify  # noqa: E402
from mockserver.domain.passwords.policy import DEFAULT_POLICY  # noqa: E402

PASSWORD = "correct horse battery staple 42"
SEED_PER_CALL = 500


def hashing_cost(rounds: int = 200) -> dict[str, Any]:
    params = DEFAULT_POLICY.argon2
    started = time.perf_counter()
    for _ in range(rounds):
        stored = hash_password(PASSWORD, params)
    hash_ms = (time.perf_counter() - started) / rounds * 1000
    record = PasswordHash("argon_2id", stored)
    started = time.perf_counter()
    for _ in range(rounds):
        assert verify(record, PASSWORD)
    verify_ms = (time.perf_counter() - started) / rounds * 1000
    return {
        "parameters": f"argon2id t={params.time_cost} m={params.memory_cost} KiB "
        f"p={params.parallelism}",
        "hash_ms": round(hash_ms, 3),
        "verify_ms": round(verify_ms, 3),
    }


async def measure(
    rec: Recorder, server: ServerProcess, name: str, items: list[Any], work: Any, c: int
) -> dict[str, Any]:
    rec.latencies.pop(name, None)
    meter = CpuMeter(server)
    seconds = await run_workers(items, work, c)
    return Measure(len(items), seconds, rec.latencies.get(name, []), *meter.stop()).summary()


async def bare_run(args: argparse.Namespace) -> dict[str, Any]:
    with start_bare() as server:
        async with open_client(args.client, server, args.concurrency) as client:
            rec = Recorder(client)
            body = {"organization_id": "x", "email_address": "a@b.co", "password": PASSWORD}

            async def post(_: int) -> None:
                await rec.call("POST", "POST", "/bare", body, parse=False)

            await run_workers(range(min(args.requests, 500)), post, args.concurrency)
            return await measure(
                rec, server, "POST", list(range(args.requests)), post, args.concurrency
            )


async def mock_run(args: argparse.Namespace) -> dict[str, Any]:
    server = start_mock()
    with server:
        async with open_client(args.client, server, args.concurrency) as client:
            rec = Recorder(client)
            emails = [f"pw-{i}@acme-bench.example" for i in range(args.members)]
            # One organization (slug bench-<start>) per seed call of SEED_PER_CALL members.
            org_of = {e: f"bench-{i - i % SEED_PER_CALL}" for i, e in enumerate(emails)}
            started = time.perf_counter()
            for start in range(0, len(emails), SEED_PER_CALL):
                members = [
                    {"email_address": e, "password": PASSWORD}
                    for e in emails[start : start + SEED_PER_CALL]
                ]
                organization = {
                    "organization_name": f"Bench {start}",
                    "organization_slug": f"bench-{start}",
                    "members": members,
                }
                await rec.call("seed", "POST", "/_mock/seed", {"organizations": [organization]})
            seed_seconds = time.perf_counter() - started

            def sign_in(i: int) -> Any:
                email = emails[i % len(emails)]
                body = {
                    "organization_id": org_of[email],
                    "email_address": email,
                    "password": PASSWORD,
                }
                return rec.call("authenticate", "POST", "/v1/b2b/passwords/authenticate", body)

            async def authenticate(i: int) -> None:
                resp = await sign_in(i)
                if not resp["member_authenticated"]:
                    raise RuntimeError("password sign-in did not authenticate")

            async def strength(i: int) -> None:
                await rec.call(
                    "strength_check",
                    "POST",
                    "/v1/b2b/passwords/strength_check",
                    {"password": f"{PASSWORD} {i}"},
                )

            await run_workers(range(min(args.requests, 200)), authenticate, args.concurrency)
            items = list(range(args.requests))
            return {
                "members": args.members,
                "seed_seconds": round(seed_seconds, 3),
                "authenticate": await measure(
                    rec, server, "authenticate", items, authenticate, args.concurrency
                ),
                "strength_check": await measure(
                    rec, server, "strength_check", items, strength, args.concurrency
                ),
            }


def report(result: dict[str, Any]) -> str:
    hashing = result["hashing"]
    rows = []
    for name, m in (
        ("bare handler POST", result["bare"]),
        ("passwords/authenticate", result["mock"]["authenticate"]),
        ("passwords/strength_check", result["mock"]["strength_check"]),
    ):
        rows.append(
            [
                name,
                f"{m['requests_per_s']:.0f}",
                f"{m['p50_ms']:.2f}",
                f"{m['p99_ms']:.2f}",
                f"{m['server_cpu_ms_per_request']:.3f}",
            ]
        )
    bare = result["bare"]["requests_per_s"]
    auth = result["mock"]["authenticate"]["requests_per_s"]
    return "\n".join(
        [
            f"hashing ({hashing['parameters']}): hash {hashing['hash_ms']} ms, "
            f"verify {hashing['verify_ms']} ms",
            f"{result['mock']['members']} members seeded with a password in "
            f"{result['mock']['seed_seconds']} s",
            "",
            table(rows, ["endpoint", "req/s", "p50 ms", "p99 ms", "server CPU ms/req"]),
            "",
            f"password sign-in runs at {auth / bare:.0%} of the bare handler's rate",
            f"environment: {json.dumps(result['environment'])}",
        ]
    )


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    env = environment()
    hashing = hashing_cost()
    bare = await bare_run(args)
    mock = await mock_run(args)
    return {"environment": env, "hashing": hashing, "bare": bare, "mock": mock}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--client", choices=["raw", "aiohttp"], default="raw")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
