"""Benchmark launcher: the real mock server, in a process of its own, optionally preloaded.

    python benchmarks/_server.py [--preload-sessions K] [--profile FILE] [mock CLI flags...]

It builds the server exactly as ``python -m mockserver`` does (``mockserver.cli``: same
settings, registry and ``serve``), and before serving it can

- ``--preload-sessions K``: put K organizations' worth of data in the first project: K members
  (10 per organization), K live sessions (one per member), K used discovery magic links, K
  intermediate sessions and K outbox messages. The document goes through
  ``mockserver.domain.state.import_state`` and then ``settle_after_bulk_load``, as
  ``PUT /_mock/state`` does, so every index is built the way the API builds it and the loaded
  objects are frozen out of the garbage collector's way. (It is loaded in-process: 100,000
  sessions are ~220 MB of JSON, which ``PUT /_mock/state`` would accept, up to 512 MB, but only
  after sending and parsing it over HTTP.)
- ``--profile FILE``: run the server under cProfile and write the stats to FILE when it stops
  (SIGTERM or SIGINT).
- ``--gc-log FILE``: time every garbage collection (``gc.callbacks``) and append a line per
  collection to FILE as it happens: ``<epoch start> <pause seconds> <generation>``. (cProfile
  does not see collector pauses; this does.)

Lines it prints on stdout: the mock's banner (``... listening on http://127.0.0.1:PORT/``) and,
when preloading, ``PRELOADED <count> <seconds>`` before it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import sys
import time
from datetime import timedelta
from typing import Any

from mockserver import cli
from mockserver.domain.project import Project
from mockserver.domain.state import import_state
from mockserver.http.control import settle_after_bulk_load

MEMBERS_PER_ORG = 10


def preload_document(project: Project, count: int) -> dict[str, Any]:
    """A state document with ``count`` members, sessions, magic links, intermediate sessions and
    outbox messages, spread over ``count / 10`` organizations. Emails are
    ``preload-<i>@preload-org-<org>.example``."""
    now = project.now()
    iso = now.isoformat()
    later = (now + timedelta(days=1)).isoformat()
    env = project.env
    orgs = []
    members = []
    sessions = []
    links = []
    ists = []
    outbox = []
    n_orgs = max(1, (count + MEMBERS_PER_ORG - 1) // MEMBERS_PER_ORG)
    for o in range(n_orgs):
        orgs.append(
            {
                "organization_id": f"organization-{env}-preload-{o:08d}",
                "organization_name": f"Preload Org {o}",
                "organization_slug": f"preload-org-{o}",
                "created_at": iso,
                "updated_at": iso,
            }
        )
    for i in range(count):
        o = i // MEMBERS_PER_ORG
        org_id = f"organization-{env}-preload-{o:08d}"
        member_id = f"member-{env}-preload-{i:08d}"
        email = f"preload-{i}@preload-org-{o}.example"
        factor = {
            "type": "magic_link",
            "delivery_method": "email",
            "created_at": iso,
            "last_authenticated_at": iso,
            "updated_at": iso,
            "email_factor": {"email_id": f"email-{env}-preload-{i:08d}", "email_address": email},
        }
        members.append(
            {
                "organization_id": org_id,
                "member_id": member_id,
                "email_address": email,
                "status": "active",
                "created_at": iso,
                "updated_at": iso,
                "email_id": f"email-{env}-preload-{i:08d}",
                "email_address_verified": True,
            }
        )
        sessions.append(
            {
                "member_session_id": f"session-{env}-preload-{i:08d}",
                "member_id": member_id,
                "organization_id": org_id,
                "session_token": f"preload-session-token-{i:024d}",
                "started_at": iso,
                "last_accessed_at": iso,
                "expires_at": later,
                "authentication_factors": [factor],
            }
        )
        token = f"preload-magic-token-{i:024d}="
        links.append(
            {
                "token": token,
                "kind": "discovery",
                "email_address": email,
                "expires_at": later,
                "used": True,
            }
        )
        ists.append(
            {
                "token": f"preload-ist-{i:032d}=",
                "email_address": email,
                "expires_at": later,
                "authentication_factors": [factor],
            }
        )
        outbox.append(
            {
                "id": f"email-message-{env}-preload-{i:08d}",
                "to": email,
                "sender": "Stytch <login@test.stytch.com>",
                "subject": "Your login link",
                "kind": "discovery",
                "token": token,
                "link": "http://localhost:3000/authenticate?stytch_token_type=discovery"
                f"&token={token}",
                "created_at": iso,
                "expires_at": later,
            }
        )
    return {
        "organizations": orgs,
        "members": members,
        "sessions": sessions,
        "magic_links": links,
        "intermediate_sessions": ists,
        "outbox": outbox,
    }


class GcLog:
    """Appends one line per garbage collection to a file, as it happens:
    ``<epoch seconds at start> <pause seconds> <generation>``."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "w", buffering=1)  # line-buffered; closed in close()
        self._started = 0.0
        self._wall = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._wall = time.time()
            self._started = time.perf_counter()
        else:
            pause = time.perf_counter() - self._started
            self._file.write(f"{self._wall:.6f} {pause:.6f} {info['generation']}\n")

    def close(self) -> None:
        self._file.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preload-sessions", type=int, default=0, metavar="K")
    parser.add_argument("--profile", metavar="FILE")
    parser.add_argument("--gc-log", metavar="FILE")
    args, rest = parser.parse_known_args(argv)
    mock_args = cli.build_parser().parse_args(["--port", "0", *rest])
    settings = cli.settings_from_args(mock_args)
    registry = cli.build_registry(settings)
    # Installed before the preload, so that the log's first lines are the load's collections.
    gc_log = GcLog(args.gc_log) if args.gc_log else None
    if gc_log is not None:
        gc.callbacks.append(gc_log)
    if args.preload_sessions > 0:
        project = registry.find_project(settings.primary.project_id)
        assert project is not None
        started = time.perf_counter()
        import_state(project, preload_document(project, args.preload_sessions))
        settle_after_bulk_load()  # what PUT /_mock/state does after import_state
        elapsed = time.perf_counter() - started
        print(f"PRELOADED {args.preload_sessions} {elapsed:.3f}", flush=True)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    try:
        asyncio.run(cli.serve(settings, registry))
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        if gc_log is not None:
            gc.callbacks.remove(gc_log)
            gc_log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
