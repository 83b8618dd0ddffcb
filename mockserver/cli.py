"""``stytch-mock`` (also ``python -m mockserver``): run the mock Stytch B2B API."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from . import __version__, persistence, tls
from .app import create_app
from .clock import MAX_OFFSET_SECONDS
from .domain.project import DEFAULT_REDIRECT_URL
from .domain.registry import DEFAULT_KEEP_EXPIRED, DEFAULT_MAX_PROJECTS, Registry
from .domain.state import load_seed
from .domain.stores.outbox import DEFAULT_MAX_MESSAGES
from .errors import StytchError
from .http.connections import Limits, MockRunner, quiet_accept_errors, site
from .http.control import settle_after_bulk_load
from .settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_PROJECT_ID,
    DEFAULT_SECRET,
    ConfigError,
    ProjectEntry,
    Settings,
    check_redirect_url,
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
  POST /_mock/faults {{"operation": "magic_links.email.discovery.send",
                      "error": "too_many_requests"}}   GET /_mock/faults   DELETE /_mock/faults
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
    p.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep every project's state in this JSON file: loaded at start (then --seed is "
        "skipped), written atomically while running when something changed and on shutdown; "
        "a file the mock cannot read stops the start and is left as it is",
    )
    p.add_argument(
        "--save-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="with --state-file, how often to write it when something changed (default 5)",
    )
    p.add_argument(
        "--keep-expired",
        type=float,
        default=DEFAULT_KEEP_EXPIRED.total_seconds(),
        metavar="SECONDS",
        help="how long (on the project's clock) links, intermediate sessions and sessions are "
        "kept once expired or used, before they are forgotten (default "
        f"{DEFAULT_KEEP_EXPIRED.total_seconds():g})",
    )
    p.add_argument(
        "--outbox-max",
        type=int,
        default=DEFAULT_MAX_MESSAGES,
        metavar="N",
        help=f"messages each project's outbox keeps; past it the oldest are dropped and "
        f"counted (default {DEFAULT_MAX_MESSAGES})",
    )
    p.add_argument(
        "--max-projects",
        type=int,
        default=DEFAULT_MAX_PROJECTS,
        metavar="N",
        help="with --open-projects, how many open projects are kept; a new one past it "
        f"replaces the least recently used (default {DEFAULT_MAX_PROJECTS})",
    )
    p.add_argument(
        "--rate-limits",
        action="store_true",
        help="apply Stytch's documented per-email rate limit (one magic-link send, "
        "login_or_signup or invite per second per email address; 429 too_many_requests)",
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
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a local CA made on first start (the banner "
        "says how to make clients trust it)",
    )
    p.add_argument(
        "--tls-dir",
        type=Path,
        metavar="DIR",
        help=f"where --tls keeps its CA and certificate (default {tls.default_directory()})",
    )
    d = Limits()
    for name, kind, metavar, what in (
        ("idle_timeout", float, "SECONDS", "close a connection idle this long"),
        (
            "header_timeout",
            float,
            "SECONDS",
            "408 and close when a request's headers take longer than this to arrive",
        ),
        ("body_timeout", float, "SECONDS", "408 when a request body takes longer than this"),
        (
            "max_connections",
            int,
            "N",
            "open connections at most (kept below the file-descriptor limit); past it a new "
            "connection gets a 503",
        ),
        (
            "shutdown_timeout",
            float,
            "SECONDS",
            "on SIGTERM or Ctrl-C, how long requests under way may take to finish; a second "
            "signal stops at once",
        ),
    ):
        default = getattr(d, name)
        p.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=default,
            metavar=metavar,
            help=f"{what} (default {default:g})",
        )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the mock's address as browsers reach it, when it differs from the one apps "
        "use (Docker: http://localhost:8080); SSO's ACS, callback and built-in IdP URLs use "
        "it (default: the address each request came to)",
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
        if args.redirect_urls and not open_projects:
            raise ConfigError(
                "with --config, give each project its redirect_urls in the file; --redirect-url "
                "applies only to the projects --open-projects makes"
            )
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
        if project_id.startswith("project-live-"):
            where = "--project-id" if args.project_id else f"STYTCH_PROJECT_ID (from {source})"
            raise ConfigError(
                f"{where} is a live project's id: the mock stands in for test projects "
                "only, and never takes live credentials. Give it a project-test-... id, or "
                "none for its defaults"
            )
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
    if args.tls_dir is not None and not args.tls:
        raise ConfigError("--tls-dir goes with --tls")
    limits = Limits(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Limits)})
    for name in ("idle_timeout", "header_timeout", "body_timeout", "max_connections"):
        if not getattr(limits, name) > 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be more than 0")
    if not limits.shutdown_timeout >= 0:
        raise ConfigError("--shutdown-timeout must be 0 or more")
    if not args.save_interval > 0:
        raise ConfigError("--save-interval must be more than 0")
    for flag, value in (("--outbox-max", args.outbox_max), ("--max-projects", args.max_projects)):
        if value < 1:
            raise ConfigError(f"{flag} must be 1 or more")
    if not 0 <= args.keep_expired <= MAX_OFFSET_SECONDS:
        raise ConfigError("--keep-expired must be between 0 and ten years")
    if args.public_url is not None:
        parts = urlsplit(args.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"--public-url must be an http(s) URL, not {args.public_url!r}")
    return Settings(
        state_file=args.state_file,
        save_interval=args.save_interval,
        limits=limits,
        projects=projects,
        host=args.host,
        port=args.port,
        open_projects=open_projects,
        rate_limits=args.rate_limits,
        keep_expired=timedelta(seconds=args.keep_expired),
        outbox_max=args.outbox_max,
        max_projects=args.max_projects,
        access_log=args.access_log,
        jwt_signer=args.jwt_signer,
        public_url=args.public_url,
        seed=seed,
        credentials_source=source,
        open_project_redirect_urls=_redirect_urls(args.redirect_urls),
        tls_dir=(args.tls_dir or tls.default_directory()) if args.tls else None,
    )


def _redirect_urls(urls: list[str] | None) -> list[str]:
    """``--redirect-url`` values, checked as a config file's are (the default when none)."""
    try:
        for url in urls or ():
            check_redirect_url(url)
    except PydanticCustomError as exc:
        raise ConfigError(f"--redirect-url: {exc}") from None
    return list(urls) if urls else [DEFAULT_REDIRECT_URL]


