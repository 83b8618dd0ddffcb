"""Rendering a response body from domain objects by its wire model, without validating them.

The wire models say what Stytch's JSON holds; the domain's dataclasses already hold those
fields, with the right types. Validating them into model instances on every response cost a
returning member's discovery login more than the domain work itself (benchmarks/README.md), so
a response is rendered straight from its model's fields:

    render_json(SomeResponse, request_id=..., member=member, ...)

gives the bytes of ``SomeResponse(request_id=..., member=member, ...).model_dump_json(
exclude_none=True, by_alias=True)``: the model's fields in order, read by attribute (or key, from
a dict), nested models rendered the same way, defaults for what is absent, ``None`` fields left
out, values serialized by pydantic-core (so datetimes look the same). A required field with
no value is an error, as it is for the model. ``VERIFY`` (set by the project's own test suites)
renders every response both ways and fails on any difference.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

import pydantic_core
from pydantic import BaseModel

# Render every response through the model too, and raise if the bytes differ. The project's
# own test suites turn it on (conftest.py), for in-process servers and, through the
# environment, for the servers they start as processes.
VERIFY = os.environ.get("STYTCH_MOCK_VERIFY_RENDERING") == "1"

_MISSING = object()
Convert = Callable[[Any], Any] | None  # None: the value goes out as it is


class MissingField(ValueError):
    pass


def render_json(model: type[BaseModel], **fields: Any) -> bytes:
    # A NaN or Infinity that got in anyway (a YAML seed's .nan) goes out as null, as the
    # models render it: never a bare NaN, which is not JSON.
    body = pydantic_core.to_json(_plan(model)(fields), inf_nan_mode="null")
    if VERIFY:
        expected = model(**fields).model_dump_json(exclude_none=True, by_alias=True).encode()
        if body != expected:
            raise AssertionError(
                f"{model.__name__} renders\n{body!r}\nbut the model gives\n{expected!r}"
            )
    return body


def _model_of(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _converter(annotation: Any) -> Convert:
    annotation = _model_of(annotation)
    if _is_model(annotation):
        return _plan(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args and _is_model(_model_of(args[0])):
        item = _plan(_model_of(args[0]))
        return lambda values: [item(v) for v in values]
    if origin is dict and len(args) == 2 and _is_model(_model_of(args[1])):
        item = _plan(_model_of(args[1]))
        return lambda values: {k: item(v) for k, v in values.items()}
    return None


@cache
def _plan(model: type[BaseModel]) -> Callable[[Any], dict[str, Any]]:
    """The function that renders ``model`` from an object, a dict or a model instance.

    It is generated as straight-line code, one statement per field (as dataclasses and attrs
    generate their methods): reading the fields in a loop cost twice as much."""
    namespace: dict[str, Any] = {"MISSING": _MISSING, "MissingField": MissingField}
    # From an object, a required field is a plain attribute read; a missing one raises
    # AttributeError, which becomes MissingField.
    from_object = ["def from_object(src):", "  try:", "    out = {}"]
    from_dict = ["def from_dict(src):", "  if True:", "    get = src.get", "    out = {}"]
    for i, (name, info) in enumerate(model.model_fields.items()):
        key = info.serialization_alias or info.alias or name
        convert = _converter(info.annotation)
        namespace[f"convert{i}"] = convert
        value = "v" if convert is None else f"convert{i}(v)"
        if info.is_required():
            missing = f"raise MissingField({f'{model.__name__}.{name} has no value'!r})"
            from_object.append(f"    v = src.{name}")
            from_dict.append(f"    v = get({name!r}, MISSING)")
            if info.alias not in (None, name):
                from_dict.append(f"    if v is MISSING: v = get({info.alias!r}, MISSING)")
            from_dict.append(f"    if v is MISSING: {missing}")
        else:
            namespace[f"default{i}"] = info.get_default(call_default_factory=True)
            from_object.append(f"    v = getattr(src, {name!r}, default{i})")
            from_dict.append(f"    v = get({name!r}, default{i})")
        for lines in (from_object, from_dict):
            lines.append("    if v is not None:")
            lines.append(f"      out[{key!r}] = {value}")
    from_object += [
        "  except AttributeError as exc:",
        f"    raise MissingField(f'{model.__name__}: {{exc}}') from None",
    ]
    for lines in (from_object, from_dict):
        lines.append("  return out")
    exec("\n".join(from_object + from_dict), namespace)  # noqa: S102 (code made from the model)
    by_attribute, by_key = namespace["from_object"], namespace["from_dict"]

    def render(source: Any) -> dict[str, Any]:
        return by_key(source) if isinstance(source, dict) else by_attribute(source)

    return render
