"""All projects one mock server serves, and how a request's credentials find its project."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta

from .. import errors
from ..clock import Clock
from .keys import SigningKey
from .project import DEFAULT_REDIRECT_URL, Project, ProjectConfig, random_public_token
from .stores.outbox import DEFAULT_MAX_MESSAGES

OPEN_PROJECT_ID = re.compile(r"project-test-[A-Za-z0-9-]{1,100}")


# Open projects kept at most, and how long what expired (or was used) is kept, by default.
DEFAULT_MAX_PROJECTS = 1000
DEFAULT_KEEP_EXPIRED = timedelta(days=1)


class Registry:
    """Projects by id. With ``open_projects``, any ``project-test-…`` id seen for the first time
    gets a fresh, isolated project that keeps the secret it first came with; past
    ``max_projects`` open projects, the least recently used one is forgotten to make room
    (configured projects never are)."""

    def __init__(
        self,
        configs: list[ProjectConfig],
        *,
        open_projects: bool = False,
        rate_limits: bool = False,
        default_redirect_urls: list[str] | None = None,
        clock_source: Callable[[], float] | None = None,
        max_projects: int = DEFAULT_MAX_PROJECTS,
        outbox_max: int = DEFAULT_MAX_MESSAGES,
        keep_expired: timedelta = DEFAULT_KEEP_EXPIRED,
    ) -> None:
        self.open_projects = open_projects
        self.rate_limits = rate_limits
        self.max_projects = max_projects
        self.outbox_max = outbox_max
        self.keep_expired = keep_expired
        # Open projects, least recently used first (touch moves one to the end).
        self._open: OrderedDict[str, None] = OrderedDict()
        self.evicted = 0
        # Called with each project forgotten to make room (the HTTP layer drops its caches).
        self.on_evict: list[Callable[[Project], None]] = []
        self.default_redirect_urls = default_redirect_urls or [DEFAULT_REDIRECT_URL]
        self._clock_source = clock_source
        # Where a new project's signing key comes from when one is ready (mockserver.keypool);
        # else the project makes it on first use.
        self.key_source: Callable[[str], SigningKey | None] | None = None
        self.projects: dict[str, Project] = {}
        # Bumped by every request that may have changed a project (the HTTP layer) and by
        # every new project: the state file is written when it moved (mockserver.persistence).
        self.changes = 0
        self._by_public_token: dict[str, Project] = {}
        for config in configs:
            self.add(config)

    def add(self, config: ProjectConfig, *, open_project: bool = False) -> Project:
        """A new project; ``open_project`` for one made on first use (counted against
        ``max_projects``, and forgotten when least recently used)."""
        if config.project_id in self.projects:
            raise ValueError(f"project {config.project_id} is configured twice")
        if config.public_token in self._by_public_token:
            raise ValueError(f"public token {config.public_token} is configured twice")
        if open_project:
            while len(self._open) >= self.max_projects:
                self._evict(next(iter(self._open)))
            self._open[config.project_id] = None
        config.outbox_max = self.outbox_max
        clock = Clock(self._clock_source) if self._clock_source else Clock()
        project = Project(config, clock=clock)
        key = self.key_source(config.env) if self.key_source is not None else None
        if key is not None:
            project.set_key(key)
        project.rate_limits.enabled = self.rate_limits
        self.projects[config.project_id] = project
        self.changes += 1
        self._by_public_token[config.public_token] = project
        return project

    def authenticate(self, project_id: str, secret: str) -> Project:
        """The project these credentials open, or 401 ``unauthorized_credentials``."""
        project = self.projects.get(project_id)
        if project is None:
            if not (self.open_projects and OPEN_PROJECT_ID.fullmatch(project_id) and secret):
                raise errors.unauthorized_credentials()
            project = self.add(
                ProjectConfig(
                    project_id,
                    secret,
                    list(self.default_redirect_urls),
                    public_token=random_public_token(),
                ),
                open_project=True,
            )
        if not project.check_secret(secret):
            raise errors.unauthorized_credentials()
        self.touch(project)
        return project

    def touch(self, project: Project) -> None:
        """The project was just used (it becomes the last an eviction would take)."""
        if project.project_id in self._open:
            self._open.move_to_end(project.project_id)

    def _evict(self, project_id: str) -> None:
        del self._open[project_id]
        project = self.projects.pop(project_id)
        self._by_public_token.pop(project.public_token, None)
        self.evicted += 1
        self.changes += 1
        for callback in self.on_evict:
            callback(project)

    def sweep(self) -> int:
        """Every project forgets what expired or was used more than ``keep_expired`` ago."""
        return sum(project.sweep(self.keep_expired) for project in self.projects.values())

    def find_project(self, project_id: str) -> Project | None:
        """The project with this id, if the server has it."""
        return self.projects.get(project_id)

    def find_project_by_public_token(self, public_token: str) -> Project | None:
        """The project a frontend SDK names by its public token, if any."""
        return self._by_public_token.get(public_token)
