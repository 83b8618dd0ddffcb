"""The stores of a project: one per collection, each the only owner of its dicts and indexes.

``STORES`` is the list the project is made of: ``Project`` has one attribute per entry (named
by the store's ``name``), ``POST /_mock/reset`` clears them, and the state document of
``GET``/``PUT /_mock/state`` has one key per entry, loaded in this order (a store may check
references to the stores before it). A new family that keeps state adds its store here.
"""

from __future__ import annotations

from typing import Any

from .base import Store, bad_state
from .identity_provider import BuiltInIdentityProvider
from .impersonation import ImpersonationTokens
from .intermediate_sessions import IntermediateSessions
from .m2m import M2MClients
from .magic_links import MagicLinks
from .member_passwords import MemberPasswords, StoredPassword
from .members import Members
from .mfa import OneTimeCodes, TotpRegistrations
from .oauth import OAuthProviderTokens, OAuthRequests, OAuthTokens
from .organizations import Organizations
from .outbox import Outbox
from .rbac_policy import RBACPolicy
from .scim import SCIMConnections, SCIMGroups
from .sessions import Sessions
from .signing_keys import SigningKeyRecord, SigningKeys
from .sso import SSOConnections, SSOStarts, SSOTokens

STORES: tuple[type[Store[Any]], ...] = (
    RBACPolicy,
    Organizations,
    Members,
    Sessions,
    MagicLinks,
    IntermediateSessions,
    OAuthRequests,
    OAuthTokens,
    OAuthProviderTokens,
    Outbox,
    SigningKeys,
    MemberPasswords,
    OneTimeCodes,
    TotpRegistrations,
    BuiltInIdentityProvider,
    SSOConnections,
    SSOStarts,
    SSOTokens,
    SCIMConnections,
    SCIMGroups,
    M2MClients,
    ImpersonationTokens,
)

__all__ = [
    "STORES",
    "BuiltInIdentityProvider",
    "SSOConnections",
    "SSOStarts",
    "SSOTokens",
    "ImpersonationTokens",
    "IntermediateSessions",
    "M2MClients",
    "MagicLinks",
    "MemberPasswords",
    "Members",
    "OAuthProviderTokens",
    "OAuthRequests",
    "OAuthTokens",
    "OneTimeCodes",
    "Organizations",
    "Outbox",
    "RBACPolicy",
    "SCIMConnections",
    "SCIMGroups",
    "Sessions",
    "SigningKeyRecord",
    "SigningKeys",
    "Store",
    "StoredPassword",
    "TotpRegistrations",
    "bad_state",
]
