"""Discovery-flow throughput of the mock, against a bare aiohttp handler, with and without a
large preloaded state.

    .venv/bin/python benchmarks/discovery_flow.py [--flows N] [--concurrency C]
        [--preload-sessions K] [--client aiohttp|raw] [--json] [--profile DIR]

One discovery flow is what an app does to log a person in by email:

    POST /v1/b2b/magic_links/email/discovery/send          (no JWT)
    GET  /_mock/outbox?to=EMAIL                            (no JWT; the "email" is read here)
    POST /v1/b2b/magic_links/discovery/authenticate        (no JWT)
    POST /v1/b2b/discovery/organizations/create            (new email: signs a session JWT)
      or /v1/b2b/discovery/intermediate_sessions/exchange  (returning email: signs a JWT)
    POST /v1/b2b/sessions/authenticate                     (signs a JWT, unless one with the same
                                                            claims was made in the same second)

Half the flows use a new email (create), half an email that is already an active member of an
organization (exchange), seeded beforehand through POST /_mock/seed.

What runs, for each scenario, "empty" then "preloaded" (K sessions, members, magic links,
intermediate sessions and outbox messages already in memory; benchmarks/_server.py); see README.md:
1. The bare handler (benchmarks/_bare.py) in its own process: N POSTs and N GETs at
   concurrency C, through the same client: the yardstick for each endpoint's ratio.
2. A fresh mock server in its own process, then
   a. per endpoint: N flows advanced one step at a time, each step a batch of N (or N/2)
      requests of that one endpoint at concurrency C: requests/s, p50/p99, server CPU/request;
   b. whole flows: N more flows, C at a time, each from send to sessions.authenticate: flows/s
      and p50/p99 of every endpoint inside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
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
    run_workers,
    start_bare,
    start_mock,
    table,
    top_functions,
)

SEND = "magic_links.email.discovery.send"
OUTBOX = "_mock/outbox (read the email)"
AUTHENTICATE = "magic_links.discovery.authenticate"
CREATE = "discovery.organizations.create"
EXCHANGE = "discovery.intermediate_sessions.exchange"
SESSIONS = "sessions.authenticate"
ENDPOINTS = [SEND, OUTBOX, AUTHENTICATE, CREATE, EXCHANGE, SESSIONS]
METHOD = {name: "GET" if name == OUTBOX else "POST" for name in ENDPOINTS}
SIGNS_JWT = {name: name in (CREATE, EXCHANGE, SESSIONS) for name in ENDPOINTS}

RATIO_TARGET = 0.5
FLOWS_TARGET = 1000.0
# The preloaded rate must stay within this fraction of the empty rate for "O(1)" to hold; the
# margin absorbs run-to-run noise on a busy 2-core machine.
HOLD_TARGET = 0.8
SEED_MEMBERS_PER_ORG = 10
# ~600 KB of JSON a call: a choice, not a limit (POST /_mock/seed takes bodies up to 512 MB).
SEED_MEMBERS_PER_CALL = 10_000


class Flow:
    """One person's way through discovery; fields fill in as the steps run."""

    __slots__ = ("email", "org_id", "token", "ist", "session_token")

    def __init__(self, email: str, org_id: str | None) -> None:
        self.email = email
        self.org_id = org_id  # set for a returning email: the organization to exchange into
        self.token = ""
        self.ist = ""
        self.session_token = ""


# --- the steps ----------------------------------------------------------------------------------


async def step_send(rec: Recorder, flow: Flow) -> None:
    await rec.call(
        SEND,
        "POST",
        "/v1/b2b/magic_links/email/discovery/send",
        {"email_address": flow.email},
        parse=False,
    )


async def step_outbox(rec: Recorder, flow: Flow) -> None:
    body = await rec.call(OUTBOX, "GET", f"/_mock/outbox?to={quote(flow.email)}")
    messages = body["messages"]
    if not messages:
        raise BenchError(f"no email for {flow.email}")
    flow.token = messages[-1]["token"]


async def step_authenticate(rec: Recorder, flow: Flow) -> None:
    body = await rec.call(
        AUTHENTICATE,
        "POST",
        "/v1/b2b/magic_links/discovery/authenticate",
        {"discovery_magic_links_token": flow.token},
    )
    flow.ist = body["intermediate_session_token"]
    found = [d["organization"]["organization_id"] for d in body["discovered_organizations"]]
    expected = [flow.org_id] if flow.org_id else []
    if found != expected:
        raise BenchError(f"{flow.email} discovered {found}, expected {expected}")


