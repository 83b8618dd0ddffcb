"""``stytch-mock`` (also ``python -m mockserver``): run the mock Stytch B2B API."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from . import __version__
from .app import create_app
from .domain.project import DEFAULT_REDIRECT_URL
from .domain.registry import Registry
from .domain.state import load_seed
from .errors import StytchError
from .http.control import settle_after_bulk_load
from .settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_PROJECT_ID,
    DEFAULT_SECRET,
    ConfigError,
    ProjectEntry,
    Settings,
    credentials_from_environment,
    invalid,
    load_config_file,
    load_seed_file,
)

DESCRIPTION = """\
A local stand-in for the Stytch B2B API. Point the official SDKs at it:
  Python: B2BClient(project_id, secret, environment="http://127.0.0.1:8080/")
  Node:   new B2BClient({ project_id, secret, env: "http://127.0.0.1:8080/" })
Emails land in an outbox instead of being sent: GET /_mock/outbox (same Basic auth).
"""

EPILOG = f"""\
credentials:
  Without --project-id/--secret, STYTCH_PROJECT_ID and STYTCH_SECRET are read from the
  environment, then from a .env file in the working directory; otherwise the mock uses
    project_id {DEFAULT_PROJECT_ID}
    secret     {DEFAULT_SECRET}

