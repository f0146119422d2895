"""The ``[vulndb]`` section of ``aces.toml``: the OSV database of the dependency audit.

``path`` is the database directory relative to the repository root (OSV JSON
records and per-ecosystem ``all.zip`` exports, as ``aces vulndb update``
writes them); ``max_age_days`` is how old it may be before the audit cannot
verify (only lower than the doctrine's 7 days: a policy may only be
stricter); ``ecosystems`` are the exports ``aces vulndb update`` fetches. The
dataclass lives here, next to its reader, and ``schema.Policy`` holds it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.values import Reporter, as_string, as_strings, check_keys, describe, no_duplicates

OSV_ECOSYSTEMS: tuple[str, ...] = ("crates.io", "Hex", "npm", "PyPI")
DOCTRINE_MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class VulnDbPolicy:
    """``[vulndb]``: where the OSV database lives, its age limit and what to fetch."""

    path: str = ".osv"
    max_age_days: int = DOCTRINE_MAX_AGE_DAYS
    ecosystems: tuple[str, ...] = OSV_ECOSYSTEMS


VULNDB_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(VulnDbPolicy))


def build_vulndb(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: VulnDbPolicy
) -> VulnDbPolicy:
    """The ``[vulndb]`` settings."""
    check_keys(r, table, path, VULNDB_KEYS)
    return VulnDbPolicy(
        path=_path(r, table, path, default.path),
        max_age_days=_max_age(r, table, path, default.max_age_days),
        ecosystems=_ecosystems(r, table, path, default.ecosystems),
    )


def _path(r: Reporter, table: dict[str, Any], path: KeyPath, default: str) -> str:
    """A directory inside the repository."""
    if "path" not in table:
        return default
    key = (*path, "path")
    text = as_string(r, table["path"], key, "a directory relative to the repository root")
    if text is None:
        return default
    if text.startswith("/") or ".." in text.replace("\\", "/").split("/"):
        r.add(key, f"expected a directory relative to the repository root, found {text!r}")
        return default
    return text.rstrip("/") or default


def _max_age(r: Reporter, table: dict[str, Any], path: KeyPath, default: int) -> int:
    """Whole days from 1 to the doctrine's limit."""
    if "max_age_days" not in table:
        return default
    key = (*path, "max_age_days")
    value = table["max_age_days"]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        found = str(value) if isinstance(value, int) else describe(value)
        r.add(key, f"expected a positive whole number of days, found {found}")
        return default
    if value > DOCTRINE_MAX_AGE_DAYS:
        r.add(
            key,
            f"{value} is looser than the doctrine's {DOCTRINE_MAX_AGE_DAYS} days "
            "(a policy may only be stricter)",
        )
        return default
    return value


def _ecosystems(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """OSV ecosystem names ACES can audit."""
    if "ecosystems" not in table:
        return default
    key = (*path, "ecosystems")
    items = as_strings(r, table["ecosystems"], key)
    if items is None:
        return default
    for i, item in enumerate(items):
        if item not in OSV_ECOSYSTEMS:
            r.add((*key, i), f"expected one of {', '.join(OSV_ECOSYSTEMS)}, found {item!r}")
    no_duplicates(r, items, key)
    return items