async def step_login(rec: Recorder, flow: Flow) -> None:
    if flow.org_id is None:
        body = await rec.call(
            CREATE,
            "POST",
            "/v1/b2b/discovery/organizations/create",
            {"intermediate_session_token": flow.ist},
        )
    else:
        body = await rec.call(
            EXCHANGE,
            "POST",
            "/v1/b2b/discovery/intermediate_sessions/exchange",
            {"intermediate_session_token": flow.ist, "organization_id": flow.org_id},
        )
    if not body["member_authenticated"] or not body["session_token"]:
        raise BenchError(f"{flow.email} was not logged in: {body.get('member_authenticated')}")
    flow.session_token = body["session_token"]


async def step_session(rec: Recorder, flow: Flow) -> None:
    body = await rec.call(
        SESSIONS, "POST", "/v1/b2b/sessions/authenticate", {"session_token": flow.session_token}
    )
    if not body["session_jwt"]:
        raise BenchError("sessions.authenticate returned no JWT")


STEPS = [step_send, step_outbox, step_authenticate, step_login, step_session]


async def full_flow(rec: Recorder, flow: Flow) -> None:
    for step in STEPS:
        await step(rec, flow)


# --- populations ------------------------------------------------------------------------------


def new_flows(tag: str, count: int) -> list[Flow]:
    # A domain of its own per email, so each derived organization slug is new.
    return [Flow(f"new-{tag}-{i}@newco-{tag}-{i}.example", None) for i in range(count)]


def returning_orgs(tag: str, count: int) -> list[dict[str, Any]]:
    """Seed entries for ``count`` returning emails, 10 per organization."""
    orgs = []
    for i in range(0, count, SEED_MEMBERS_PER_ORG):
        o = i // SEED_MEMBERS_PER_ORG
        emails = [
            f"ret-{tag}-{j}@retco-{tag}-{o}.example"
            for j in range(i, min(count, i + SEED_MEMBERS_PER_ORG))
        ]
        orgs.append(
            {
                "organization_name": f"Returning {tag} {o}",
                "organization_slug": f"retco-{tag}-{o}",
                "members": [{"email_address": e} for e in emails],
            }
        )
    return orgs


