"""The ``[patterns]`` and ``[architecture]`` sections of ``aces.toml`` (stage 3 native checks).

``[patterns]`` holds thresholds, zones and the ticket form; no rule can be
switched off (no manual exceptions). Thresholds may only be lowered and the
allowed numbers only narrowed (a policy may only be stricter). Zone globs and
startup markers describe the repository's layout and may be set freely; they
are part of the policy, so a change to them is reviewed like any policy change.

``[architecture]`` declares layers (``[[architecture.layers]]``: ``name``, ``paths``,
``may_not_depend_on``, ``forbidden_imports``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.schema import DEBT_MODES, ArchitecturePolicy, Layer, PatternsPolicy
from aces.policy.values import (
    Reporter,
    as_string,
    as_strings,
    as_table,
    check_keys,
    describe,
    no_duplicates,
)

PATTERNS_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PatternsPolicy))
ARCHITECTURE_KEYS: tuple[str, ...] = ("layers",)
LAYER_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Layer))
_LIMITS: tuple[str, ...] = ("max_function_lines", "max_complexity", "max_nesting")
_LAYER_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_ONLY_STRICTER = "a policy may only be stricter"


def build_patterns(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: PatternsPolicy
) -> PatternsPolicy:
    """The ``[patterns]`` settings."""
    check_keys(r, table, path, PATTERNS_KEYS)
    limits = {name: _limit(r, table, path, name, getattr(default, name)) for name in _LIMITS}
    return PatternsPolicy(
        max_function_lines=limits["max_function_lines"],
        max_complexity=limits["max_complexity"],
        max_nesting=limits["max_nesting"],
        allowed_numbers=_numbers(r, table, path, default.allowed_numbers),
        ticket_pattern=_ticket(r, table, path, default.ticket_pattern),
        startup_markers=_strings(r, table, path, "startup_markers", default.startup_markers),
        test_globs=_strings(r, table, path, "test_globs", default.test_globs),
        startup_globs=_strings(r, table, path, "startup_globs", default.startup_globs),
        debt=_debt(r, table, path, default.debt),
    )


def _debt(r: Reporter, table: dict[str, Any], path: KeyPath, default: str) -> str:
    """How findings outside a PR's changed lines are judged: one of ``DEBT_MODES``."""
    if "debt" not in table:
        return default
    key = (*path, "debt")
    value = as_string(r, table["debt"], key, "one of " + ", ".join(DEBT_MODES))
    if value is None:
        return default
    if value not in DEBT_MODES:
        r.add(key, f"expected one of {', '.join(map(repr, DEBT_MODES))}, found {value!r}")
        return default
    return value


def _limit(r: Reporter, table: dict[str, Any], path: KeyPath, name: str, default: int) -> int:
    """A positive integer no larger than the doctrine's default."""
    if name not in table:
        return default
    value = table[name]
    key = (*path, name)
    if isinstance(value, bool) or not isinstance(value, int):
        r.add(key, f"expected a positive integer, found {describe(value)}")
        return default
    if value <= 0:
        r.add(key, f"expected a positive integer, found {value}")
        return default
    if value > default:
        r.add(key, f"{value} is looser than the doctrine's {default} ({_ONLY_STRICTER})")
        return default
    return value


def _numbers(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[float, ...]
) -> tuple[float, ...]:
    """Allowed literal values: a subset of the doctrine's (0, 1, -1, 2)."""
    if "allowed_numbers" not in table:
        return default
    key = (*path, "allowed_numbers")
    value = table["allowed_numbers"]
    if not isinstance(value, list):
        r.add(key, f"expected an array of numbers, found {describe(value)}")
        return default
    chosen: list[float] = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float):
            r.add((*key, i), f"expected a number, found {describe(item)}")
        elif item not in default:
            allowed = ", ".join(str(int(n)) for n in default)
            r.add((*key, i), f"{item} is not among the doctrine's ({allowed}) ({_ONLY_STRICTER})")
        else:
            chosen.append(item)
    return tuple(chosen)


def _ticket(r: Reporter, table: dict[str, Any], path: KeyPath, default: str) -> str:
    """A regular expression matching a ticket id (``ABC-123``)."""
    if "ticket_pattern" not in table:
        return default
    key = (*path, "ticket_pattern")
    value = as_string(r, table["ticket_pattern"], key, "a regular expression")
    if value is None:
        return default
    try:
        compiled = re.compile(value)
    except re.error as exc:
        r.add(key, f"not a regular expression ({exc})")
        return default
    if compiled.match(""):
        r.add(key, "matches the empty string, so any TODO would name a ticket")
        return default
    return value


def _strings(
    r: Reporter, table: dict[str, Any], path: KeyPath, name: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    """An array of non-empty strings without repeats."""
    if name not in table:
        return default
    key = (*path, name)
    items = as_strings(r, table[name], key)
    if items is None:
        return default
    no_duplicates(r, items, key)
    return items


def build_architecture(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: ArchitecturePolicy
) -> ArchitecturePolicy:
    """The ``[architecture]`` settings: the declared layers."""
    check_keys(r, table, path, ARCHITECTURE_KEYS)
    if "layers" not in table:
        return default
    key = (*path, "layers")
    raw = table["layers"]
    if not isinstance(raw, list):
        r.add(key, f"expected an array of tables ([[architecture.layers]]), found {describe(raw)}")
        return default
    layers = [_layer(r, item, (*key, i)) for i, item in enumerate(raw)]
    chosen = tuple(layer for layer in layers if layer is not None)
    _check_references(r, chosen, key)
    return ArchitecturePolicy(layers=chosen)


def _layer(r: Reporter, raw: object, key: KeyPath) -> Layer | None:
    """One ``[[architecture.layers]]`` table."""
    table = as_table(r, raw, key)
    if table is None:
        return None
    check_keys(r, table, key, LAYER_KEYS)
    name: str | None = None
    if "name" not in table:
        r.add((*key, "name"), "missing; expected a layer name such as 'storage'")
    else:
        name = as_string(r, table["name"], (*key, "name"), "a layer name")
    if name is not None and not _LAYER_NAME.fullmatch(name):
        r.add((*key, "name"), f"expected a lowercase name such as 'storage', found {name!r}")
        name = None
    paths = _strings(r, table, key, "paths", ())
    if not paths:
        r.add((*key, "paths"), "missing; expected the globs of the layer's files")
    if name is None or not paths:
        return None
    return Layer(
        name=name,
        paths=paths,
        may_not_depend_on=_strings(r, table, key, "may_not_depend_on", ()),
        forbidden_imports=_strings(r, table, key, "forbidden_imports", ()),
    )


def _check_references(r: Reporter, layers: tuple[Layer, ...], key: KeyPath) -> None:
    """Layer names are unique and every ``may_not_depend_on`` names a declared layer."""
    names = [layer.name for layer in layers]
    no_duplicates(r, names, key)
    for i, layer in enumerate(layers):
        for j, other in enumerate(layer.may_not_depend_on):
            if other not in names:
                r.add((*key, i, "may_not_depend_on", j), f"{other!r} is not a declared layer")
