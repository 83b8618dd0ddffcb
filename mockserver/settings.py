"""Server settings: which projects exist, where to listen, and where they come from.

Credentials resolve in this order: command-line flags, then ``STYTCH_PROJECT_ID`` /
``STYTCH_SECRET`` from the environment, then a ``.env`` file in the working directory (so one
``.env`` configures both an app and the mock), then fixed, documented test credentials.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .domain.mfa import MfaSettings
from .domain.passwords.policy import PasswordPolicy
from .domain.project import DEFAULT_REDIRECT_URL, PUBLIC_TOKEN, ProjectConfig
from .domain.rbac import PolicyDocument, build_policy
from .domain.registry import DEFAULT_KEEP_EXPIRED, DEFAULT_MAX_PROJECTS
from .domain.stores.outbox import DEFAULT_MAX_MESSAGES
from .errors import StytchError
from .http.connections import Limits
from .models.control import FrontendSDKObject, SeedDocument
from .models.mfa import MfaSettingsRequest

DEFAULT_PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000"
DEFAULT_SECRET = "secret-test-stytch-b2b-mock-local-only"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


class ConfigError(ValueError):
    """A settings problem worth a clear one-line message, not a traceback."""


def check_redirect_url(url: str) -> str:
    """A registered redirect URL is absolute: http or https, with a host (``*`` allowed)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError(
            "redirect_url",
            "{value} is not a redirect URL: it must be absolute, http:// or https:// with a "
            "host (for example http://localhost:3000/authenticate)",
            {"value": repr(url)},
        )
    return url


PROJECT_ID = re.compile(r"project-(test|live)-[A-Za-z0-9-]+")


class ProjectEntry(BaseModel):
    """One project, from a config file entry or from the command line and environment: both
    follow these rules."""

    model_config = ConfigDict(extra="forbid")

    project_id: str
    secret: str = Field(min_length=1)
    redirect_urls: list[str] = Field(default_factory=lambda: [DEFAULT_REDIRECT_URL], min_length=1)
    # MFA choices where Stytch publishes nothing (mockserver.domain.mfa.MfaSettings).
    mfa: MfaSettingsRequest = Field(default_factory=MfaSettingsRequest)
    # The frontend SDKs' public token; derived from project_id when not given.
    public_token: str | None = None
    # The project's password settings (strength policy, breach check, locks, hashing cost).
    passwords: PasswordPolicy = Field(default_factory=PasswordPolicy)
    frontend_sdk: FrontendSDKObject = Field(default_factory=FrontendSDKObject)

    @field_validator("public_token")
    @classmethod
    def _public_token_like_stytch(cls, value: str | None) -> str | None:
        if value is not None and not PUBLIC_TOKEN.fullmatch(value):
            raise PydanticCustomError(
                "public_token",
                "{value} must look like public-token-test-<uuid>, as Stytch's do",
                {"value": repr(value)},
            )
        return value

    # The project's RBAC policy (README "RBAC"): custom resources and roles, default roles'
    # permissions changed; without it, Stytch's default policy.
    rbac_policy: PolicyDocument | None = None

    @model_validator(mode="after")
    def _policy_holds(self) -> ProjectEntry:
        if self.rbac_policy is not None:
            try:
                build_policy(self.rbac_policy.model_dump())
            except StytchError as exc:
                raise PydanticCustomError(
                    "rbac_policy",
                    "rbac_policy: {error_type}: {message}",
                    {"error_type": exc.error_type, "message": exc.error_message},
                ) from None
        return self

    @field_validator("redirect_urls")
    @classmethod
    def _absolute_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            check_redirect_url(url)
        return urls

    @field_validator("project_id")
    @classmethod
    def _like_stytch(cls, value: str) -> str:
        if not PROJECT_ID.fullmatch(value):
            raise PydanticCustomError(
                "project_id",
                "{value} must start with project-test- or project-live- (then letters, digits "
                "and dashes), as Stytch's do",
                {"value": repr(value)},
            )
        return value

    @field_validator("redirect_urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            try:
                urlsplit(url)
            except ValueError:
                raise PydanticCustomError(
                    "redirect_url", "{url} is not a URL", {"url": repr(url)}
                ) from None
        return value

    def config(self) -> ProjectConfig:
        return ProjectConfig(
            self.project_id,
            self.secret,
            list(self.redirect_urls),
            public_token=self.public_token or "",
            rbac_policy=self.rbac_policy.model_dump() if self.rbac_policy is not None else None,
            passwords=self.passwords,
            mfa=MfaSettings(**self.mfa.model_dump(exclude_none=True)),
            frontend=self.frontend_sdk.settings(),
        )


class _ConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    projects: list[ProjectEntry] = Field(min_length=1)
    open_projects: bool = False


@dataclass
class Settings:
    projects: list[ProjectConfig]
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    open_projects: bool = False
    rate_limits: bool = False
    keep_expired: timedelta = DEFAULT_KEEP_EXPIRED
    outbox_max: int = DEFAULT_MAX_MESSAGES
    max_projects: int = DEFAULT_MAX_PROJECTS
    access_log: bool = False
    jwt_signer: str = "process"  # or "inline": see mockserver.signer
    public_url: str | None = None  # the mock's address as browsers reach it (SSO)
    seed: list[SeedDocument] = field(default_factory=list)
    credentials_source: str = "defaults"
    # HTTPS (mockserver.tls): the folder with the local CA and server certificate, or None.
    tls_dir: Path | None = None
    # The redirect URLs a project made by --open-projects accepts (--redirect-url).
    open_project_redirect_urls: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URL])
    limits: Limits = field(default_factory=Limits)
    state_file: Path | None = None
    save_interval: float = 5.0
    state_loaded: bool = False  # set when the state file was read at start

    @property
    def primary(self) -> ProjectConfig:
        return self.projects[0]


