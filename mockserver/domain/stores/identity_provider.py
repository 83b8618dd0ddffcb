"""The project's built-in identity provider (``mockserver.idp.provider``) as a store: its key
and certificate, and the OIDC clients that the project's connections registered.

``POST /_mock/reset`` forgets the clients and any login under way but keeps the key (relying
parties cache JWKS, and SAML connections elsewhere may trust its certificate); the state
document carries the key, its certificate and the clients, so a saved project's connections
still sign in after an import into another server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...idp import certs
from ...idp.provider import IdentityProvider, OIDCClient
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


@dataclass(slots=True)
class IdentityProviderRecord:
    kid: str
    private_key_pem: str
    certificate_pem: str
    clients: list[OIDCClient] = field(default_factory=list)


class BuiltInIdentityProvider(Store[IdentityProviderRecord]):
    name = "identity_provider"
    record = IdentityProviderRecord

    def __init__(self) -> None:
        self.provider = IdentityProvider()

    def clear(self) -> None:
        self.provider.forget_logins()

    def __iter__(self) -> Iterator[IdentityProviderRecord]:
        return iter(self.export())

    def __len__(self) -> int:
        return len(self.export())

    def export(self) -> list[IdentityProviderRecord]:
        """Nothing until the IdP was used (its key is made on first use)."""
        provider = self.provider
        if provider._key is None:
            return []
        return [
            IdentityProviderRecord(
                kid=provider.kid,
                private_key_pem=certs.private_pem(provider.key),
                certificate_pem=provider._certificate_pem,
                clients=list(provider.clients.values()),
            )
        ]

    def load(self, records: list[IdentityProviderRecord], project: Project) -> None:
        if len(records) > 1:
            raise bad_state("identity_provider holds at most one record")
        for record in records:
            try:
                key = certs.load_rsa_private_key(record.private_key_pem)
                if record.certificate_pem:
                    certs.load_certificate(record.certificate_pem)
            except ValueError as exc:
                raise bad_state(f"identity_provider: {exc}") from None
            self.provider.use_key(record.kid, key, record.certificate_pem)
            for client in record.clients:
                self.provider.clients[client.client_id] = client
