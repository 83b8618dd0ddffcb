"""What every store is: one collection of a project, with the indexes only it keeps.

A store is the only code that touches its dicts. It adds (``add``), forgets (``forget``) and
looks up its objects (``find_*`` gives None when absent, ``get_*`` raises the Stytch error),
keeps its indexes in step on every change, and saves and restores itself: ``export`` gives its
records, ``load`` takes them back (checking what it can check, against the stores loaded before
it), so the project's state document is the list of its stores (``stores.STORES``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ... import errors

if TYPE_CHECKING:
    from ..project import Project, ProjectConfig

T = TypeVar("T")


def bad_state(message: str) -> errors.StytchError:
    """A state document refused by ``PUT /_mock/state`` (or ``--state-file``)."""
    return errors.bad_request(f"The state document is invalid: {message}")


class Store(Generic[T]):
    """Base of the project's stores. ``name`` is both the project's attribute and the key of
    the state document; ``record`` the type of what ``export`` gives and ``load`` takes."""

    name: ClassVar[str]
    record: ClassVar[Any]
    # Kept by POST /_mock/reset (the signing keys: SDKs cache the JWKS).
    kept_on_reset: ClassVar[bool] = False

    @classmethod
    def empty(cls, config: ProjectConfig) -> Store[Any]:
        """A new, empty store for a project with this configuration."""
        return cls()

    def __iter__(self) -> Iterator[T]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def export(self) -> list[Any]:
        """The store's records, in the order ``load`` takes them back."""
        return list(self)

    def load(self, records: list[Any], project: Project) -> None:
        """Add the records of a state document to this (empty) store of ``project``, a staging
        project whose earlier stores are already loaded. Raises ``bad_state`` on a record the
        store (or a reference to an earlier store) refuses."""
        raise NotImplementedError
