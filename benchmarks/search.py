"""Search pages, member lookups and memory of the mock with a large data set.

    .venv/bin/python benchmarks/search.py [--orgs 10000] [--members 100000] [--repeat 15]
        [--lookups 2000] [--concurrency 32] [--client aiohttp|raw] [--json] [--profile DIR]

What runs (see README.md), against one mock server in its own process:
1. Seed the first 1% of the data set (100 organizations, 1,000 members by default) through
   POST /_mock/seed and time member lookups by email
   (GET /v1/b2b/organizations/{org}/member?email_address=...): one at a time (latency) and
   at concurrency C (rate).
2. Seed the rest, in calls of about 5,000 members (a choice: the seed route takes bodies up
   to 512 MB), timing each call; read the server's resident memory (VmRSS of
   /proc/<pid>/status).
3. Time the same member lookups again, on members spread over the whole data set.
4. Time organization search and member search pages: each case is sent ``--repeat`` times, one at
   a time, and its p50/max latency (request sent to response body read) is reported. Deep pages
   use cursors obtained by walking the result page by page with the same limit.

Data set: organization o is "Bench Org o" (slug bench-org-o, email_allowed_domains
[orgo.example]); its members are userM@orgo.example, every 10th one invited instead of active.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from typing import Any
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (  # noqa: E402
    BenchError,
    CpuMeter,
    Measure,
    Recorder,
    ServerProcess,
    environment,
    gc_line,
    gc_summary,
    open_client,
    percentile,
    run_workers,
    start_mock,
    table,
    top_functions,
)

PAGE_TARGET_MS = 50.0
RSS_TARGET_MB = 300.0
# Lookups with 100x the members may take at most this much longer (p50) for "O(1)" to hold.
LOOKUP_HOLD = 1.25
# A choice, not a limit (POST /_mock/seed takes bodies up to 512 MB): enough calls to show
# whether a call's time grows with what is already loaded.
SEED_MEMBERS_PER_CALL = 5000


class DataSet:
    def __init__(self, orgs: int, members: int) -> None:
        self.orgs = orgs
        self.members = members
        self.org_ids: dict[int, str] = {}

    def org_members(self, o: int) -> range:
        """Member numbers of organization ``o`` (members spread evenly, the rest to the last)."""
        per = self.members // self.orgs
        end = (o + 1) * per if o < self.orgs - 1 else self.members
        return range(o * per, end)

    @staticmethod
    def email(o: int, m: int) -> str:
        return f"user{m:06d}@org{o:05d}.example"

    def member_org(self, m: int) -> int:
        return min(m // (self.members // self.orgs), self.orgs - 1)

    def seed_entry(self, o: int) -> dict[str, Any]:
        return {
            "organization_name": f"Bench Org {o:05d}",
            "organization_slug": f"bench-org-{o:05d}",
            "email_allowed_domains": [f"org{o:05d}.example"],
            "members": [
                {
                    "email_address": self.email(o, m),
                    "name": f"User {m}",
                    "status": "invited" if m % 10 == 9 else "active",
                }
                for m in self.org_members(o)
            ],
        }


async def seed(rec: Recorder, data: DataSet, orgs: range) -> list[float]:
    """Seed organizations ``orgs`` in calls of about SEED_MEMBERS_PER_CALL members; the seconds
    each call took."""
    times = []
    batch: list[dict[str, Any]] = []
    size = 0

    async def flush() -> None:
        nonlocal batch, size
        started = time.perf_counter()
        body = await rec.call("seed", "POST", "/_mock/seed", {"organizations": batch})
        times.append(time.perf_counter() - started)
        for org in body["organizations"]:
            o = int(org["organization_slug"].rsplit("-", 1)[1])
            data.org_ids[o] = org["organization_id"]
        batch, size = [], 0

    for o in orgs:
        entry = data.seed_entry(o)
        batch.append(entry)
        size += len(entry["members"])
        if size >= SEED_MEMBERS_PER_CALL:
            await flush()
    if batch:
        await flush()
    return times


async def lookups(
    rec: Recorder,
    server: ServerProcess,
    data: DataSet,
    members: list[int],
    concurrency: int,
) -> dict[str, Any]:
    """Member get by email for each of ``members``: one at a time, then ``concurrency`` at a
    time."""

    def path(m: int) -> str:
        o = data.member_org(m)
        return (
            f"/v1/b2b/organizations/{data.org_ids[o]}/member?email_address="
            f"{quote(data.email(o, m))}"
        )

    async def get(m: int) -> None:
        body = await rec.call("lookup", "GET", path(m))
        if body["member"]["email_address"] != data.email(data.member_org(m), m):
            raise BenchError(f"member get returned {body['member']['email_address']}")

    out: dict[str, Any] = {}
    await run_workers(members[:50], get, 1)  # warm-up
    for label, c in (("sequential", 1), (f"concurrency_{concurrency}", concurrency)):
        rec.latencies.pop("lookup", None)
        meter = CpuMeter(server)
        seconds = await run_workers(members, get, c)
        out[label] = Measure(
            len(members), seconds, rec.latencies["lookup"], *meter.stop()
        ).summary()
    return out


async def timed(rec: Recorder, payload: dict[str, Any], path: str) -> tuple[float, int, Any]:
    body = json.dumps(payload).encode()
    started = time.perf_counter()
    status, raw = await rec.client.request("POST", path, body)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"POST {path} {payload} answered {status}: {raw[:300]!r}")
    return elapsed, len(raw), json.loads(raw)


async def walk(rec: Recorder, path: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
    """Every page of a search, following next_cursor: the page count, the total and the last
    page's cursor (the deepest one)."""
    pages, seen, cursor, last_cursor = 0, 0, None, None
    latencies = []
    started = time.perf_counter()
    while True:
        body = dict(payload)
        if cursor:
            body["cursor"] = cursor
        elapsed, _, answer = await timed(rec, body, path)
        latencies.append(elapsed)
        pages += 1
        seen += len(answer[key])
        last_cursor = cursor
        cursor = answer["results_metadata"].get("next_cursor")
        if not cursor:
            break
    total = answer["results_metadata"]["total"]
    if seen != total:
        raise BenchError(f"walking {payload} saw {seen} results, total says {total}")
    return {
        "pages": pages,
        "results": seen,
        "seconds": round(time.perf_counter() - started, 3),
        "page_p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "page_max_ms": round(max(latencies) * 1000, 2),
        "deepest_cursor": last_cursor,
    }


