"""MFA-login throughput of the mock (organization magic link + SMS code), against a bare
aiohttp handler.

    .venv/bin/python benchmarks/mfa_flow.py [--flows N] [--concurrency C] [--client raw|aiohttp]
        [--json]

One MFA login is what an app does for a member of an organization that requires MFA and who
has an MFA phone number already (seeded through POST /_mock/seed):

    POST /v1/b2b/magic_links/email/login_or_signup   (no JWT)
    GET  /_mock/outbox?to=EMAIL                      (no JWT; the email is read here)
    POST /v1/b2b/magic_links/authenticate            (no JWT: mfa_required, an intermediate
                                                      session, and the SMS code sent)
    GET  /_mock/outbox?to=PHONE                      (no JWT; the text message is read here)
    POST /v1/b2b/otps/sms/authenticate               (signs the session JWT)

What runs (see README.md): the bare handler (benchmarks/_bare.py) as the yardstick, then a
fresh mock server: a. one endpoint at a time over N logins (requests/s, p50/p99, server CPU per
request, ratio to the bare handler); b. N more whole logins, C at a time (logins/s).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (  # noqa: E402
    BenchError,
    CpuMeter,
    Measure,
    Recorder,
    environment,
    open_client,
    run_workers,
    start_mock,
    table,
)
from discovery_flow import bare_run, busy, measure_batch, positive  # noqa: E402

SEND = "magic_links.email.login_or_signup"
EMAIL = "_mock/outbox (read the email)"
AUTHENTICATE = "magic_links.authenticate (-> mfa_required, SMS sent)"
SMS = "_mock/outbox (read the SMS)"
SMS_AUTH = "otps.sms.authenticate"
ENDPOINTS = [SEND, EMAIL, AUTHENTICATE, SMS, SMS_AUTH]
METHOD = {name: "GET" if name in (EMAIL, SMS) else "POST" for name in ENDPOINTS}
SIGNS_JWT = {name: name == SMS_AUTH for name in ENDPOINTS}
RATIO_TARGET = 0.5
MEMBERS_PER_ORG = 10


class Login:
    __slots__ = ("email", "phone", "org_id", "member_id", "token", "ist", "code")

    def __init__(self, email: str, phone: str, org_id: str, member_id: str) -> None:
        self.email, self.phone, self.org_id, self.member_id = email, phone, org_id, member_id
        self.token = self.ist = self.code = ""


async def step_send(rec: Recorder, login: Login) -> None:
    await rec.call(
        SEND,
        "POST",
        "/v1/b2b/magic_links/email/login_or_signup",
        {"organization_id": login.org_id, "email_address": login.email},
        parse=False,
    )


async def step_email(rec: Recorder, login: Login) -> None:
    messages = (await rec.call(EMAIL, "GET", f"/_mock/outbox?to={quote(login.email)}"))["messages"]
    if not messages:
        raise BenchError(f"no email for {login.email}")
    login.token = messages[-1]["token"]


async def step_authenticate(rec: Recorder, login: Login) -> None:
    body = await rec.call(
        AUTHENTICATE,
        "POST",
        "/v1/b2b/magic_links/authenticate",
        {"magic_links_token": login.token},
    )
    if body["member_authenticated"] or body["mfa_required"].get("secondary_auth_initiated") != (
        "sms_otp"
    ):
        raise BenchError(f"{login.email}: no MFA asked for, or no SMS sent")
    login.ist = body["intermediate_session_token"]


async def step_sms(rec: Recorder, login: Login) -> None:
    messages = (await rec.call(SMS, "GET", f"/_mock/outbox?to={quote(login.phone)}"))["messages"]
    if not messages:
        raise BenchError(f"no SMS to {login.phone}")
    login.code = messages[-1]["code"]


async def step_sms_authenticate(rec: Recorder, login: Login) -> None:
    body = await rec.call(
        SMS_AUTH,
        "POST",
        "/v1/b2b/otps/sms/authenticate",
        {
            "organization_id": login.org_id,
            "member_id": login.member_id,
            "code": login.code,
            "intermediate_session_token": login.ist,
        },
    )
    if len(body["member_session"]["authentication_factors"]) != 2:
        raise BenchError(f"{login.email}: the session does not hold both factors")


STEPS = [step_send, step_email, step_authenticate, step_sms, step_sms_authenticate]


async def full_login(rec: Recorder, login: Login) -> None:
    for step in STEPS:
        await step(rec, login)


async def seed(rec: Recorder, tag: str, count: int) -> list[Login]:
    """``count`` active members with an MFA phone number, 10 per organization requiring MFA."""
    orgs = []
    for i in range(0, count, MEMBERS_PER_ORG):
        o = i // MEMBERS_PER_ORG
        members = [
            {"email_address": f"m{tag}-{j}@mfa{tag}-{o}.example", "mfa_phone_number": phone(tag, j)}
            for j in range(i, min(count, i + MEMBERS_PER_ORG))
        ]
        orgs.append(
            {
                "organization_name": f"MFA {tag} {o}",
                "organization_slug": f"mfa{tag}-{o}",
                "mfa_policy": "REQUIRED_FOR_ALL",
                "members": members,
            }
        )
    body = await rec.call("_mock/seed", "POST", "/_mock/seed", {"organizations": orgs})
    logins = []
    for org, entry in zip(body["organizations"], orgs, strict=True):
        for made, member in zip(org["members"], entry["members"], strict=True):
            logins.append(
                Login(
                    member["email_address"],
                    member["mfa_phone_number"],
                    org["organization_id"],
                    made["member_id"],
                )
            )
    return logins


def phone(tag: str, j: int) -> str:
    return f"+1{ord(tag) % 10}55{j:07d}"


async def mock_run(args: argparse.Namespace, bare: dict[str, Any]) -> dict[str, Any]:
    server = start_mock()
    out: dict[str, Any] = {"bare": bare}
    try:
        async with open_client(args.client, server, args.concurrency) as client:
            rec = Recorder(client)
            n, c = args.flows, args.concurrency
            warm, steps, flows = (
                await seed(rec, "w", min(100, n)),
                await seed(rec, "s", n),
                await seed(rec, "f", n),
            )
            await run_workers(warm, lambda x: full_login(rec, x), c)

            per_endpoint: dict[str, Any] = {}
            for name, step in zip(ENDPOINTS, STEPS, strict=True):
                m = await measure_batch(rec, server, name, steps, lambda x, s=step: s(rec, x), c)
                row = m.summary()
                row["ratio_to_bare"] = round(m.rate / bare[METHOD[name]]["requests_per_s"], 3)
                row["signs_jwt"] = SIGNS_JWT[name]
                per_endpoint[name] = row
            out["per_endpoint"] = per_endpoint

            rec.reset()
            meter = CpuMeter(server)
            seconds = await run_workers(flows, lambda x: full_login(rec, x), c)
            cpu, client_cpu, other_cpu = meter.stop()
            out["flows"] = {
                "logins": len(flows),
                "seconds": round(seconds, 3),
                "logins_per_s": round(len(flows) / seconds, 1),
                "server_cpu_busy": round(cpu / seconds, 3),
                "client_cpu_busy": round(client_cpu / seconds, 3),
                "other_processes_cpu_busy": round(other_cpu / seconds, 3),
                "server_cpu_ms_per_login": round(cpu / len(flows) * 1000, 3),
                "latency": {
                    name: {
                        k: v
                        for k, v in Measure(len(rec.latencies[name]), seconds, rec.latencies[name])
                        .summary()
                        .items()
                        if k in ("p50_ms", "p99_ms")
                    }
                    for name in ENDPOINTS
                },
            }
    finally:
        server.stop()
    return out


def report(result: dict[str, Any]) -> str:
    env, cfg, run = result["environment"], result["config"], result["mock"]
    lines = [
        f"mfa_flow  {env['date']}  Python {env['python']}  aiohttp {env['aiohttp']}  "
        f"{env['cpus']} CPUs ({env['cpu_model']})",
        f"logins={cfg['flows']} concurrency={cfg['concurrency']} client={cfg['client']}  "
        f"load average at start {' '.join(str(v) for v in env['loadavg_at_start'])}",
        "",
    ]
    rows = [
        [
            "bare handler " + method,
            f"{b['requests_per_s']:,.0f}",
            "",
            f"{b['p50_ms']}",
            f"{b['p99_ms']}",
            f"{b['server_cpu_ms_per_request']}",
            *busy(b),
        ]
        for method, b in run["bare"].items()
    ]
    for name, r in run["per_endpoint"].items():
        rows.append(
            [
                name,
                f"{r['requests_per_s']:,.0f}",
                f"{r['ratio_to_bare']:.0%}",
                f"{r['p50_ms']}",
                f"{r['p99_ms']}",
                f"{r['server_cpu_ms_per_request']}",
                *busy(r),
            ]
        )
    lines.append(
        table(
            rows,
            [
                "endpoint",
                "req/s",
                "vs bare",
                "p50 ms",
                "p99 ms",
                "cpu ms/req",
                "server",
                "client",
                "others",
            ],
        )
    )
    f = run["flows"]
    lines += [
        "",
        f"whole MFA logins: {f['logins_per_s']:,.0f}/s ({f['logins']} in {f['seconds']} s), "
        f"server CPU {f['server_cpu_ms_per_login']} ms/login; busy: server "
        f"{f['server_cpu_busy']:.0%}, client {f['client_cpu_busy']:.0%}, others "
        f"{f['other_processes_cpu_busy']:.0%}",
    ]
    for check in result["verdicts"]:
        lines.append(
            f"{'MET   ' if check['met'] else 'MISSED'}  {check['target']}: {check['value']}"
        )
    return "\n".join(lines)


def verdicts(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "target": f"{name} >= {RATIO_TARGET:.0%} of bare req/s",
            "value": row["ratio_to_bare"],
            "met": row["ratio_to_bare"] >= RATIO_TARGET,
        }
        for name, row in run["per_endpoint"].items()
        if not row["signs_jwt"]
    ]


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    started = time.time()
    bare = await bare_run(args)
    run = await mock_run(args, bare)
    return {
        "environment": environment(),
        "config": {"flows": args.flows, "concurrency": args.concurrency, "client": args.client},
        "mock": run,
        "verdicts": verdicts(run),
        "seconds": round(time.time() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=positive, default=2000)
    parser.add_argument("--concurrency", type=positive, default=32)
    parser.add_argument("--client", choices=("raw", "aiohttp"), default="raw")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