config file (--config, JSON or YAML):
  projects:
    - project_id: project-test-...
      secret: secret-test-...
      redirect_urls: [http://localhost:3000/authenticate]
      public_token: public-token-test-<uuid>  (default: derived from the project_id)
      frontend_sdk:                           (the browser SDK, /sdk/v1)
        authorized_domains: [localhost, 127.0.0.1]
        create_organization_enabled: true
  open_projects: false

control API (Basic auth of the project; health and /openapi.json need none):
  GET /_mock/project   GET /_mock/outbox?to=EMAIL   DELETE /_mock/outbox   POST /_mock/reset
  GET /_mock/clock   POST /_mock/clock {{"advance_seconds": N}}   GET /_mock/health
  GET /_mock/state   PUT /_mock/state {{"state": ...}}   POST /_mock/seed (the --seed document)
  GET /openapi.json  (the mock's own OpenAPI document)
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stytch-mock",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on; 0 picks a free one (default {DEFAULT_PORT})",
    )
    p.add_argument("--project-id", help="the project id clients authenticate with")
    p.add_argument("--secret", help="the project's secret")
    p.add_argument(
        "--redirect-url",
        action="append",
        dest="redirect_urls",
        metavar="URL",
        help="a registered redirect URL; repeat for several, the first is the "
        f"default (default {DEFAULT_REDIRECT_URL}); '*' matches any run of "
        "characters within a host, port or path segment",
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="JSON or YAML file with several projects (see below)",
    )
    p.add_argument(
        "--open-projects",
        action="store_true",
        help="any project-test-... id with any secret gets its own fresh, isolated "
        "project on first use (parallel CI jobs can share one server)",
    )
    p.add_argument(
        "--seed",
        type=Path,
        metavar="FILE",
        help="JSON or YAML fixtures (organizations with members) to load at start "
        "into the first project",
    )
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")
    p.add_argument(
        "--jwt-signer",
        choices=["process", "inline"],
        default="process",
        help="where session JWTs are signed: 'process', a helper process, so the RS256 "
        "signature (~0.3 ms each) runs on another core while the server goes on; or "
        "'inline', on the server's own event loop (default process)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    open_projects = args.open_projects
    if args.config is not None:
        if args.project_id or args.secret:
            raise ConfigError("give either --config or --project-id/--secret, not both")
        projects, from_file = load_config_file(args.config)
        open_projects = open_projects or from_file
        source = str(args.config)
    else:
        env_id, env_secret, source = credentials_from_environment()
        if not (args.project_id or args.secret) and bool(env_id) != bool(env_secret):
            have, lack = (
                ("STYTCH_PROJECT_ID", "STYTCH_SECRET")
                if env_id
                else ("STYTCH_SECRET", "STYTCH_PROJECT_ID")
            )
            raise ConfigError(
                f"{have} is set (from {source}) but {lack} is not: give both, or neither "
                "to use the mock's default test credentials"
            )
        if args.project_id or args.secret:
            source = "command line"
        project_id = args.project_id or env_id or DEFAULT_PROJECT_ID
        secret = args.secret or env_secret or DEFAULT_SECRET
        entry = {"project_id": project_id, "secret": secret}
        if args.redirect_urls:
            entry["redirect_urls"] = args.redirect_urls
        try:
            projects = [ProjectEntry.model_validate(entry).config()]
        except ValidationError as exc:
            raise invalid(source, exc) from None
    seed = load_seed_file(args.seed) if args.seed is not None else []
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, not {args.port}")
    return Settings(
        projects=projects,
        host=args.host,
        port=args.port,
        open_projects=open_projects,
        access_log=args.access_log,
        jwt_signer=args.jwt_signer,
        seed=seed,
        credentials_source=source,
    )


def build_registry(settings: Settings) -> Registry:
    registry = Registry(settings.projects, open_projects=settings.open_projects)
    if settings.seed:
        project = registry.find_project(settings.primary.project_id)
        assert project is not None
        for document in settings.seed:
            load_seed(project, document.entries())
        settle_after_bulk_load()
    return registry


def banner(settings: Settings, url: str) -> str:
    p = settings.primary
    lines = [
        f"stytch-b2b-mock {__version__} listening on {url}",
        f"  project_id  {p.project_id}",
        f"  secret      {p.secret}",
        f"  (credentials from {settings.credentials_source})",
        f"  redirect    {', '.join(p.redirect_urls)}",
        f"  public      {p.public_token} (frontend SDKs)",
        f'  Python      B2BClient(project_id="{p.project_id}", secret="{p.secret}", '
        f'environment="{url}")',
        f'  Node        new B2BClient({{ project_id: "{p.project_id}", secret: "{p.secret}", '
        f'env: "{url}" }})',
        f"  outbox      curl -u {p.project_id}:{p.secret} {url}_mock/outbox",
        f'  Browser     createStytchB2BClient("{p.public_token}", '
        f'{{ endpoints: {{ testAPIURL: "{url.rstrip("/")}" }} }})',
    ]
    if len(settings.projects) > 1:
        lines.append(f"  + {len(settings.projects) - 1} more project(s) from the config file")
    if settings.open_projects:
        lines.append("  open projects: any project-test-... id gets its own project")
    lines.append("Ctrl-C stops it.")
    return "\n".join(lines)


def http_url(host: str, port: int) -> str:
    """``http://host:port/``, with an IPv6 address in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


async def start(settings: Settings, registry: Registry) -> tuple[web.AppRunner, str]:
    """The mock listening as ``settings`` say (JWT signer, access log, address): its runner,
    which the caller cleans up, and its URL. ``serve`` and ``reference_app.devserver`` both
    start it here, so the two cannot drift apart."""
    app = create_app(registry, sign_in_process=settings.jwt_signer == "process")
    access_log = None
    if settings.access_log:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        access_log = logging.getLogger("aiohttp.access")
    runner = web.AppRunner(app, access_log=access_log, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
    except BaseException:
        await runner.cleanup()  # stops the signer process, too
        raise
    port = runner.addresses[0][1] if runner.addresses else settings.port
    return runner, http_url(settings.host, port)


async def serve(settings: Settings, registry: Registry) -> None:
    runner, url = await start(settings, registry)
    print(banner(settings, url), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        print("stytch-b2b-mock: shutting down", flush=True)
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
        registry = build_registry(settings)
    except ConfigError as exc:
        parser.exit(2, f"stytch-mock: error: {exc}\n")
    except StytchError as exc:  # a seed that breaks the API's rules
        parser.exit(2, f"stytch-mock: error: {args.seed}: {exc.error_type}: {exc.error_message}\n")
    try:
        asyncio.run(serve(settings, registry))
    except OSError as exc:
        print(
            f"stytch-mock: error: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