async def page_case(
    rec: Recorder, name: str, path: str, payload: dict[str, Any], key: str, repeat: int
) -> dict[str, Any]:
    latencies = []
    for _ in range(repeat):
        elapsed, size, answer = await timed(rec, payload, path)
        latencies.append(elapsed)
    return {
        "case": name,
        "returned": len(answer[key]),
        "total": answer["results_metadata"]["total"],
        "bytes": size,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
        "met": percentile(latencies, 50) * 1000 < PAGE_TARGET_MS,
    }


def op(name: str, value: Any) -> dict[str, Any]:
    return {"filter_name": name, "filter_value": value}


def where(*operands: dict[str, Any], operator: str = "AND") -> dict[str, Any]:
    return {"operator": operator, "operands": list(operands)}


async def search_cases(rec: Recorder, data: DataSet, repeat: int) -> dict[str, Any]:
    orgs_path = "/v1/b2b/organizations/search"
    members_path = "/v1/b2b/organizations/members/search"
    n = data.orgs
    ids = data.org_ids
    few = [ids[o] for o in (1, n // 2, n - 2)]
    hundred = [ids[o] for o in range(0, n, max(1, n // 100))][:100]
    thousand = [ids[o] for o in range(0, n, max(1, n // 1000))][:1000]
    mid_member = data.org_members(n // 2)[3]
    some_email = data.email(n // 2, mid_member)
    out: dict[str, Any] = {"walks": {}, "organizations": [], "members": []}

    # Deep cursors: walk the whole result with each limit.
    deep: dict[tuple[str, int], str | None] = {}
    for label, path, payload, key in (
        ("organizations, no query", orgs_path, {}, "organizations"),
        (
            "members of 1,000 organizations",
            members_path,
            {"organization_ids": thousand},
            "members",
        ),
    ):
        for limit in (100, 1000):
            w = await walk(rec, path, {**payload, "limit": limit}, key)
            deep[(label, limit)] = w.pop("deepest_cursor")
            out["walks"][f"{label}, limit {limit}"] = w

    fuzzy_name = "org 0"  # "Bench Org 0xxxx": a tenth of 10,000
    org_cases: list[tuple[str, dict[str, Any]]] = []
    for limit in (100, 1000):
        org_cases += [
            (f"no query, limit {limit}, first page", {"limit": limit}),
            (
                f"no query, limit {limit}, last page (cursor)",
                {"limit": limit, "cursor": deep[("organizations, no query", limit)]},
            ),
            (
                f"organization_name_fuzzy {fuzzy_name!r}, limit {limit}",
                {"limit": limit, "query": where(op("organization_name_fuzzy", fuzzy_name))},
            ),
        ]
    org_cases += [
        (
            "organization_ids (3)",
            {"query": where(op("organization_ids", few))},
        ),
        (
            "organization_slugs (3)",
            {"query": where(op("organization_slugs", [f"bench-org-{o:05d}" for o in (2, 3, 4)]))},
        ),
        (
            "allowed_domains (3)",
            {"query": where(op("allowed_domains", [f"org{o:05d}.example" for o in (5, 6, 7)]))},
        ),
        (
            "member_emails (1)",
            {"query": where(op("member_emails", [some_email]))},
        ),
        (
            "member_email_fuzzy 'user0500'",
            {"query": where(op("member_email_fuzzy", "user0500"))},
        ),
        (
            "OR(organization_name_fuzzy, member_emails), limit 1000",
            {
                "limit": 1000,
                "query": where(
                    op("organization_name_fuzzy", "org 00"),
                    op("member_emails", [some_email]),
                    operator="OR",
                ),
            },
        ),
        (
            "AND(organization_slug_fuzzy, allowed_domain_fuzzy), limit 1000",
            {
                "limit": 1000,
                "query": where(
                    op("organization_slug_fuzzy", "bench-org-0"),
                    op("allowed_domain_fuzzy", "org01"),
                ),
            },
        ),
    ]
    for name, payload in org_cases:
        out["organizations"].append(
            await page_case(rec, name, orgs_path, payload, "organizations", repeat)
        )

    member_cases: list[tuple[str, dict[str, Any]]] = [
        ("3 organizations, no query", {"organization_ids": few}),
        ("100 organizations, limit 100", {"organization_ids": hundred, "limit": 100}),
        ("100 organizations, limit 1000", {"organization_ids": hundred, "limit": 1000}),
        (
            "1,000 organizations, limit 100, last page (cursor)",
            {
                "organization_ids": thousand,
                "limit": 100,
                "cursor": deep[("members of 1,000 organizations", 100)],
            },
        ),
        (
            "1,000 organizations, limit 1000, last page (cursor)",
            {
                "organization_ids": thousand,
                "limit": 1000,
                "cursor": deep[("members of 1,000 organizations", 1000)],
            },
        ),
        (
            "3 organizations, member_emails (1)",
            {
                "organization_ids": few,
                "query": where(op("member_emails", [some_email])),
            },
        ),
        (
            "1,000 organizations, member_emails (2)",
            {
                "organization_ids": thousand,
                "query": where(op("member_emails", [some_email, data.email(0, 0)])),
            },
        ),
        (
            "100 organizations, member_email_fuzzy 'user00', limit 1000",
            {
                "organization_ids": hundred,
                "limit": 1000,
                "query": where(op("member_email_fuzzy", "user00")),
            },
        ),
        (
            "1,000 organizations, member_email_fuzzy 'user00', limit 1000",
            {
                "organization_ids": thousand,
                "limit": 1000,
                "query": where(op("member_email_fuzzy", "user00")),
            },
        ),
        (
            "1,000 organizations, statuses ['invited'], limit 1000",
            {
                "organization_ids": thousand,
                "limit": 1000,
                "query": where(op("statuses", ["invited"])),
            },
        ),
    ]
    for name, payload in member_cases:
        out["members"].append(await page_case(rec, name, members_path, payload, "members", repeat))
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    data = DataSet(args.orgs, args.members)
    result: dict[str, Any] = {
        "environment": environment(),
        "config": {
            "orgs": args.orgs,
            "members": args.members,
            "repeat": args.repeat,
            "concurrency": args.concurrency,
            "client": args.client,
        },
    }
    profile = os.path.join(args.profile, "search.prof") if args.profile else None
    server = start_mock(profile=profile)
    try:
        async with open_client(args.client, server, args.concurrency) as client:
            rec = Recorder(client)
            rss_empty = server.status_kb("VmRSS")
            small_orgs = max(1, args.orgs // 100)
            rng = random.Random(7)
            seed_times = await seed(rec, data, range(small_orgs))
            small_members = data.org_members(small_orgs - 1).stop
            pick = [rng.randrange(small_members) for _ in range(args.lookups)]
            small = await lookups(rec, server, data, pick, args.concurrency)
            started = time.perf_counter()
            seed_times += await seed(rec, data, range(small_orgs, args.orgs))
            seed_seconds = time.perf_counter() - started
            rss_loaded = server.status_kb("VmRSS")
            pick = [rng.randrange(args.members) for _ in range(args.lookups)]
            large = await lookups(rec, server, data, pick, args.concurrency)
            result["load"] = {
                "seed_calls": len(seed_times),
                "seed_seconds_total": round(sum(seed_times), 2),
                "seed_seconds_after_first_1pct": round(seed_seconds, 2),
                "seed_call_seconds_first": round(seed_times[0], 3),
                "seed_call_seconds_last": round(seed_times[-1], 3),
                "members_per_call": SEED_MEMBERS_PER_CALL,
            }
            result["memory"] = {
                "rss_mb_empty": round(rss_empty / 1024, 1),
                "rss_mb_loaded": round(rss_loaded / 1024, 1),
            }
            result["member_lookup"] = {
                f"{small_members:,} members": small,
                f"{args.members:,} members": large,
            }
            result["gc"] = {"seeding_and_lookups": gc_summary(server.gc_events())}
            window = time.time()
            result["search"] = await search_cases(rec, data, args.repeat)
            result["gc"]["searches"] = gc_summary(server.gc_events(window))
            result["memory"]["rss_mb_after_searches"] = round(server.status_kb("VmRSS") / 1024, 1)
            result["memory"]["peak_rss_mb"] = round(server.status_kb("VmHWM") / 1024, 1)
    finally:
        server.stop()
    if profile:
        result["profile"] = profile
    result["targets"] = verdicts(result)
    return result


def verdicts(result: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for family in ("organizations", "members"):
        for case in result["search"][family]:
            checks.append(
                {
                    "target": f"{family} search page < {PAGE_TARGET_MS:.0f} ms (p50): "
                    f"{case['case']}",
                    "value": case["p50_ms"],
                    "met": case["met"],
                }
            )
    (small_size, small), (large_size, large) = result["member_lookup"].items()
    ratio = large["sequential"]["p50_ms"] / small["sequential"]["p50_ms"]
    checks.append(
        {
            "target": f"O(1) member get by email: p50 with {large_size} <= "
            f"{LOOKUP_HOLD}x p50 with {small_size}",
            "value": round(ratio, 3),
            "met": ratio <= LOOKUP_HOLD,
        }
    )
    rss = result["memory"]["rss_mb_loaded"]
    checks.append(
        {
            "target": f"server RSS with the data set < {RSS_TARGET_MB:.0f} MB",
            "value": rss,
            "met": rss < RSS_TARGET_MB,
        }
    )
    return checks


def report(result: dict[str, Any]) -> str:
    env, cfg = result["environment"], result["config"]
    lines = [
        f"search  {env['date']}  Python {env['python']}  aiohttp {env['aiohttp']}  "
        f"{env['cpus']} CPUs ({env['cpu_model']})  load average at start "
        f"{' '.join(str(v) for v in env['loadavg_at_start'])}",
        f"orgs={cfg['orgs']} members={cfg['members']} repeat={cfg['repeat']} "
        f"client={cfg['client']}",
        "",
    ]
    load, mem = result["load"], result["memory"]
    lines.append(
        f"seeding: {load['seed_calls']} POST /_mock/seed calls of ~{load['members_per_call']} "
        f"members, {load['seed_seconds_total']}s in all; first call "
        f"{load['seed_call_seconds_first']}s, last call {load['seed_call_seconds_last']}s"
    )
    lines.append(
        f"server RSS: {mem['rss_mb_empty']} MB empty, {mem['rss_mb_loaded']} MB loaded, "
        f"{mem['rss_mb_after_searches']} MB after the searches (peak {mem['peak_rss_mb']} MB)"
    )
    lines.append("")
    rows = []
    for size, runs in result["member_lookup"].items():
        for mode, r in runs.items():
            rows.append(
                [
                    f"{size}, {mode.replace('_', ' ')}",
                    str(r["requests"]),
                    f"{r['requests_per_s']:.0f}",
                    f"{r['p50_ms']:.3f}",
                    f"{r['p99_ms']:.3f}",
                    f"{r['server_cpu_ms_per_request']:.3f}",
                    f"{r['other_processes_cpu_busy']:.0%}",
                ]
            )
    lines.append(
        table(
            rows,
            ["member get by email", "n", "req/s", "p50 ms", "p99 ms", "cpu ms/req", "others"],
        )
    )
    lines.append("")
    rows = [
        [
            name,
            str(w["pages"]),
            str(w["results"]),
            f"{w['seconds']}",
            f"{w['page_p50_ms']}",
            f"{w['page_max_ms']}",
        ]
        for name, w in result["search"]["walks"].items()
    ]
    lines.append(table(rows, ["walk every page", "pages", "results", "s", "p50 ms", "max ms"]))
    for family in ("organizations", "members"):
        lines.append("")
        rows = [
            [
                c["case"],
                str(c["returned"]),
                str(c["total"]),
                f"{c['bytes'] / 1024:.0f}",
                f"{c['p50_ms']:.2f}",
                f"{c['max_ms']:.2f}",
            ]
            for c in result["search"][family]
        ]
        lines.append(
            table(rows, [f"{family} search", "returned", "total", "KiB", "p50 ms", "max ms"])
        )
    lines.append("")
    lines.append("server garbage collections:")
    for what, summary in result["gc"].items():
        lines.append(f"  {what.replace('_', ' ')}: {gc_line(summary)}")
    lines.append("")
    lines.append("targets:")
    for check in result["targets"]:
        mark = "MET   " if check["met"] else "MISSED"
        lines.append(f"  {mark} {check['target']}: {check['value']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Search pages, member lookups and memory of the mock with a large data set.",
        epilog="Details: benchmarks/README.md",
    )
    parser.add_argument("--orgs", type=int, default=10_000, help="organizations (10000)")
    parser.add_argument("--members", type=int, default=100_000, help="members (100000)")
    parser.add_argument("--repeat", type=int, default=15, help="requests per search case (15)")
    parser.add_argument("--lookups", type=int, default=2000, help="member gets per pass (2000)")
    parser.add_argument("--concurrency", type=int, default=32, help="for the lookup rate (32)")
    parser.add_argument(
        "--client",
        choices=["aiohttp", "raw"],
        default="raw",
        help="load generator, as in discovery_flow.py (raw)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--profile", metavar="DIR", help="run the server under cProfile, write DIR/search.prof"
    )
    args = parser.parse_args(argv)
    if args.orgs < 100 or args.members < args.orgs or args.repeat < 1 or args.lookups < 1:
        parser.error("need --orgs >= 100, --members >= --orgs, --repeat >= 1, --lookups >= 1")
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    result = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report(result))
        if args.profile:
            print(f"\ncProfile of the mock server ({result['profile']}):")
            print(top_functions(result["profile"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
