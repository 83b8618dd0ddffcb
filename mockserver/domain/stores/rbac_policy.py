"""The project's RBAC policy (domain/rbac.py): the configured one (the config file's
``rbac_policy``, else Stytch's default) until a seed replaces it; ``POST /_mock/reset`` brings
the configured one back, and the state document keeps the document it was built from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ... import errors
from ..rbac import Policy, PolicyDocument, build_policy
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project, ProjectConfig


class RBACPolicy(Store[Policy]):
    name = "rbac_policy"
    record = PolicyDocument

    def __init__(self, configured: dict[str, Any] | None = None) -> None:
        self._configured = configured
        self.policy: Policy = build_policy(configured)

    @classmethod
    def empty(cls, config: ProjectConfig) -> RBACPolicy:
        return cls(config.rbac_policy)

    def replace(self, document: dict[str, Any] | None) -> Policy:
        """Use the policy of ``document`` (checked in full first); the one it replaced."""
        previous, self.policy = self.policy, build_policy(document)
        return previous

    def restore(self, policy: Policy) -> None:
        self.policy = policy

    def clear(self) -> None:
        self.policy = build_policy(self._configured)

    def __iter__(self) -> Iterator[Policy]:
        return iter([self.policy])

    def __len__(self) -> int:
        return 1

    def export(self) -> list[PolicyDocument]:
        """The document of a policy other than the configured one (none otherwise)."""
        if self.policy.source is None or self.policy.source == self._configured:
            return []
        return [PolicyDocument.model_validate(self.policy.source)]

    def load(self, records: list[PolicyDocument], project: Project) -> None:
        if len(records) > 1:
            raise bad_state("rbac_policy holds one policy document at most")
        if records:
            try:
                self.replace(records[0].model_dump())
            except errors.StytchError as exc:
                raise bad_state(f"rbac_policy: {exc.error_type}: {exc.error_message}") from None
