"""The ``[topology.checks]`` table: the settings of stage 6's ``topo.*`` checks.

Keys (docs/policy.md): ``tenants`` (2-50), ``messages`` (1-100000), ``delivery``
(``at-most-once`` | ``at-least-once``), ``settle_seconds``, ``memory_bound_mb``,
``overload`` (``signal`` | ``cut`` | ``either``), ``flood_messages``,
``flood_payload_bytes``, ``nats_subject_pattern``, ``valkey_key_pattern``
(each with ``{tenant}``), ``postgres_tables``, ``postgres_tenant_column``, ``service``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.values import Reporter, as_positive, as_string, as_strings, as_table, check_keys
from aces.runtime.checks_spec import DELIVERY_SEMANTICS, OVERLOAD_RESPONSES, ChecksSpec

CHECKS_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ChecksSpec))
_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_INTEGERS: dict[str, tuple[int, int]] = {
    "tenants": (2, 50),
    "messages": (1, 100_000),
    "memory_bound_mb": (16, 65_536),
    "flood_messages": (10, 1_000_000),
    "flood_payload_bytes": (64, 4_194_304),
}


def build_checks(r: Reporter, raw: object, path: KeyPath) -> ChecksSpec:
    """The checks' settings; the defaults for every key not given."""
    default = ChecksSpec()
    table = None if raw is None else as_table(r, raw, path)
    if table is None:
        return default
    check_keys(r, table, path, CHECKS_KEYS)
    values: dict[str, Any] = {}
    for key, (low, high) in _INTEGERS.items():
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                r.add((*path, key), f"expected an integer from {low} to {high}, found {value!r}")
            else:
                values[key] = value
    for key, choices in (("delivery", DELIVERY_SEMANTICS), ("overload", OVERLOAD_RESPONSES)):
        if key in table:
            if table[key] in choices:
                values[key] = table[key]
            else:
                r.add((*path, key), f"expected one of {', '.join(choices)}, found {table[key]!r}")
    if "settle_seconds" in table:
        seconds = as_positive(r, table["settle_seconds"], (*path, "settle_seconds"))
        if seconds is not None:
            values["settle_seconds"] = float(seconds)
    for key in ("nats_subject_pattern", "valkey_key_pattern"):
        if key in table:
            text = as_string(r, table[key], (*path, key), "a pattern with {tenant}")
            if text is not None and "{tenant}" not in text:
                r.add((*path, key), f"expected a pattern containing {{tenant}}, found {text!r}")
            elif text is not None:
                values[key] = text
    _identifiers(r, table, path, values)
    return dataclasses.replace(default, **values)


def _identifiers(r: Reporter, table: dict[str, Any], path: KeyPath, values: dict[str, Any]) -> None:
    if "postgres_tables" in table:
        tables = as_strings(r, table["postgres_tables"], (*path, "postgres_tables"))
        bad = [t for t in tables or () if not _IDENT.fullmatch(t)]
        if bad:
            r.add((*path, "postgres_tables"), f"expected lower-case table names, found {bad[0]!r}")
        elif tables is not None:
            values["postgres_tables"] = tables
    for key in ("postgres_tenant_column", "service"):
        if key in table:
            text = as_string(r, table[key], (*path, key))
            if text is not None and not re.fullmatch(r"[a-z_][a-z0-9_-]{0,62}", text):
                r.add((*path, key), f"expected a lower-case name, found {text!r}")
            elif text is not None:
                values[key] = text