def load_data_file(path: Path) -> Any:
    """A JSON or YAML document (chosen by extension; YAML also reads JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML: {where}{problem}") from None
    not_finite = _not_finite(data)
    if not_finite is not None:
        raise ConfigError(
            f"{path}: {not_finite or '(top level)'}: NaN and Infinity are not numbers the API takes"
        )
    return data


def _not_finite(data: Any, where: str = "") -> str | None:
    """Where in ``data`` a NaN or an Infinity is, if anywhere."""
    if isinstance(data, float) and not math.isfinite(data):
        return where
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found = _not_finite(value, f"{where}.{key}" if where else str(key))
        if found is not None:
            return found
    return None


def invalid(source: object, exc: ValidationError) -> ConfigError:
    """``exc``'s first error as one line: ``source: where.in.the.document: what``."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return ConfigError(f"{source}: {where}: {first['msg']}")


def load_config_file(path: Path) -> tuple[list[ProjectConfig], bool]:
    data = load_data_file(path)
    try:
        parsed = _ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise invalid(path, exc) from None
    ids = [p.project_id for p in parsed.projects]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: a project_id appears twice")
    configs = [p.config() for p in parsed.projects]
    if len({c.public_token for c in configs}) != len(configs):
        raise ConfigError(f"{path}: a public_token appears twice")
    return configs, parsed.open_projects


def load_seed_file(path: Path) -> list[SeedDocument]:
    """The ``--seed`` file: one seed document, or a list of them."""
    data = load_data_file(path)
    documents = data if isinstance(data, list) else [data]
    for document in documents:
        if isinstance(document, dict) and "organization_name" in document:
            raise ConfigError(
                f"{path}: a seed document is an object with an `organizations:` list, and this "
                "looks like an organization on its own: put it under `organizations:`"
            )
    try:
        return [SeedDocument.model_validate(d) for d in documents]
    except ValidationError as exc:
        raise invalid(path, exc) from None


def credentials_from_environment(cwd: Path | None = None) -> tuple[str | None, str | None, str]:
    """``(project_id, secret, source)`` from the environment, else ``.env`` (either may be
    None when not found)."""
    project_id = os.environ.get("STYTCH_PROJECT_ID") or None
    secret = os.environ.get("STYTCH_SECRET") or None
    env_file = (cwd or Path.cwd()) / ".env"
    sources = {
        name: "environment" for name, value in (("id", project_id), ("secret", secret)) if value
    }
    if not (project_id and secret) and env_file.is_file():
        values = dotenv_values(env_file)
        if not project_id and values.get("STYTCH_PROJECT_ID"):
            project_id, sources["id"] = values["STYTCH_PROJECT_ID"], str(env_file)
        if not secret and values.get("STYTCH_SECRET"):
            secret, sources["secret"] = values["STYTCH_SECRET"], str(env_file)
    found = sorted(set(sources.values()), key=lambda s: s != "environment")
    source = " and ".join(found) if found else "defaults"
    return project_id, secret, source
