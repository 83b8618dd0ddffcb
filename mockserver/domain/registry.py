"""All projects one mock server serves, and how a request's credentials find its project."""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import errors
from ..clock import Clock
from .project import DEFAULT_REDIRECT_URL, Project, ProjectConfig, random_public_token

OPEN_PROJECT_ID = re.compile(r"project-test-[A-Za-z0-9-]{1,100}")


class Registry:
    """Projects by id. With ``open_projects``, any ``project-test-…`` id seen for the first time
    gets a fresh, isolated project that keeps the secret it first came with."""

    def __init__(
        self,
        configs: list[ProjectConfig],
        *,
        open_projects: bool = False,
        default_redirect_urls: list[str] | None = None,
        clock_source: Callable[[], float] | None = None,
    ) -> None:
        self.open_projects = open_projects
        self.default_redirect_urls = default_redirect_urls or [DEFAULT_REDIRECT_URL]
        self._clock_source = clock_source
        self.projects: dict[str, Project] = {}
        self._by_public_token: dict[str, Project] = {}
        for config in configs:
            self.add(config)

    def add(self, config: ProjectConfig) -> Project:
        if config.project_id in self.projects:
            raise ValueError(f"project {config.project_id} is configured twice")
        if config.public_token in self._by_public_token:
            raise ValueError(f"public token {config.public_token} is configured twice")
        clock = Clock(self._clock_source) if self._clock_source else Clock()
        project = Project(config, clock=clock)
        self.projects[config.project_id] = project
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
                )
            )
        if not project.check_secret(secret):
            raise errors.unauthorized_credentials()
        return project

    def find_project(self, project_id: str) -> Project | None:
        """The project with this id, if the server has it."""
        return self.projects.get(project_id)

    def find_project_by_public_token(self, public_token: str) -> Project | None:
        """The project a frontend SDK names by its public token, if any."""
        return self._by_public_token.get(public_token)
