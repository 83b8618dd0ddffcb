"""Recordings of contract runs, and the comparison behind the fidelity report.

A recording is a folder with one JSON file per scenario (``STYTCH_CONTRACT_RECORD=DIR``): every
request the scenario's SDK sent and every response it got, in order. Before anything is
written, the values that identify a project or a person are replaced by stable placeholders:

- credentials never reach a file (headers are not recorded; the project id is replaced
  wherever it appears, the secret too);
- tokens, JWTs, emails, Stytch ids (``member-test-<uuid>`` and the like) and the per-run
  suffix of the names a scenario makes (``contract-3fa9c0d1e2``) become ``<token-1>``,
  ``<jwt-1>``, ``<address-1>@example.com``, ``<member-1>``, ``contract-<run-1>``: the same
  value gets the same placeholder everywhere in one file, so the shape of a flow stays
  readable and two runs of one scenario line up.

:func:`compare` puts two recordings of the same scenarios side by side (one made against
Stytch, one against the mock) and lists, per operation, every difference in status code,
``error_type`` and response shape: fields present or absent, JSON types, and the values of
enum-like fields (``status: "active"``). Values that legitimately differ between two servers
(ids, timestamps, tokens, names) are compared by type only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FORMAT_VERSION = 1

_STYTCH_ID = re.compile(
    r"\b([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-(test|live)-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)
# The per-run suffix of contracts.support.unique() (slugs, names, emails of a scenario).
_RUN_SUFFIX = re.compile(r"(?<=-)[0-9a-f]{10}\b")
_JWT = re.compile(r"\bey[\w-]+\.ey[\w-]+\.[\w-]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TOKEN_KEY = re.compile(r"(^|_)(token|jwt|secret|code|code_verifier|password)$")
# A value that names a state or a kind rather than a thing: compared as a value.
_ENUM_VALUE = re.compile(r"[a-z]+(?:_[a-z0-9]+)*|[A-Z]+(?:_[A-Z0-9]+)*")
_PLACEHOLDER = re.compile(r"<[a-z0-9-]+>")


class Scrubber:
    """Replaces identifying values with stable placeholders (one instance per file)."""

    def __init__(self, secrets: dict[str, str]) -> None:
        # Literal secrets first (project id, secret), longest first.
        self._secrets = sorted(secrets.items(), key=lambda kv: -len(kv[0]))
        self._seen: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def _placeholder(self, kind: str, value: str) -> str:
        if value not in self._seen:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._seen[value] = f"<{kind}-{self._counts[kind]}>"
        return self._seen[value]

    def text(self, value: str) -> str:
        for secret, name in self._secrets:
            if secret:
                value = value.replace(secret, f"<{name}>")
        value = _JWT.sub(lambda m: self._placeholder("jwt", m.group(0)), value)
        value = _STYTCH_ID.sub(lambda m: self._placeholder(m.group(1), m.group(0)), value)
        value = _EMAIL.sub(
            lambda m: self._placeholder("address", m.group(0).lower()) + "@example.com", value
        )
        return _RUN_SUFFIX.sub(lambda m: self._placeholder("run", m.group(0)), value)

    def value(self, key: str | None, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.text(k): self.value(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(key, v) for v in value]
        if isinstance(value, str):
            if key is not None and _TOKEN_KEY.search(key) and value:
                return self._placeholder("token", value)
            return self.text(value)
        return value

    def url(self, url: str) -> tuple[str, dict[str, str]]:
        """The URL's path and query, scrubbed (the host is left out: it differs by target)."""
        parts = urlsplit(url)
        query = {k: self.value(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)}
        return self.text(parts.path), query


@dataclass
class Recorder:
    """The exchanges of one scenario, scrubbed as they come."""

    nodeid: str
    target: str
    scrubber: Scrubber
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, method: str, url: str, request_body: Any, status: int, body: Any) -> None:
        path, query = self.scrubber.url(url)
        self.exchanges.append(
            {
                "method": method.upper(),
                "path": path,
                "query": query,
                "request": self.scrubber.value(None, request_body),
                "status": status,
                "response": self.scrubber.value(None, body),
            }
        )

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / (file_name(self.nodeid) + ".json")
        document = {
            "version": FORMAT_VERSION,
            "scenario": self.nodeid,
            "target": self.target,
            "exchanges": self.exchanges,
        }
        path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return path


def file_name(nodeid: str) -> str:
    """A file name for a scenario's node id (``contracts/test_x.py::test_y[sync]``)."""
    return re.sub(r"[^A-Za-z0-9_.\[\]-]+", "__", nodeid).strip("_")


def load(directory: Path) -> dict[str, dict[str, Any]]:
    """The recording in ``directory``: scenario node id -> its document."""
    found = {}
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != FORMAT_VERSION or "scenario" not in document:
            raise ValueError(f"{path} is not a contract recording (version {FORMAT_VERSION})")
        found[document["scenario"]] = document
    return found


