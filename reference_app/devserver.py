"""``python -m reference_app.devserver``: the mock and the reference app, wired to each other.

What ``make run`` starts. Both servers share one event loop: the mock on port 8080 (its
banner shows the credentials), the app on port 3000 pointed at the mock with the same
credentials. The mock's project accepts the app's /authenticate as redirect URL. The mock
starts as ``stytch-mock`` starts it (``mockserver.cli.start``): it signs session JWTs in a
helper process, and ``--access-log`` logs its requests.
Ctrl-C (or SIGTERM) stops both.

Credentials come from the mock's usual sources (STYTCH_PROJECT_ID / STYTCH_SECRET in the
environment or ``.env``, else its documented defaults); APP_SECRET from the environment or
``.env`` (else a random one per run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from mockserver.cli import banner, build_parser, build_registry, http_url, settings_from_args
from mockserver.cli import start as start_mock
from mockserver.settings import ConfigError as MockConfigError

from .app import create_app, listening_url
from .config import Config, ConfigError

ANY_ADDRESS = ("0.0.0.0", "::", "")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m reference_app.devserver",
        description="Run the stytch-b2b-mock and the reference app together.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address both bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=3000, help="the app's port (default 3000)")
    p.add_argument("--mock-port", type=int, default=8080, help="the mock's port (default 8080)")
    p.add_argument("--seed", type=Path, metavar="FILE", help="fixtures for the mock (--seed)")
    p.add_argument("--access-log", action="store_true", help="log the mock's requests")
    return p.parse_args(argv)


def mock_argv(args: argparse.Namespace) -> list[str]:
    """The mock's command line: the app's /authenticate, under both local names."""
    port = str(args.port) if args.port else "*"
    argv = ["--host", args.host, "--port", str(args.mock_port)]
    for host in ("localhost", "127.0.0.1"):
        for page in ("authenticate", "sdk-login"):  # the app's own login, and the SDK's
            argv += ["--redirect-url", f"http://{host}:{port}/{page}"]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.access_log:
        argv.append("--access-log")
    return argv


async def serve(args: argparse.Namespace) -> int:
    settings = settings_from_args(build_parser().parse_args(mock_argv(args)))
    registry = build_registry(settings)
    mock_runner: web.AppRunner | None = None
    app_runner: web.AppRunner | None = None
    try:
        mock_runner, mock_url = await start_mock(settings, registry)
        if args.host in ANY_ADDRESS:  # bound to every address: the app reaches it on loopback
            mock_url = http_url("127.0.0.1", mock_runner.addresses[0][1])
        shown = banner(settings, mock_url).splitlines()
        print("\n".join(line for line in shown if not line.startswith("Ctrl-C")), flush=True)

        project = settings.primary
        config = Config.from_env(
            {
                **os.environ,
                "STYTCH_PROJECT_ID": project.project_id,
                "STYTCH_SECRET": project.secret,
                "STYTCH_API_URL": mock_url,
                "STYTCH_PUBLIC_TOKEN": project.public_token,
                "HOST": args.host,
                "PORT": str(args.port),
            }
        )
        app_runner = web.AppRunner(create_app(config), access_log=None, handle_signals=False)
        await app_runner.setup()
        await web.TCPSite(app_runner, args.host, args.port).start()
        app_port = app_runner.addresses[0][1]
        url = listening_url(replace(config, port=app_port))
        print(f"reference app listening, talking to the mock at {mock_url}", flush=True)
        print(f"open {url}", flush=True)
        print(f"  or {url}/sdk-login (Stytch's prebuilt UI, the frontend SDK)", flush=True)
        print("Ctrl-C stops both.", flush=True)

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print("stopping the reference app and the mock", flush=True)
        return 0
    except OSError as exc:
        print(f"devserver: error: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        if app_runner is not None:
            await app_runner.cleanup()
        if mock_runner is not None:
            await mock_runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(serve(args))
    except KeyboardInterrupt:  # Ctrl-C before the servers were up
        return 0
    except (ConfigError, MockConfigError) as exc:
        print(f"devserver: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
