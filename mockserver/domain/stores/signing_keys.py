"""The project's RS256 signing keys: the newest signs, all are in the JWKS.

They are part of the state document (as PKCS#8 PEM), so session JWTs made before an export
verify after an import into another server; they are kept across ``POST /_mock/reset`` because
SDKs cache the JWKS for 5 to 10 minutes. The mock never logs or prints them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..keys import SigningKey
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project, ProjectConfig


@dataclass(slots=True)
class SigningKeyRecord:
    kid: str
    private_key_pem: str


class SigningKeys(Store[SigningKey]):
    name = "signing_keys"
    record = SigningKeyRecord
    kept_on_reset = True

    def __init__(self, env: str = "test", keys: list[SigningKey] | None = None) -> None:
        self._env = env
        self._keys: list[SigningKey] = list(keys or [])

    @classmethod
    def empty(cls, config: ProjectConfig) -> SigningKeys:
        return cls(config.env)

    @property
    def current(self) -> SigningKey:
        """The key that signs, made on first use (about 50 ms)."""
        if not self._keys:
            self._keys.append(SigningKey.generate(self._env))
        return self._keys[-1]

    def jwks(self) -> list[dict[str, Any]]:
        """The public JWKs of every key (the current one made if need be)."""
        self.current  # noqa: B018 (made on first use)
        return [key.jwk for key in self._keys]

    def find(self, kid: str) -> SigningKey | None:
        for key in self._keys:
            if key.kid == kid:
                return key
        return None

    def clear(self) -> None:
        self._keys.clear()

    def __iter__(self) -> Iterator[SigningKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def export(self) -> list[SigningKeyRecord]:
        return [SigningKeyRecord(key.kid, key.private_pem()) for key in self._keys]

    def load(self, records: list[SigningKeyRecord], project: Project) -> None:
        """A document's keys replace the project's; a document without keys (one saved before
        keys were exported, or by a project that never signed) keeps them."""
        if not records:
            return
        keys = []
        for i, record in enumerate(records):
            try:
                keys.append(SigningKey.from_pem(record.kid, record.private_key_pem))
            except ValueError as exc:
                raise bad_state(f"signing_keys.{i}: {exc}") from None
        if len({key.kid for key in keys}) != len(keys):
            raise bad_state("a signing key id appears twice")
        self._keys = keys
