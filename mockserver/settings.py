"""Server settings: which projects exist, where to listen, and where they come from.

Credentials resolve in this order: command-line flags, then ``STYTCH_PROJECT_ID`` /
``STYTCH_SECRET`` from the environment, then a ``.env`` file in the working directory (so one
``.env`` configures both an app and the mock), then fixed, documented test credentials.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from .domain.project import DEFAULT_REDIRECT_URL, PUBLIC_TOKEN, ProjectConfig
from .models.control import FrontendSDKObject, SeedDocument

DEFAULT_PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000"
DEFAULT_SECRET = "secret-test-stytch-b2b-mock-local-only"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


class ConfigError(ValueError):
    """A settings problem worth a clear one-line message, not a traceback."""


PROJECT_ID = re.compile(r"project-(test|live)-[A-Za-z0-9-]+")


class ProjectEntry(BaseModel):
    """One project, from a config file entry or from the command line and environment: both
    follow these rules."""

    model_config = ConfigDict(extra="forbid")

    project_id: str
    secret: str = Field(min_length=1)
    redirect_urls: list[str] = Field(default_factory=lambda: [DEFAULT_REDIRECT_URL], min_length=1)
    # The frontend SDKs' public token; derived from project_id when not given.
    public_token: str | None = None
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

    def config(self) -> ProjectConfig:
        return ProjectConfig(
            self.project_id,
            self.secret,
            list(self.redirect_urls),
            public_token=self.public_token or "",
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
    access_log: bool = False
    jwt_signer: str = "process"  # or "inline": see mockserver.signer
    seed: list[SeedDocument] = field(default_factory=list)
    credentials_source: str = "defaults"

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
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML: {where}{problem}") from None


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
    try:
        return [
            SeedDocument.model_validate(d) for d in (data if isinstance(data, list) else [data])
        ]
    except ValidationError as exc:
        raise invalid(path, exc) from None


def credentials_from_environment(cwd: Path | None = None) -> tuple[str | None, str | None, str]:
    """``(project_id, secret, source)`` from the environment, else ``.env`` (either may be
    None when not found)."""
    project_id = os.environ.get("STYTCH_PROJECT_ID") or None
    secret = os.environ.get("STYTCH_SECRET") or None
    source = "environment"
    env_file = (cwd or Path.cwd()) / ".env"
    if not (project_id and secret) and env_file.is_file():
        values = dotenv_values(env_file)
        if not project_id and values.get("STYTCH_PROJECT_ID"):
            project_id, source = values["STYTCH_PROJECT_ID"], str(env_file)
        if not secret and values.get("STYTCH_SECRET"):
            secret, source = values["STYTCH_SECRET"], str(env_file)
    if not (project_id or secret):
        source = "defaults"
    return project_id, secret, source
