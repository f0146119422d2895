"""The ``[proto]`` section of ``aces.toml``: buf categories, markers and wire envelopes.

Only stricter than the doctrine: ``lint`` must keep ``STANDARD`` (it contains
``BASIC`` and ``MINIMAL``) and may add ``COMMENTS``, ``UNARY_RPC`` or single rule
ids; ``breaking`` may only name ``FILE``, the strictest of buf's breaking
categories (FILE > PACKAGE > WIRE_JSON > WIRE), so any other choice is looser.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.schema import PROTO_BREAKING_CATEGORIES, PROTO_LINT_CATEGORIES, ProtoPolicy
from aces.policy.values import Reporter, as_string, as_strings, check_keys, describe, no_duplicates

PROTO_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ProtoPolicy))
_RULE_ID = re.compile(r"[A-Z][A-Z0-9_]*")
_FULL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_ONLY_STRICTER = "a policy may only be stricter"


def build_proto(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: ProtoPolicy
) -> ProtoPolicy:
    """The ``[proto]`` settings, each checked against the doctrine's."""
    check_keys(r, table, path, PROTO_KEYS)
    return ProtoPolicy(
        lint=_lint(r, table, path, default.lint),
        breaking=_breaking(r, table, path, default.breaking),
        compat_marker=_marker(r, table, path, default.compat_marker),
        version_source=_relative(r, table, path, "version_source", default.version_source),
        require_proto3_optional=_flag(r, table, path, default.require_proto3_optional),
        envelopes=_envelopes(r, table, path, default.envelopes),
        golden_dir=_relative(r, table, path, "golden_dir", default.golden_dir),
    )


def _strings(
    r: Reporter, table: dict[str, Any], key: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """The string array at ``key`` (its last part names the entry of ``table``)."""
    name = str(key[-1])
    if name not in table:
        return default
    items = as_strings(r, table[name], key)
    return default if items is None else items


def _lint(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """buf lint categories / rule ids; STANDARD may not be dropped."""
    key = (*path, "lint")
    items = _strings(r, table, key, default)
    for i, item in enumerate(items):
        if not _RULE_ID.fullmatch(item):
            r.add(
                (*key, i),
                f"expected a buf lint category ({', '.join(PROTO_LINT_CATEGORIES)}) or rule id "
                f"in UPPER_SNAKE_CASE, found {item!r}",
            )
    no_duplicates(r, items, key)
    if "STANDARD" not in items:
        r.add(key, f"drops the doctrine's buf lint category 'STANDARD' ({_ONLY_STRICTER})")
        return default
    return items


def _breaking(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """The buf breaking category: only FILE, the strictest."""
    key = (*path, "breaking")
    items = _strings(r, table, key, default)
    for i, item in enumerate(items):
        if item not in PROTO_BREAKING_CATEGORIES:
            r.add(
                (*key, i),
                f"unknown buf breaking category {item!r}; expected 'FILE'",
            )
        elif item != "FILE":
            r.add(
                (*key, i),
                f"{item!r} is looser than the doctrine's 'FILE' (buf's categories from strict "
                f"to loose: FILE > PACKAGE > WIRE_JSON > WIRE; {_ONLY_STRICTER})",
            )
    return ("FILE",)


def _marker(r: Reporter, table: dict[str, Any], path: KeyPath, default: str) -> str:
    """The compatibility comment marker: one word without blanks ("@since")."""
    if "compat_marker" not in table:
        return default
    key = (*path, "compat_marker")
    value = as_string(r, table["compat_marker"], key, "a marker such as '@since'")
    if value is None:
        return default
    if any(ch.isspace() for ch in value):
        r.add(key, f"expected a marker without blanks such as '@since', found {value!r}")
        return default
    return value


def _relative(r: Reporter, table: dict[str, Any], path: KeyPath, name: str, default: str) -> str:
    """A path relative to the repository root (or the word ``policy_version``)."""
    if name not in table:
        return default
    key = (*path, name)
    value = as_string(r, table[name], key, "a path relative to the repository root")
    if value is None:
        return default
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        r.add(key, f"expected a path relative to the repository root, found {value!r}")
        return default
    return value


def _flag(r: Reporter, table: dict[str, Any], path: KeyPath, default: bool) -> bool:
    """``require_proto3_optional``: a boolean; turning it off again is allowed (it is
    off in the doctrine)."""
    if "require_proto3_optional" not in table:
        return default
    value = table["require_proto3_optional"]
    if not isinstance(value, bool):
        r.add(
            (*path, "require_proto3_optional"), f"expected true or false, found {describe(value)}"
        )
        return default
    return value


def _envelopes(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """Fully-qualified message names (``arqonbus.v1.Envelope``)."""
    key = (*path, "envelopes")
    items = _strings(r, table, key, default)
    for i, item in enumerate(items):
        if not _FULL_NAME.fullmatch(item):
            r.add(
                (*key, i),
                f"expected a fully-qualified message name such as 'pkg.v1.Envelope', "
                f"found {item!r}",
            )
    no_duplicates(r, items, key)
    return items
