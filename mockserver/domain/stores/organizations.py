"""The organizations of a project, by id, slug, external id and email domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ... import errors
from ..entities import Organization
from ..rules import check_organization
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


class Organizations(Store[Organization]):
    name = "organizations"
    record = Organization

    def __init__(self) -> None:
        self._by_id: dict[str, Organization] = {}  # in creation order
        self._position: dict[str, int] = {}
        self._made = 0
        self._by_slug: dict[str, str] = {}  # lowercased slug -> id
        self._by_external_id: dict[str, str] = {}
        # lowercased domain -> {organization_id: None}
        self._by_allowed_domain: dict[str, dict[str, None]] = {}
        self._by_claimed_domain: dict[str, dict[str, None]] = {}
        # (provider, tenant id) of allowed_oauth_tenants -> {organization_id: None}
        self._by_oauth_tenant: dict[tuple[str, str], dict[str, None]] = {}

    # --- changes ------------------------------------------------------------------------

    def add(self, org: Organization) -> None:
        """A new organization (checked by the caller), last in creation order."""
        self._by_id[org.organization_id] = org
        self._made += 1
        self._position[org.organization_id] = self._made
        self._index(org)

    def update(self, org: Organization, changes: dict[str, Any]) -> None:
        """Set ``changes`` on the organization, its indexes following."""
        self._unindex(org)
        for name, value in changes.items():
            setattr(org, name, value)
        self._index(org)

    def forget(self, org: Organization) -> None:
        self._unindex(org)
        del self._by_id[org.organization_id]
        del self._position[org.organization_id]

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def _index(self, org: Organization) -> None:
        self._by_slug[org.organization_slug.lower()] = org.organization_id
        if org.organization_external_id:
            self._by_external_id[org.organization_external_id] = org.organization_id
        for index, domains in self._domain_indexes(org):
            for domain in domains:
                index.setdefault(domain, {})[org.organization_id] = None
        for tenant in _oauth_tenants(org):
            self._by_oauth_tenant.setdefault(tenant, {})[org.organization_id] = None

    def _unindex(self, org: Organization) -> None:
        self._by_slug.pop(org.organization_slug.lower(), None)
        if org.organization_external_id:
            self._by_external_id.pop(org.organization_external_id, None)
        for index, domains in self._domain_indexes(org):
            for domain in domains:
                by_domain = index.get(domain)
                if by_domain is not None:
                    by_domain.pop(org.organization_id, None)
                    if not by_domain:
                        del index[domain]
        for tenant in _oauth_tenants(org):
            by_tenant = self._by_oauth_tenant.get(tenant)
            if by_tenant is not None:
                by_tenant.pop(org.organization_id, None)
                if not by_tenant:
                    del self._by_oauth_tenant[tenant]

    def _domain_indexes(self, org: Organization) -> tuple[tuple[dict[str, Any], list[str]], ...]:
        return (
            (self._by_allowed_domain, org.email_allowed_domains),
            (self._by_claimed_domain, org.claimed_email_domains),
        )

    # --- lookups ------------------------------------------------------------------------

    def find(self, key: str) -> Organization | None:
        """By id, slug or external id, as Stytch accepts all three wherever an id is expected."""
        org = self._by_id.get(key)
        if org is None:
            oid = self._by_slug.get(key.lower()) or self._by_external_id.get(key)
            org = self._by_id.get(oid) if oid else None
        return org

    def get(self, key: str) -> Organization:
        org = self.find(key)
        if org is None:
            raise errors.organization_not_found()
        return org

    def find_by_id(self, organization_id: str) -> Organization | None:
        return self._by_id.get(organization_id)

    def get_by_id(self, organization_id: str) -> Organization:
        """By id alone, for references the project keeps consistent (a member's organization)."""
        return self._by_id[organization_id]

    def slug_owner(self, slug: str) -> str | None:
        """The id of the organization with this slug (case-insensitive), if any."""
        return self._by_slug.get(slug.lower())

    def external_id_owner(self, external_id: str) -> str | None:
        return self._by_external_id.get(external_id)

    def with_allowed_domain(self, domain: str) -> list[Organization]:
        return [self._by_id[oid] for oid in self._by_allowed_domain.get(domain, ())]

    def with_claimed_domain(self, domain: str) -> list[Organization]:
        return [self._by_id[oid] for oid in self._by_claimed_domain.get(domain, ())]

    def with_oauth_tenant(self, provider: str, tenant: str) -> list[Organization]:
        """Organizations whose ``allowed_oauth_tenants`` list this tenant of the provider."""
        return [self._by_id[oid] for oid in self._by_oauth_tenant.get((provider, tenant), ())]

    def position(self, organization_id: str) -> int:
        """Creation order (discovery lists organizations in it)."""
        return self._position[organization_id]

    def __contains__(self, organization_id: object) -> bool:
        return organization_id in self._by_id

    def __iter__(self) -> Iterator[Organization]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    # --- state --------------------------------------------------------------------------

    def load(self, records: list[Organization], project: Project) -> None:
        for org in records:
            if org.organization_id in self._by_id:
                raise bad_state(f"organization {org.organization_id} appears twice")
            if self.slug_owner(org.organization_slug) is not None:
                raise bad_state(f"organization_slug {org.organization_slug} is used twice")
            external = org.organization_external_id
            if external and self.external_id_owner(external) is not None:
                raise bad_state(f"organization_external_id {external} is used twice")
            try:
                check_organization(org)
            except errors.StytchError as exc:
                raise bad_state(
                    f"organization {org.organization_id}: {exc.error_message}"
                ) from None
            self.add(org)


def _oauth_tenants(org: Organization) -> list[tuple[str, str]]:
    """``allowed_oauth_tenants`` (``{"slack": ["T123"], ...}``) as (provider, tenant) pairs."""
    tenants = org.allowed_oauth_tenants or {}
    return [
        (provider, tenant)
        for provider, ids in tenants.items()
        if isinstance(ids, list)
        for tenant in ids
        if isinstance(tenant, str)
    ]