# --- comparison ------------------------------------------------------------------------


def operation(exchange: dict[str, Any]) -> str:
    """``METHOD /path`` with the placeholders of ids as ``{id}``: the operation called."""
    return f"{exchange['method']} {_PLACEHOLDER.sub('{id}', exchange['path'])}"


def shape(value: Any, path: str = "") -> dict[str, str]:
    """Every field of a JSON value with its type; enum-like strings with their value.
    ``{"member.status": "string=active", "member.roles[]": "object", ...}``."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        found[path or "."] = "object"
        for key, item in value.items():
            found.update(shape(item, f"{path}.{key}" if path else key))
    elif isinstance(value, list):
        found[path or "."] = "array"
        kinds: dict[str, set[str]] = {}
        for item in value:
            for key, kind in shape(item, f"{path}[]").items():
                kinds.setdefault(key, set()).add(kind)
        # Items of one list may differ (two roles, a null among objects): every kind seen.
        found.update({key: "|".join(sorted(seen)) for key, seen in kinds.items()})
    elif isinstance(value, bool):
        found[path] = "boolean"
    elif isinstance(value, (int, float)):
        found[path] = "number"
    elif value is None:
        found[path] = "null"
    elif _ENUM_VALUE.fullmatch(value) and not path.endswith(("_message", "name")):
        found[path] = f"string={value}"
    else:
        found[path] = "string"
    return found


@dataclass(frozen=True)
class Difference:
    scenario: str
    operation: str
    kind: str  # status, error_type, missing, extra, type, enum, calls, scenario
    detail: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.kind}: {self.detail}"


def compare(
    recorded: dict[str, dict[str, Any]], replayed: dict[str, dict[str, Any]]
) -> list[Difference]:
    """Every difference between a recording (e.g. of Stytch) and a replay (of the mock)."""
    differences: list[Difference] = []
    for scenario, document in recorded.items():
        other = replayed.get(scenario)
        if other is None:
            differences.append(Difference(scenario, "-", "scenario", "not replayed"))
            continue
        by_op = _by_operation(document["exchanges"])
        other_by_op = _by_operation(other["exchanges"])
        for op in sorted(set(by_op) | set(other_by_op)):
            ours, theirs = by_op.get(op, []), other_by_op.get(op, [])
            if len(ours) != len(theirs):
                differences.append(
                    Difference(
                        scenario,
                        op,
                        "calls",
                        f"{len(ours)} in the recording, {len(theirs)} in the replay",
                    )
                )
            for a, b in zip(ours, theirs, strict=False):
                differences.extend(_compare_exchange(scenario, op, a, b))
    return differences


def _by_operation(exchanges: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for exchange in exchanges:
        found.setdefault(operation(exchange), []).append(exchange)
    return found


def _compare_exchange(
    scenario: str, op: str, a: dict[str, Any], b: dict[str, Any]
) -> list[Difference]:
    if a["status"] != b["status"]:
        return [Difference(scenario, op, "status", f"{a['status']} recorded, {b['status']} now")]
    found = []
    a_type, b_type = _error_type(a), _error_type(b)
    if a_type != b_type:
        found.append(Difference(scenario, op, "error_type", f"{a_type} recorded, {b_type} now"))
    a_shape, b_shape = shape(a["response"]), shape(b["response"])
    for key in sorted(set(a_shape) | set(b_shape)):
        if key == "error_type" or key.startswith("error_message"):
            continue
        if key not in b_shape:
            found.append(Difference(scenario, op, "missing", f"{key} ({a_shape[key]})"))
        elif key not in a_shape:
            found.append(Difference(scenario, op, "extra", f"{key} ({b_shape[key]})"))
        elif a_shape[key] != b_shape[key]:
            kind = (
                "enum"
                if a_shape[key].startswith("string=") and b_shape[key].startswith("string")
                else "type"
            )
            found.append(
                Difference(scenario, op, kind, f"{key}: {a_shape[key]} recorded, {b_shape[key]}")
            )
    return found


def _error_type(exchange: dict[str, Any]) -> str | None:
    body = exchange["response"]
    return body.get("error_type") if isinstance(body, dict) else None


def report(differences: list[Difference]) -> str:
    """The differences as text, grouped by operation (empty string when there are none)."""
    if not differences:
        return ""
    lines = []
    by_op: dict[str, list[Difference]] = {}
    for difference in differences:
        by_op.setdefault(difference.operation, []).append(difference)
    for op in sorted(by_op):
        lines.append(op)
        for difference in by_op[op]:
            lines.append(f"  {difference.kind}: {difference.detail}  [{difference.scenario}]")
    return "\n".join(lines) + "\n"