def build_registry(settings: Settings) -> Registry:
    registry = Registry(
        settings.projects,
        open_projects=settings.open_projects,
        default_redirect_urls=settings.open_project_redirect_urls,
        rate_limits=settings.rate_limits,
        keep_expired=settings.keep_expired,
        outbox_max=settings.outbox_max,
        max_projects=settings.max_projects,
    )
    if settings.state_file is not None:
        directory = settings.state_file.resolve().parent
        if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
            raise ConfigError(
                f"--state-file {settings.state_file}: {directory} is not a writable folder"
            )
    if settings.state_file is not None and persistence.load(settings.state_file, registry):
        settings.state_loaded = True
        return registry  # the saved state holds what an earlier --seed made
    if settings.seed:
        project = registry.find_project(settings.primary.project_id)
        assert project is not None
        for document in settings.seed:
            load_seed(project, document.entries(), document.policy())
        settle_after_bulk_load()
    return registry


def shown_secret(secret: str) -> str:
    """The secret as the banner shows it: the mock's documented default in full (it is in
    --help), any other one only by its first four characters."""
    if secret == DEFAULT_SECRET:
        return secret
    return f"{secret[:4]}…({len(secret)} characters)" if len(secret) >= 12 else "…"


def banner(settings: Settings, url: str) -> str:
    p = settings.primary
    listening = f"listening on {url}"
    if settings.host in ("0.0.0.0", "::", ""):
        # Bound to every interface: show an address a client can use.
        url = url.replace(f"//{settings.host}:", "//127.0.0.1:").replace("//[::]:", "//127.0.0.1:")
        listening = f"listening on all interfaces, {url} from this machine"
    secret = shown_secret(p.secret)
    lines = [
        f"stytch-b2b-mock {__version__} {listening}",
        f"  project_id  {p.project_id}",
        f"  secret      {secret}",
        f"  (credentials from {settings.credentials_source})",
        f"  redirect    {', '.join(p.redirect_urls)}",
        f"  public      {p.public_token} (frontend SDKs)",
        f'  Python      B2BClient(project_id="{p.project_id}", secret="{secret}", '
        f'environment="{url}")',
        f'  Node        new B2BClient({{ project_id: "{p.project_id}", secret: "{secret}", '
        f'env: "{url}" }})',
        f"  outbox      curl -u {p.project_id}:{secret} {url}_mock/outbox",
        f'  Browser     createStytchB2BClient("{p.public_token}", '
        f'{{ endpoints: {{ testAPIURL: "{url.rstrip("/")}" }} }})',
    ]
    if len(settings.projects) > 1:
        lines.append(f"  + {len(settings.projects) - 1} more project(s) from the config file")
    if settings.open_projects:
        lines.append("  open projects: any project-test-... id gets its own project")
    if settings.tls_dir is not None:
        lines.append(tls.TLSFiles(settings.tls_dir).trust_hint())
        lines.append(f'  HTTPS SDKs  Python custom_base_url="{url}", Node custom_base_url: "{url}"')
    lines.append("Ctrl-C stops it.")
    return "\n".join(lines)


