"""The stores of a project: one per collection, each the only owner of its dicts and indexes.

``STORES`` is the list the project is made of: ``Project`` has one attribute per entry (named
by the store's ``name``), ``POST /_mock/reset`` clears them, and the state document of
``GET``/``PUT /_mock/state`` has one key per entry, loaded in this order (a store may check
references to the stores before it). A new family that keeps state adds its store here.
"""

from __future__ import annotations

from typing import Any

from .base import Store, bad_state
from .intermediate_sessions import IntermediateSessions
from .magic_links import MagicLinks
from .members import Members
from .organizations import Organizations
from .outbox import Outbox
from .sessions import Sessions
from .signing_keys import SigningKeyRecord, SigningKeys

STORES: tuple[type[Store[Any]], ...] = (
    Organizations,
    Members,
    Sessions,
    MagicLinks,
    IntermediateSessions,
    Outbox,
    SigningKeys,
)

__all__ = [
    "STORES",
    "IntermediateSessions",
    "MagicLinks",
    "Members",
    "Organizations",
    "Outbox",
    "Sessions",
    "SigningKeyRecord",
    "SigningKeys",
    "Store",
    "bad_state",
]
