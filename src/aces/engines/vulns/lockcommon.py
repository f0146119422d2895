"""What the lockfile parsers share: merge-conflict markers, TOML loading, entry lines."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from aces.engines.vulns.model import LockfileError, LockIssue
from aces.nesting import parse_bounded

# git's conflict markers: seven of <, =, > or | at the start of a line.
_MARKER = re.compile(r"^(?:<{7}|>{7}|\|{7})(?: |$)|^={7}$")


def conflict_marker(path: str, text: str) -> LockIssue | None:
    """The first merge-conflict marker line of ``text``, as an issue, or None."""
    for number, line in enumerate(text.splitlines(), 1):
        if _MARKER.match(line.rstrip("\r")):
            return LockIssue(
                path,
                number,
                "conflict-marker",
                f"merge-conflict marker {line[:7]!r}: the lockfile is an unresolved merge",
            )
    return None


def load_toml(path: str, text: str) -> dict[str, Any]:
    """Parse TOML text; LockfileError naming the file and tomllib's line otherwise."""
    try:
        return parse_bounded(
            tomllib.loads, text, path, "toml", lambda m: LockfileError(m, path=path)
        )
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"not valid TOML: {exc}", path=path) from exc


def table_lines(text: str, table: str, count: int) -> tuple[int, ...]:
    """The line of each ``[[table]]`` header, in order; 1 for each when they cannot be paired.

    tomllib gives no positions, but the n-th element of an array of tables is
    introduced by the n-th ``[[table]]`` header, so counting headers pairs them.
    """
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]\s*(?:#.*)?$")
    lines = tuple(n for n, line in enumerate(text.splitlines(), 1) if header.match(line))
    return lines if len(lines) == count else (1,) * count


def entries(path: str, data: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The array of tables ``table`` (absent means none); LockfileError when mis-shaped."""
    value = data.get(table, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise LockfileError(f"expected [[{table}]] tables, found another shape", path=path)
    return value


def text_field(path: str, line: int, entry: dict[str, Any], key: str) -> str | None:
    """A string field of an entry (absent is None); LockfileError when not a string."""
    value = entry.get(key)
    if value is None or isinstance(value, str):
        return value
    raise LockfileError(f"line {line}: {key!r} must be a string", path=path)