def http_url(host: str, port: int, scheme: str = "http") -> str:
    """``http://host:port/`` (or https), with an IPv6 address in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}/"


async def start(settings: Settings, registry: Registry) -> tuple[web.AppRunner, str]:
    """The mock listening as ``settings`` say (JWT signer, access log, address): its runner,
    which the caller cleans up, and its URL. ``serve`` and ``reference_app.devserver`` both
    start it here, so the two cannot drift apart."""
    app = create_app(
        registry,
        sign_in_process=settings.jwt_signer == "process",
        limits=settings.limits,
        public_url=settings.public_url,
    )
    access_log = None
    if settings.access_log:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        access_log = logging.getLogger("aiohttp.access")
    ssl_context = None
    if settings.tls_dir is not None:
        try:
            files = tls.ensure_certificates(settings.tls_dir, settings.host)
            ssl_context = files.server_context()
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--tls: cannot use {settings.tls_dir}: {exc}") from None
    runner = MockRunner(app, access_log=access_log)
    await runner.setup()
    try:
        await site(runner, settings.host, settings.port, ssl_context).start()
    except BaseException:
        await runner.cleanup()  # stops the signer process, too
        raise
    port = runner.addresses[0][1] if runner.addresses else settings.port
    return runner, http_url(settings.host, port, "https" if ssl_context else "http")


async def serve(settings: Settings, registry: Registry) -> None:
    runner, url = await start(settings, registry)
    print(banner(settings, url), flush=True)
    saver = None
    if settings.state_file is not None:
        saver = persistence.StateSaver(
            settings.state_file, registry, settings.save_interval, settings.state_loaded
        )
        saver.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    quiet_accept_errors(loop)

    def on_signal() -> None:
        if stop.is_set():  # a second signal: stop now, without waiting for anything
            print("stytch-b2b-mock: stopped at once", flush=True)
            os._exit(1)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        await stop.wait()
    finally:
        print("stytch-b2b-mock: shutting down", flush=True)
        await runner.cleanup()
        if saver is not None:
            await saver.stop()
            print(f"stytch-b2b-mock: state saved to {settings.state_file}", flush=True)


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
    except ConfigError as exc:
        parser.exit(2, f"stytch-mock: error: {exc}\n")
    except OSError as exc:
        print(
            f"stytch-mock: error: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
