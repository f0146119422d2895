"""OSV records (the Open Source Vulnerability schema), read into plain data.

Only what the audit needs is kept: id, aliases, ``modified``, ``withdrawn``,
the top-level and per-package ``severity`` entries, the
``database_specific.severity`` level, and each affected package with its
ranges (type and events) and explicit versions. A record that does not have
the schema's shape is an ``InputError`` naming where it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from aces.errors import InputError

EVENT_KINDS: tuple[str, ...] = ("introduced", "fixed", "last_affected", "limit")
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class Range:
    """One ``affected[].ranges[]`` entry: its type and (kind, version) events in file order."""

    type: str
    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry: the package, its ranges, explicit versions and severity."""

    ecosystem: str
    name: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Advisory:
    """One OSV record."""

    id: str
    aliases: tuple[str, ...] = ()
    modified: dt.datetime | None = None
    withdrawn: bool = False
    severity: tuple[tuple[str, str], ...] = ()
    level: str = ""  # database_specific.severity, e.g. "HIGH"
    affected: tuple[Affected, ...] = ()
    source: str = ""  # the file (or zip member) it was read from


def parse_advisory(data: object, source: str) -> Advisory:
    """The advisory of one decoded OSV JSON document."""
    if not isinstance(data, dict):
        raise InputError("expected an OSV record (a JSON object)", path=source)
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise InputError("OSV record without an 'id'", path=source)
    specific = data.get("database_specific")
    level = specific.get("severity") if isinstance(specific, dict) else None
    return Advisory(
        id=ident,
        aliases=tuple(sorted(_strings(data.get("aliases"), source, "aliases"))),
        modified=parse_time(data.get("modified"), source),
        withdrawn=bool(data.get("withdrawn")),
        severity=_severity(data.get("severity"), source),
        level=level if isinstance(level, str) else "",
        affected=tuple(_affected(item, source) for item in _list(data.get("affected"), source)),
        source=source,
    )


def parse_time(value: object, source: str) -> dt.datetime | None:
    """An RFC 3339 timestamp as an aware datetime (absent is None)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("'modified' is not an RFC 3339 timestamp", path=source)
    try:
        parsed = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value.replace("Z", "+00:00")))
    except ValueError as exc:
        raise InputError(
            f"'modified' is not an RFC 3339 timestamp: {value!r}", path=source
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _list(value: object, source: str) -> list[Any]:
    """A JSON array (absent is empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError("expected a JSON array in the OSV record", path=source)
    return value


def _strings(value: object, source: str, what: str) -> tuple[str, ...]:
    """A JSON array of strings."""
    items = _list(value, source)
    if not all(isinstance(item, str) for item in items):
        raise InputError(f"'{what}' must be an array of strings", path=source)
    return tuple(items)


def _severity(value: object, source: str) -> tuple[tuple[str, str], ...]:
    """(type, score) of each severity entry."""
    found: list[tuple[str, str]] = []
    for item in _list(value, source):
        if not isinstance(item, dict):
            raise InputError("'severity' entries must be objects", path=source)
        found.append((str(item.get("type", "")), str(item.get("score", ""))))
    return tuple(found)


def _affected(item: object, source: str) -> Affected:
    """One affected package."""
    package = item.get("package") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(package, dict):
        raise InputError("'affected' entries need a 'package' object", path=source)
    ecosystem, name = package.get("ecosystem"), package.get("name")
    if not isinstance(ecosystem, str) or not isinstance(name, str):
        raise InputError("'affected[].package' needs 'ecosystem' and 'name'", path=source)
    return Affected(
        ecosystem=ecosystem.split(":", 1)[0],  # "Debian:11" style suffixes name a release
        name=name,
        ranges=tuple(_range(r, source) for r in _list(item.get("ranges"), source)),
        versions=_strings(item.get("versions"), source, "versions"),
        severity=_severity(item.get("severity"), source),
    )


def _range(item: object, source: str) -> Range:
    """One range with its events."""
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise InputError("'ranges' entries need a 'type'", path=source)
    events: list[tuple[str, str]] = []
    for event in _list(item.get("events"), source):
        pairs = (
            [(k, v) for k, v in event.items() if k in EVENT_KINDS]
            if isinstance(event, dict)
            else []
        )
        if len(pairs) != 1 or not isinstance(pairs[0][1], str):
            raise InputError(
                f"each range event needs exactly one of {', '.join(EVENT_KINDS)} (a string)",
                path=source,
            )
        events.append((pairs[0][0], pairs[0][1]))
    return Range(item["type"], tuple(events))
