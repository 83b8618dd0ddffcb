"""The SCIM 2.0 wire (RFC 7643 resources, RFC 7644 protocol) of the routes an identity provider
calls under a SCIM connection's ``base_url``, read and written with scim2-models
(https://github.com/python-scim/scim2-models): resources, PATCH operations, filters, list
responses and errors are that library's, not this project's.

What the mock tolerates from an IdP is one :data:`POLICY`: attributes and extensions it does
not know are ignored (Okta and Entra send custom ones), and a ``remove`` of ``members`` with a
``value`` list removes those members (Microsoft Entra's form).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    EnterpriseUser,
    Error,
    Group,
    GroupMember,
    GroupMembership,
    ListResponse,
    Meta,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimFilter,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    User,
)

from ..domain.scim import SCIMProtocolError, SCIMUser, invalid_value

SCIM_JSON = "application/scim+json"
UserResource = User[EnterpriseUser]
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

# What the SCIM routes tell a client that asks (RFC 7644 §4: /ServiceProviderConfig,
# /ResourceTypes, /Schemas): Users (with the enterprise extension) and Groups; PATCH and
# filters, no bulk, sorting, ETags or password changes; the connection's bearer token.
PROVIDER = ScimProvider(
    models=[User, EnterpriseUser, Group],
    resource_types=[ResourceType.from_resource(UserResource), ResourceType.from_resource(Group)],
    config=ServiceProviderConfig.model_validate(
        {
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": 1000},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "The SCIM connection's bearer token.",
                }
            ],
        }
    ),
    policy=POLICY,
)


def discovery_json(kind: str, item_id: str | None = None) -> dict[str, Any] | None:
    """``ServiceProviderConfig``, ``ResourceTypes`` or ``Schemas`` (a list response, or one
    item by its id; None when there is no such item)."""
    if kind == "ServiceProviderConfig":
        return resource_json(PROVIDER.config)
    items: Any = PROVIDER.resource_types if kind == "ResourceTypes" else PROVIDER.schemas
    if item_id is None:
        return list_json(type(items[0]), list(items), len(items), 1)
    found = next((item for item in items if item.id == item_id), None)
    return resource_json(found) if found is not None else None


# Stytch's SCIMAttributes (stytch/b2b/models/scim.py): every field is required but ``name``
# and ``enterprise_extension``; multi-valued ones are lists of {value, type, primary}.
_MULTI = (
    ("emails", "emails"),
    ("phone_numbers", "phone_numbers"),
    ("ims", "ims"),
    ("photos", "photos"),
    ("entitlements", "entitlements"),
    ("roles", "roles"),
    ("x509certificates", "x509_certificates"),
)
_STRINGS = (
    "display_name",
    "nick_name",
    "profile_url",
    "user_type",
    "title",
    "preferred_language",
    "locale",
    "timezone",
)
_ADDRESS = ("formatted", "street_address", "locality", "region", "postal_code", "country")
_NAME = (
    "formatted",
    "family_name",
    "given_name",
    "middle_name",
    "honorific_prefix",
    "honorific_suffix",
)
_ENTERPRISE = ("employee_number", "cost_center", "division", "department", "organization")


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _entry(item: Any) -> dict[str, Any]:
    return {
        "value": _text(item.value),
        "type": _text(getattr(item, "type", None)),
        "primary": bool(getattr(item, "primary", False)),
    }


def scim_error(exc: Exception) -> SCIMProtocolError:
    """A problem found by scim2-models, as the error the SCIM routes answer."""
    if isinstance(exc, SCIMException):
        return SCIMProtocolError(
            exc.status, "invalid_argument", exc.detail or "Invalid SCIM request.", exc.scim_type
        )
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        scim_type = first["type"].removeprefix("scim_") if first["type"].startswith("scim_") else ""
        where = ".".join(str(p) for p in first["loc"])
        message = f"{where}: {first['msg']}" if where else first["msg"]
        return SCIMProtocolError(400, "invalid_argument", message, scim_type or "invalidValue")
    return invalid_value(str(exc))


def error_body(error: Any) -> dict[str, Any]:
    """RFC 7644 §3.12's Error (``status``, ``scimType``, ``detail``) and nothing else: SCIM
    clients may refuse any other member in an error (scim2-client does), so Stytch's error
    fields are not added. The request log (``/_mock/requests``) still has the request."""
    scim_type = getattr(error, "scim_type", "") or None
    body = Error(status=error.status_code, scim_type=scim_type, detail=error.error_message)
    return body.model_dump(mode="json")  # type: ignore[no-any-return]


def read_user(payload: Any, context: Context) -> UserResource:
    try:
        return UserResource.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except (ValidationError, SCIMException) as exc:
        raise scim_error(exc) from None


def read_group(payload: Any, context: Context) -> Group:
    try:
        return Group.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except (ValidationError, SCIMException) as exc:
        raise scim_error(exc) from None


def patch(resource: Any, payload: Any) -> None:
    """Apply a PatchOp request to ``resource`` (a User or Group) in place."""
    try:
        operation = PatchOp[type(resource)].model_validate(  # type: ignore[misc]
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        operation.patch(resource, scim_policy=POLICY)
    except (ValidationError, SCIMException) as exc:
        raise scim_error(exc) from None


def user_from_stored(resource: dict[str, Any]) -> UserResource:
    return UserResource.model_validate(resource, scim_policy=POLICY)


def group_payload(group: Any, members: list[Any]) -> Group:
    return Group(
        id=group.group_id,
        external_id=group.external_id,
        display_name=group.group_name,
        members=[
            GroupMember.model_validate({"value": m.member_id, "display": m.name or m.email_address})
            for m in members
        ],
    )


def scim_user(user: UserResource) -> SCIMUser:
    """What the domain takes from a User resource: the Member's email (the primary email, else
    the first, else the userName), name (``name.formatted``, else given and family names, else
    ``displayName``) and Stytch's ``scim_attributes``."""
    emails = user.emails or []
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    name = ""
    if user.name is not None:
        name = user.name.formatted or " ".join(
            part for part in (user.name.given_name, user.name.family_name) if part
        )
    name = name or user.display_name or ""
    resource = user.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE)
    for key in ("id", "meta", "groups"):
        resource.pop(key, None)
    return SCIMUser(
        user_name=user.user_name or "",
        email=_text(primary.value) if primary is not None else None,
        name=name,
        active=user.active is not False,
        external_id=user.external_id,
        attributes=_attributes(user),
        resource=resource,
    )


