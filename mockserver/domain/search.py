"""Searching organizations, members (and M2M clients, domain/m2m.py): Stytch's query operands,
cursors and limits.

Operands and error types as the SDKs offer them
(https://stytch.com/docs/b2b/api/search-organizations, .../search-members).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import Any

from .. import errors
from .entities import Member, MemberStatus, Organization
from .project import Project

MAX_SEARCH_LIMIT = 1000
DEFAULT_SEARCH_LIMIT = 100


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "offset" or offset < 0:
            raise ValueError(cursor)
        return offset
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_argument("cursor", "The cursor is invalid.") from None


def page(
    items: list[Any], cursor: str | None, limit: int | None
) -> tuple[list[Any], int, str | None]:
    if limit is None or limit == 0:
        limit = DEFAULT_SEARCH_LIMIT
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise errors.invalid_argument("limit", "limit must be between 1 and 1000.")
    start = _decode_cursor(cursor) if cursor else 0
    page = items[start : start + limit]
    next_cursor = _encode_cursor(start + limit) if start + limit < len(items) else None
    return page, len(items), next_cursor


Predicate = Callable[[Any], bool]
Values = Callable[[Any], Iterable[str]]


def _search_error(error_type: str, message: str) -> errors.StytchError:
    return errors.StytchError(400, error_type, message)


def _string_set(family: str, name: str, value: Any) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _search_error(
            f"{family}_search_expected_array_of_strings", f"{name} expects an array of strings."
        )
    return {v.lower() for v in value}


def _fuzzy_text(family: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _search_error(f"{family}_search_expected_string", f"{name} expects a string.")
    if len(value) < 3:
        raise _search_error(
            f"{family}_search_{name}_too_short", f"{name} needs at least 3 characters."
        )
    return value.lower()


def _predicate(family: str, name: str, kind: str, values: Any, value: Any) -> Predicate:
    """One search operand as a predicate. ``kind`` says how ``filter_value`` compares with the
    ``values`` an item has: ``in`` (a list of strings, case-insensitive), ``fuzzy`` (a
    substring of 3 characters or more), ``equals`` (one string), ``flag`` (a boolean); or
    ``in-ids`` / ``fuzzy-ids``, where ``values`` maps the checked filter value to the set of
    matching item ids (for operands answered from an index rather than item by item)."""
    if kind == "flag":
        if not isinstance(value, bool):
            raise _search_error(f"{family}_search_expected_boolean", f"{name} expects a boolean.")
        return lambda item: values(item) == value
    if kind in ("in", "in-ids"):
        wanted = _string_set(family, name, value)
        if kind == "in-ids":
            ids = values(wanted)
            return lambda item: item.organization_id in ids
        return lambda item: any(v.lower() in wanted for v in values(item))
    if kind == "equals":
        if not isinstance(value, str):
            raise _search_error(f"{family}_search_expected_string", f"{name} expects a string.")
        return lambda item: value in values(item)
    text = _fuzzy_text(family, name, value)
    if kind == "fuzzy-ids":
        ids = values(text)
        return lambda item: item.organization_id in ids
    return lambda item: any(text in v.lower() for v in values(item))


def query_predicate(
    query: dict[str, Any] | None, family: str, filters: dict[str, tuple[str, Any]]
) -> Predicate:
    """The whole query (``AND``/``OR`` over its operands) as one predicate."""
    if not query:
        return lambda _item: True
    operator = query.get("operator", "AND")
    if operator not in ("AND", "OR"):
        raise errors.invalid_argument("query.operator", "operator must be AND or OR.")
    predicates = []
    for operand in query.get("operands") or []:
        if not isinstance(operand, dict):
            raise _search_error(
                f"{family}_search_filter_name_must_be_string",
                "Each operand must be an object with filter_name and filter_value.",
            )
        name = operand.get("filter_name")
        if not isinstance(name, str):
            raise _search_error(f"{family}_search_missing_filter_name", "filter_name is required.")
        if name not in filters:
            # The wording of a real response (organizations); members' page by analogy.
            page = "search-organizations" if family == "organization" else "search-members"
            raise _search_error(
                f"{family}_search_filter_name_not_recognized",
                f"The {family} search operand filter_name was not recognized. Please see "
                f"https://stytch.com/docs/b2b/api/{page} for request schema details and "
                "examples.",
            )
        if operand.get("filter_value") is None:
            raise _search_error(
                f"{family}_search_missing_filter_value", f"filter_value is required for {name}."
            )
        kind, values = filters[name]
        predicates.append(_predicate(family, name, kind, values, operand["filter_value"]))
    if not predicates:
        return lambda _item: True
    if operator == "AND":
        return lambda item: all(p(item) for p in predicates)
    return lambda item: any(p(item) for p in predicates)


def _orgs_with_member_email(project: Project) -> Callable[[set[str]], set[str]]:
    """Organizations with a live member holding one of the emails (from the email index)."""

    def orgs(emails: set[str]) -> set[str]:
        return {
            member.organization_id
            for email in emails
            for member in project.members.live_with_email(email)
        }

    return orgs


def _orgs_with_member_email_like(project: Project) -> Callable[[str], set[str]]:
    """Organizations with a live member whose email contains the text (one pass)."""

    def orgs(text: str) -> set[str]:
        return {
            member.organization_id
            for member in project.members
            if member.status != MemberStatus.DELETED and text in member.email_address.lower()
        }

    return orgs


def search_organizations(
    project: Project, *, query: dict[str, Any] | None, cursor: str | None, limit: int | None
) -> tuple[list[Organization], int, str | None]:
    """Every operand the SDKs offer for organizations (``SearchQuery`` operands in
    https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/models/organizations.py)."""
    filters: dict[str, tuple[str, Any]] = {
        "organization_ids": ("in", lambda o: [o.organization_id]),
        "organization_slugs": ("in", lambda o: [o.organization_slug]),
        "organization_name_fuzzy": ("fuzzy", lambda o: [o.organization_name]),
        "organization_slug_fuzzy": ("fuzzy", lambda o: [o.organization_slug]),
        "member_emails": ("in-ids", _orgs_with_member_email(project)),
        "member_email_fuzzy": ("fuzzy-ids", _orgs_with_member_email_like(project)),
        "allowed_domains": ("in", lambda o: o.email_allowed_domains),
        "allowed_domain_fuzzy": ("fuzzy", lambda o: o.email_allowed_domains),
        "claimed_email_domains": ("in", lambda o: o.claimed_email_domains),
        "has_active_sso_connection": ("flag", lambda o: bool(o.sso_active_connections)),
        "sso_connection_id": (
            "equals",
            lambda o: [c.get("connection_id") for c in o.sso_active_connections],
        ),
    }
    match = query_predicate(query, "organization", filters)
    found = [org for org in project.organizations if match(org)]
    return page(found, cursor, limit)


MEMBER_STATUSES = frozenset(
    {MemberStatus.ACTIVE, MemberStatus.PENDING, MemberStatus.INVITED, MemberStatus.DELETED}
)


def search_members(
    project: Project,
    *,
    organization_ids: list[str],
    query: dict[str, Any] | None,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[Member], int, str | None, dict[str, Organization]]:
    """Members of the given organizations; deleted ones only when a ``statuses`` operand asks
    for them (https://stytch.com/docs/b2b/api/search-members)."""
    if not organization_ids:
        raise errors.member_search_organization_ids_empty()
    orgs = [project.organizations.get(oid) for oid in organization_ids]
    include_deleted = False
    for operand in (query or {}).get("operands") or []:
        if isinstance(operand, dict) and operand.get("filter_name") == "statuses":
            value = operand.get("filter_value")
            if not isinstance(value, list) or not {str(v).lower() for v in value} <= (
                MEMBER_STATUSES
            ):
                raise _search_error(
                    "search_invalid_status_filter",
                    "statuses may only contain active, pending, invited and deleted.",
                )
            include_deleted = include_deleted or MemberStatus.DELETED in {
                str(v).lower() for v in value
            }
    phone: Values = lambda m: [m.mfa_phone_number]  # noqa: E731
    filters: dict[str, tuple[str, Any]] = {
        "member_ids": ("in", lambda m: [m.member_id] + ([m.external_id] if m.external_id else [])),
        "member_emails": ("in", lambda m: [m.email_address]),
        "member_email_fuzzy": ("fuzzy", lambda m: [m.email_address]),
        "member_is_breakglass": ("flag", lambda m: m.is_breakglass),
        "statuses": ("in", lambda m: [m.status]),
        "member_phone_numbers": ("in", phone),
        "member_phone_number_fuzzy": ("fuzzy", phone),
        "member_mfa_phone_numbers": ("in", phone),
        "member_mfa_phone_number_fuzzy": ("fuzzy", phone),
        "member_roles": ("in", lambda m: m.role_ids),
    }
    match = query_predicate(query, "member", filters)
    found = [
        m
        for org in orgs
        for m in project.members.of_organization(org.organization_id)
        if (include_deleted or m.status != MemberStatus.DELETED) and match(m)
    ]
    shown, total, next_cursor = page(found, cursor, limit)
    return (
        shown,
        total,
        next_cursor,
        {m.organization_id: project.organizations.get_by_id(m.organization_id) for m in shown},
    )