async def seed_returning(rec: Recorder, pools: dict[str, int]) -> dict[str, list[Flow]]:
    """Emails that are active members already, one pool per tag, through POST /_mock/seed in
    calls of up to SEED_MEMBERS_PER_CALL members."""
    orgs = [entry for tag, count in pools.items() for entry in returning_orgs(tag, count)]
    flows: dict[str, list[Flow]] = {tag: [] for tag in pools}
    per_call = max(1, SEED_MEMBERS_PER_CALL // SEED_MEMBERS_PER_ORG)
    for start in range(0, len(orgs), per_call):
        body = await rec.call(
            "_mock/seed", "POST", "/_mock/seed", {"organizations": orgs[start : start + per_call]}
        )
        for org in body["organizations"]:
            tag = org["organization_slug"].split("-")[1]
            for member in org["members"]:
                flows[tag].append(Flow(member["email_address"], org["organization_id"]))
    return flows


def interleave(a: list[Flow], b: list[Flow]) -> list[Flow]:
    out = []
    for x, y in zip(a, b, strict=False):
        out += [x, y]
    longer = a if len(a) > len(b) else b
    return out + longer[min(len(a), len(b)) :]


# --- measurements -----------------------------------------------------------------------------


async def measure_batch(
    rec: Recorder,
    server: ServerProcess,
    name: str,
    items: list[Any],
    work: Callable[[Any], Any],
    concurrency: int,
) -> Measure:
    rec.latencies.pop(name, None)
    meter = CpuMeter(server)
    seconds = await run_workers(items, work, concurrency)
    return Measure(len(items), seconds, rec.latencies.get(name, []), *meter.stop())


async def bare_run(args: argparse.Namespace) -> dict[str, Any]:
    with start_bare() as server:
        async with open_client(args.client, server, args.concurrency) as client:
            rec = Recorder(client)
            payload = {"email_address": "someone@example.com"}

            async def post(_: int) -> None:
                await rec.call("POST", "POST", "/bare", payload, parse=False)

            async def get(_: int) -> None:
                await rec.call("GET", "GET", "/bare?to=someone%40example.com", parse=False)

            n = args.flows
            await run_workers(range(min(n, 500)), post, args.concurrency)  # warm-up
            result = {}
            for method, work in (("POST", post), ("GET", get)):
                m = await measure_batch(rec, server, method, list(range(n)), work, args.concurrency)
                result[method] = m.summary()
            return result


async def mock_run(
    args: argparse.Namespace, label: str, preload: int, bare: dict[str, Any]
) -> dict[str, Any]:
    profile = os.path.join(args.profile, f"discovery-{label}.prof") if args.profile else None
    server = start_mock(preload_sessions=preload, profile=profile)
    out: dict[str, Any] = {"preload_sessions": preload, "bare": bare}
    if "PRELOADED" in server.info:
        out["preload_seconds"] = float(server.info["PRELOADED"][1])
    try:
        async with open_client(args.client, server, args.concurrency) as client:
            rec = Recorder(client)
            n, c = args.flows, args.concurrency
            half = n // 2
            # Returning emails for the warm-up, the per-endpoint pass and the flow pass.
            cpu0 = server.cpu_seconds()
            seed_started = asyncio.get_running_loop().time()
            pools = await seed_returning(rec, {"w": min(100, half), "s": half, "f": half})
            warm_ret, step_ret, flow_ret = pools["w"], pools["s"], pools["f"]
            out["seed"] = {
                "members": len(warm_ret) + len(step_ret) + len(flow_ret),
                "seconds": round(asyncio.get_running_loop().time() - seed_started, 3),
                "server_cpu_seconds": round(server.cpu_seconds() - cpu0, 3),
            }
            out["gc_during_load_and_seed"] = gc_summary(server.gc_events())
            warm = interleave(new_flows("w", len(warm_ret)), warm_ret)
            await run_workers(warm, lambda f: full_flow(rec, f), c)

            # a. one endpoint at a time
            flows = interleave(new_flows("s", n - half), step_ret)
            per_endpoint: dict[str, Any] = {}
            window = time.time()
            plan = [
                (SEND, flows, step_send),
                (OUTBOX, flows, step_outbox),
                (AUTHENTICATE, flows, step_authenticate),
                (CREATE, [f for f in flows if f.org_id is None], step_login),
                (EXCHANGE, [f for f in flows if f.org_id is not None], step_login),
                (SESSIONS, flows, step_session),
            ]
            for name, items, step in plan:
                if name == SESSIONS:
                    # Move the mock's clock 1 s so that every session's JWT must be signed again
                    # (an unchanged JWT is reused within the same second): the batch measures the
                    # signing case whatever the timing of the batches before it.
                    await rec.call("_mock/clock", "POST", "/_mock/clock", {"advance_seconds": 1})
                m = await measure_batch(rec, server, name, items, lambda f, s=step: s(rec, f), c)
                row = m.summary()
                bare_rate = bare[METHOD[name]]["requests_per_s"]
                row["ratio_to_bare"] = round(m.rate / bare_rate, 3)
                bare_cpu = bare[METHOD[name]]["server_cpu_ms_per_request"]
                # None when a batch was too short for the kernel's 10 ms CPU-time ticks.
                row["cpu_cost_vs_bare"] = (
                    round(row["server_cpu_ms_per_request"] / bare_cpu, 2) if bare_cpu else None
                )
                row["signs_jwt"] = SIGNS_JWT[name]
                per_endpoint[name] = row
            out["per_endpoint"] = per_endpoint
            out["gc_during_per_endpoint"] = gc_summary(server.gc_events(window))

            # b. whole flows
            flows = interleave(new_flows("f", n - half), flow_ret)
            rec.reset()
            window = time.time()
            meter = CpuMeter(server)
            seconds = await run_workers(flows, lambda f: full_flow(rec, f), c)
            cpu, client_cpu, other_cpu = meter.stop()
            latencies = {}
            for name in ENDPOINTS:
                m = Measure(len(rec.latencies[name]), seconds, rec.latencies[name])
                s = m.summary()
                latencies[name] = {"p50_ms": s["p50_ms"], "p99_ms": s["p99_ms"]}
            out["flows"] = {
                "flows": len(flows),
                "seconds": round(seconds, 3),
                "flows_per_s": round(len(flows) / seconds, 1),
                "server_cpu_busy": round(cpu / seconds, 3),
                "client_cpu_busy": round(client_cpu / seconds, 3),
                "other_processes_cpu_busy": round(other_cpu / seconds, 3),
                "server_cpu_ms_per_flow": round(cpu / len(flows) * 1000, 3),
                "signer_cpu_ms_per_flow": round(meter.helper_seconds / len(flows) * 1000, 3),
                "latency": latencies,
            }
            out["flows"]["gc"] = gc_summary(server.gc_events(window))
            out["rss_kb"] = server.status_kb("VmRSS")
    finally:
        server.stop()
    if profile:
        out["profile"] = profile
    return out


def verdicts(result: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for label, run in result["scenarios"].items():
        for name, row in run["per_endpoint"].items():
            if not row["signs_jwt"]:
                checks.append(
                    {
                        "target": f"[{label}] {name} >= {RATIO_TARGET:.0%} of bare req/s",
                        "value": row["ratio_to_bare"],
                        "met": row["ratio_to_bare"] >= RATIO_TARGET,
                    }
                )
        checks.append(
            {
                "target": f"[{label}] full flows >= {FLOWS_TARGET:.0f}/s",
                "value": run["flows"]["flows_per_s"],
                "met": run["flows"]["flows_per_s"] >= FLOWS_TARGET,
            }
        )
    if "empty" in result["scenarios"] and "preloaded" in result["scenarios"]:
        empty = result["scenarios"]["empty"]["per_endpoint"]
        loaded = result["scenarios"]["preloaded"]["per_endpoint"]
        k = result["scenarios"]["preloaded"]["preload_sessions"]
        rates = {
            name: (loaded[name]["requests_per_s"], empty[name]["requests_per_s"])
            for name in ENDPOINTS
        }
        rates["whole flows"] = (
            result["scenarios"]["preloaded"]["flows"]["flows_per_s"],
            result["scenarios"]["empty"]["flows"]["flows_per_s"],
        )
        for name, (with_preload, without) in rates.items():
            held = with_preload / without
            checks.append(
                {
                    "target": f"O(1): {name} rate with {k:,} sessions >= {HOLD_TARGET:.0%} "
                    "of empty",
                    "value": round(held, 3),
                    "met": held >= HOLD_TARGET,
                }
            )
    return checks


BUSY = ["server", "client", "others"]


def busy(row: dict[str, Any]) -> list[str]:
    """CPU use during a batch, in cores: the server, the load generator, every other process."""
    return [
        f"{row['server_cpu_busy']:.0%}",
        f"{row['client_cpu_busy']:.0%}",
        f"{row['other_processes_cpu_busy']:.0%}",
    ]


def report(result: dict[str, Any]) -> str:
    env = result["environment"]
    cfg = result["config"]
    lines = [
        f"discovery_flow  {env['date']}  Python {env['python']}  aiohttp {env['aiohttp']}  "
        f"{env['cpus']} CPUs ({env['cpu_model']})",
        f"flows={cfg['flows']} concurrency={cfg['concurrency']} client={cfg['client']} "
        f"preload_sessions={cfg['preload_sessions']}  load average at start "
        f"{' '.join(str(v) for v in env['loadavg_at_start'])}",
        "CPU busy columns: share of one core used by the server (the mock's process and its JWT "
        "signer process), the load generator and all other processes",
    ]
    for label, run in result["scenarios"].items():
        lines.append("")
        head = f"mock, {label}"
        if run["preload_sessions"]:
            head += (
                f" ({run['preload_sessions']:,} sessions preloaded in {run['preload_seconds']}s)"
            )
        seed = run["seed"]
        head += f"; seeded {seed['members']} returning members in {seed['seconds']}s"
        head += f"; server RSS {run['rss_kb'] / 1024:.0f} MB"
        lines.append(head)
        lines.append(" bare aiohttp handler (own process, same client), measured just before:")
        rows = [
            [
                m,
                str(r["requests"]),
                f"{r['requests_per_s']:.0f}",
                f"{r['p50_ms']:.2f}",
                f"{r['p99_ms']:.2f}",
                f"{r['server_cpu_ms_per_request']:.3f}",
                *busy(r),
            ]
            for m, r in run["bare"].items()
        ]
        lines.append(table(rows, ["method", "n", "req/s", "p50 ms", "p99 ms", "cpu ms/req", *BUSY]))
        lines.append(" one endpoint at a time:")
        rows = []
        for name, r in run["per_endpoint"].items():
            rows.append(
                [
                    name,
                    "yes" if r["signs_jwt"] else "no",
                    str(r["requests"]),
                    f"{r['requests_per_s']:.0f}",
                    f"{r['ratio_to_bare']:.0%}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p99_ms']:.2f}",
                    f"{r['server_cpu_ms_per_request']:.3f}",
                    "-" if r["cpu_cost_vs_bare"] is None else f"{r['cpu_cost_vs_bare']:.1f}x",
                    *busy(r),
                ]
            )
        lines.append(
            table(
                rows,
                [
                    "endpoint",
                    "JWT",
                    "n",
                    "req/s",
                    "vs bare",
                    "p50 ms",
                    "p99 ms",
                    "cpu ms/req",
                    "cpu vs bare",
                    *BUSY,
                ],
            )
        )
        f = run["flows"]
        lines.append(
            f" whole flows: {f['flows']} in {f['seconds']}s = {f['flows_per_s']:.0f} flows/s "
            f"(server CPU {f['server_cpu_ms_per_flow']:.2f} ms/flow, of which the JWT signer "
            f"process {f['signer_cpu_ms_per_flow']:.2f}; busy: server "
            f"{f['server_cpu_busy']:.0%}, client {f['client_cpu_busy']:.0%}, other processes "
            f"{f['other_processes_cpu_busy']:.0%})"
        )
        rows = [
            [name, f"{v['p50_ms']:.2f}", f"{v['p99_ms']:.2f}"] for name, v in f["latency"].items()
        ]
        lines.append(table(rows, ["endpoint (inside flows)", "p50 ms", "p99 ms"]))
        lines.append(" server garbage collections:")
        for what, summary in (
            ("loading + seeding", run["gc_during_load_and_seed"]),
            ("per-endpoint pass", run["gc_during_per_endpoint"]),
            ("whole-flow pass", run["flows"]["gc"]),
        ):
            lines.append(f"  {what}: {gc_line(summary)}")
    lines.append("")
    lines.append("targets:")
    for check in result["targets"]:
        mark = "MET   " if check["met"] else "MISSED"
        lines.append(f"  {mark} {check['target']}: {check['value']}")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {
        "environment": environment(),
        "config": {
            "flows": args.flows,
            "concurrency": args.concurrency,
            "preload_sessions": args.preload_sessions,
            "client": args.client,
        },
    }
    # The bare handler is measured again right before each scenario, so a ratio compares two
    # runs made under the same background load.
    scenarios = {"empty": await mock_run(args, "empty", 0, await bare_run(args))}
    if args.preload_sessions > 0:
        scenarios["preloaded"] = await mock_run(
            args, "preloaded", args.preload_sessions, await bare_run(args)
        )
    result["scenarios"] = scenarios
    result["targets"] = verdicts(result)
    return result


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Discovery-flow throughput of the mock vs a bare aiohttp handler.",
        epilog="Details: benchmarks/README.md",
    )
    parser.add_argument("--flows", type=positive, default=2000, help="flows per pass (2000)")
    parser.add_argument("--concurrency", type=positive, default=32, help="requests in flight (32)")
    parser.add_argument(
        "--preload-sessions",
        type=int,
        default=100_000,
        metavar="K",
        help="sessions (and members, tokens, emails) preloaded for the second scenario; "
        "0 skips it (100000)",
    )
    parser.add_argument(
        "--client",
        choices=["aiohttp", "raw"],
        default="raw",
        help="load generator: the minimal asyncio HTTP/1.1 client in _harness.py, which "
        "keeps the server saturated, or aiohttp's client, which runs out of CPU first (raw)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run each mock server under cProfile; write DIR/discovery-<scenario>.prof and "
        "print its top functions (slows the server down)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    if args.flows < 2:
        parser.error("--flows must be at least 2")
    result = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report(result))
        if args.profile:
            for label, run in result["scenarios"].items():
                print(f"\ncProfile of the mock server, {label} scenario ({run['profile']}):")
                print(top_functions(run["profile"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