def _attributes(user: UserResource) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "user_name": user.user_name or "",
        "id": "",
        "external_id": user.external_id or "",
        "active": user.active is not False,
        "groups": [],
        **{key: _text(getattr(user, key)) for key in _STRINGS},
        "addresses": [
            {
                **{key: _text(getattr(a, key, None)) for key in _ADDRESS},
                "type": _text(a.type),
                "primary": bool(a.primary),
            }
            for a in user.addresses or []
        ],
    }
    for ours, theirs in _MULTI:
        attributes[ours] = [_entry(item) for item in getattr(user, theirs) or []]
    if user.name is not None:
        attributes["name"] = {key: _text(getattr(user.name, key)) for key in _NAME}
    enterprise = user[EnterpriseUser]
    if enterprise is not None and any(getattr(enterprise, k) for k in (*_ENTERPRISE, "manager")):
        extension: dict[str, Any] = {key: _text(getattr(enterprise, key)) for key in _ENTERPRISE}
        if enterprise.manager is not None:
            extension["manager"] = {
                "value": _text(enterprise.manager.value),
                "ref": _text(enterprise.manager.ref),
                "display_name": _text(enterprise.manager.display_name),
            }
        attributes["enterprise_extension"] = extension
    return attributes


def _meta(kind: str, location: str, created: datetime, modified: datetime) -> Meta:
    return Meta(resource_type=kind, location=location, created=created, last_modified=modified)


def user_model(member: Any, groups: list[Any], base_url: str) -> UserResource:
    """The Member as the SCIM User resource the IdP last sent, with its id, ``active`` from
    the Member's status, its groups and ``meta``."""
    user = user_from_stored(member.scim_resource)
    user.id = member.member_id
    user.active = member.status != "deleted"
    user.meta = _meta(
        "User", f"{base_url}/Users/{member.member_id}", member.created_at, member.updated_at
    )
    user.groups = [
        GroupMembership.model_validate(
            {
                "value": g.group_id,
                "display": g.group_name,
                "$ref": f"{base_url}/Groups/{g.group_id}",
            }
        )
        for g in groups
    ]
    return user


def group_model(group: Any, members: list[Any], base_url: str) -> Group:
    resource = group_payload(group, members)
    resource.meta = _meta(
        "Group", f"{base_url}/Groups/{group.group_id}", group.created_at, group.updated_at
    )
    return resource


def resource_json(resource: Any) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)  # type: ignore[no-any-return]


def matches(filter_text: str | None, resource_type: type[Any]) -> Any:
    """A predicate over resources for a ``filter`` query parameter."""
    if not filter_text:
        return lambda resource: True
    try:
        bound = ScimFilter[resource_type](filter_text)  # type: ignore[valid-type]
    except (ValidationError, SCIMException, ValueError) as exc:
        raise SCIMProtocolError(400, "invalid_argument", str(exc), "invalidFilter") from None
    return lambda resource: bool(bound.match(resource))


def equality_value(filter_text: str | None, attribute: str) -> str | None:
    """The value of a filter that is just ``<attribute> eq "<value>"`` (what IdPs send to look
    a user up by ``userName`` before creating it), so the caller can answer it from an index;
    None for any other filter."""
    if not filter_text:
        return None
    try:
        node = ScimFilter[UserResource](filter_text).ast  # type: ignore[valid-type]
    except (ValidationError, SCIMException, ValueError):
        return None  # matches() reports the error
    path = getattr(node, "attr_path", None)
    value = getattr(node, "value", None)
    if (
        path is not None
        and str(getattr(node, "op", "")) in ("eq", "CompareOperator.eq")
        and path.attr.casefold() == attribute.casefold()
        and path.sub_attr is None
        and path.uri in (None, str(UserResource.__schema__))
        and isinstance(value, str)
    ):
        return value
    return None


def list_json(
    resource_type: type[Any], resources: list[Any], total: int, start_index: int
) -> dict[str, Any]:
    response = ListResponse[resource_type](  # type: ignore[valid-type]
        total_results=total,
        start_index=start_index,
        items_per_page=len(resources),
        resources=resources,
    )
    return response.model_dump(scim_ctx=Context.SEARCH_RESPONSE)  # type: ignore[no-any-return]
