"""``--state-file PATH``: the mock's projects survive a restart.

At start the file is read whole and checked before anything is used: a file that is not one
the mock wrote (truncated, hand-edited into something invalid) stops the start with a clear
message, and the file is left exactly as it is. While the server runs it writes the file every
``interval`` seconds when something changed, and once more on shutdown.

A write never leaves a half-written file in place: the document goes to a temporary file in
the same directory, which is flushed and fsync'ed, then renamed over the old one (an atomic
step on POSIX file systems), and the directory is fsync'ed so the rename itself is durable. A
``kill -9`` in the middle leaves the previous good file (and at worst a stray temporary file,
removed at the next start).

The document holds, per project: its id, secret, redirect URLs and public token (so projects
that ``--open-projects`` made come back), and its state as ``GET /_mock/state`` exports it,
signing keys included (so session JWTs issued before a restart still verify).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .domain.project import ProjectConfig
from .domain.registry import Registry
from .domain.state import export_state, import_state
from .errors import StytchError
from .settings import ConfigError

log = logging.getLogger("mockserver")

FILE_VERSION = 1


class _SavedProject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: str
    secret: str
    redirect_urls: list[str]
    public_token: str
    state: dict[str, Any]  # GET /_mock/state's document, signing keys included


class _StateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    projects: list[_SavedProject]


def snapshot(registry: Registry) -> bytes:
    """Every project of ``registry`` as the state file's bytes."""
    projects = []
    for project in list(registry.projects.values()):
        projects.append(
            {
                "project_id": project.project_id,
                "secret": project.config.secret,
                "redirect_urls": list(project.config.redirect_urls),
                "public_token": project.public_token,
                "state": export_state(project),
            }
        )
    return json.dumps({"version": FILE_VERSION, "projects": projects}).encode()


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` in ``path``, all or nothing (temporary file, fsync, rename, fsync of the
    directory)."""
    directory = path.parent
    temporary = directory / f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _refuse(path: Path, why: str) -> ConfigError:
    return ConfigError(
        f"--state-file {path}: {why}. The mock does not start on it and leaves it as it is: "
        "move it away to start empty, or give another path"
    )


def load(path: Path, registry: Registry) -> bool:
    """Fill ``registry`` from the state file; False when there is no file yet. A file that
    cannot be used raises ConfigError and changes nothing."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror})") from None
    try:
        document = _StateFile.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _refuse(
            path, f"is not a state file the mock wrote ({where}: {first['msg']})"
        ) from None
    if document.version != FILE_VERSION:
        raise _refuse(path, f"has version {document.version}, this mock reads {FILE_VERSION}")
    # Everything is checked on scratch projects first, so a bad project changes nothing.
    scratch = Registry([], open_projects=True)
    for saved in document.projects:
        try:
            project = scratch.add(_config(saved))
            import_state(project, saved.state)
        except StytchError as exc:
            raise _refuse(path, f"project {saved.project_id}: {exc.error_message}") from None
        except ValueError as exc:  # a project or public token twice
            raise _refuse(path, str(exc)) from None
    for saved in document.projects:
        target = registry.find_project(saved.project_id)
        if target is None:
            if not registry.open_projects:
                log.warning(
                    "state file %s: project %s is not configured here; left out",
                    path,
                    saved.project_id,
                )
                continue
            target = registry.add(_config(saved), open_project=True)
        loaded = scratch.projects[saved.project_id]
        target.adopt_stores(loaded)
        target.clock.offset_seconds = loaded.clock.offset_seconds
    return True


def _config(saved: _SavedProject) -> ProjectConfig:
    return ProjectConfig(
        saved.project_id, saved.secret, saved.redirect_urls, public_token=saved.public_token
    )


class StateSaver:
    """Writes the state file every ``interval`` seconds when something changed, and at stop.
    The document is made on the event loop (a consistent picture: no request runs meanwhile);
    the write and fsync run on a thread."""

    def __init__(self, path: Path, registry: Registry, interval: float, loaded: bool) -> None:
        self.path = path
        self.registry = registry
        self.interval = interval
        # what was just loaded is on disk already; a new file is written at the first tick
        self._saved = registry.changes if loaded else -1
        self._task: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None

    def start(self) -> None:
        for stray in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # a killed write's
            stray.unlink(missing_ok=True)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.save_if_changed()
            except OSError as exc:  # a full disk: say so, keep serving, try again later
                log.error("cannot write the state file %s: %s", self.path, exc.strerror)

    async def save_if_changed(self) -> None:
        changes = self.registry.changes
        if changes == self._saved:
            return
        data = snapshot(self.registry)
        loop = asyncio.get_running_loop()
        self._writing = loop.run_in_executor(None, write_atomically, self.path, data)
        await self._writing
        self._saved = changes

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._writing is not None:  # a write under way on its thread finishes first
            await asyncio.gather(self._writing, return_exceptions=True)
        write_atomically(self.path, snapshot(self.registry))
