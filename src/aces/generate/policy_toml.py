"""The starter ``aces.toml``: every section of the policy schema, at the doctrine defaults.

Rendered from ``aces.policy.schema`` itself (not from a copy), so a field added to the schema
shows up here with its default. Values that are empty by default (maintainers, the
allowlist, toolchain pins) are shown as commented examples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from aces.errors import AcesError
from aces.policy.loader import parse_policy
from aces.policy.render import key_text, value_text
from aces.policy.schema import (
    THRESHOLDS,
    AllowlistEntry,
    Direction,
    Maintainer,
    Policy,
)

HEADER = """\
# The ACES policy of this repository. It is versioned with SemVer: bump policy_version
# whenever it changes.
#
# Every value below is the doctrine default. A policy may be stricter than the doctrine,
# never looser: raise a floor, lower a ceiling, add paths and globs; a looser value is
# rejected. Changes to this file go through review like code and are compared against the
# base branch (a MAJOR version change needs the approval of every maintainer).
"""

# Dotted key -> one-line explanation written above it.
NOTES: dict[str, str] = {
    "policy_version": "SemVer of this policy file",
    "doctrine": "the doctrine this policy refines",
    "default_branch": "base branch of changes; empty: the remote's default branch",
    "check_timeout_seconds": "a check running longer is an ERROR (fail closed)",
    "paths": "where the repository keeps each kind of contract and code",
    "paths.core_libraries": "globs of core libraries (coverage floor core_coverage_percent)",
    "paths.hot_paths": "globs of hot paths (no untested branch, benchmarks)",
    "change_classes": "globs marking a changed file as needing a spec, per class",
    "spec": "stage 1: which changes need a spec and what it must hold",
    "spec.required_for": "change classes that need a spec",
    "spec.sections": "sections every spec must contain",
    "spec.placeholders": "section bodies that count as empty",
    "spec.schema_globs": "schema files a spec must reference when the change touches them",
    "spec.max_spec_bytes": "larger spec files are rejected",
    "spec.section_synonyms": "accepted headings for each required section (case-insensitive)",
    "thresholds": "doctrine thresholds",
    "toolchain": "pinned versions of external tools; a different installed version is an ERROR",
    "maintainers": "people who may approve; a senior maintainer satisfies the merge gate",
    "allowlist": "governed exceptions: the only way an inline suppression stops being a finding",
}

MAX_LINE = 100

TOOLCHAIN_EXAMPLE: dict[str, str] = {"buf": "1.75.0", "rust": "1.83.0"}
MAINTAINER_EXAMPLE = Maintainer(handle="octocat", name="Mona Octocat", senior=True)
ALLOWLIST_EXAMPLE = AllowlistEntry(
    path="src/startup.rs",
    rule="lint.forbidden-patterns",
    reason="unwrap() while parsing the static boot configuration",
    owner="octocat",
    expires="2030-01-01",
)


def render_policy_toml(policy: Policy | None = None) -> str:
    """The commented ``aces.toml`` for ``policy`` (the doctrine default when omitted)."""
    policy = policy if policy is not None else Policy()
    scalars: list[str] = []
    tables: list[str] = []
    for item in dataclasses.fields(policy):
        value = getattr(policy, item.name)
        if dataclasses.is_dataclass(value):
            tables.append(_section(item.name, value))
        elif item.name == "thresholds":
            tables.append(_thresholds(value))
        elif item.name == "toolchain":
            tables.append(_example_table(item.name, value, TOOLCHAIN_EXAMPLE))
        elif item.name == "maintainers":
            tables.append(_array_of_tables(item.name, value, MAINTAINER_EXAMPLE))
        elif item.name == "allowlist":
            tables.append(_array_of_tables(item.name, value, ALLOWLIST_EXAMPLE))
        else:
            scalars.append(_key(item.name, value, item.name))
    return HEADER + "\n" + "".join(scalars) + "".join(f"\n{table}" for table in tables)


def _records(value: Any) -> bool:
    """A non-empty array of dataclass records (written as an array of tables)."""
    return (
        isinstance(value, tuple | list)
        and bool(value)
        and all(dataclasses.is_dataclass(item) for item in value)
    )


def _record_table(name: str, record: Any) -> str:
    """One ``[[name]]`` entry of an array of tables."""
    lines = [f"[[{name}]]\n"]
    lines += [_key(key, value, name) for key, value in _fields_of(record).items()]
    return "".join(lines)


class PairTable:
    """A field stored as (key, value) pairs that the policy file writes as a table."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: tuple[tuple[str, Any], ...]) -> None:
        self.pairs = pairs


def section_tables(policy: Policy, names: Sequence[str]) -> str:
    """The sections ``names`` of ``policy`` as TOML tables (``aces policy show`` uses it).

    A section that cannot be written so that it reads back as the same values is
    named in a comment that points at the JSON form, never written wrongly.
    """
    out = []
    for name in names:
        value = getattr(policy, name)
        try:
            text = _table(name, _fields_of(value))
        except TypeError:  # a value with no TOML form in this writer
            text = ""
        if text and _reads_back(name, text, value):
            out.append(text)
        else:
            out.append(f"# [{name}]: shown only by `aces policy show --format json`\n")
    return "".join(f"\n{part}" for part in out)


def _reads_back(name: str, text: str, value: Any) -> bool:
    """Whether ``text`` (one section) loads back as ``value``."""
    try:
        loaded = parse_policy(f'policy_version = "1.0.0"\n{text}'.encode(), "aces.toml")
    except AcesError:
        return False
    return bool(getattr(loaded, name) == value)


def _section(name: str, value: Any) -> str:
    """``[name]`` written out when it reads back as the same values, else a pointer.

    Some sections keep derived fields that have no key of their own; rather than
    write a table that would not load, the starter points at the documentation
    (the doctrine defaults apply to what is not written).
    """
    text = _table(name, _fields_of(value))
    if _reads_back(name, text, value):
        return text
    return f"{_note(name)}# [{name}]: the doctrine defaults apply; every key is in docs/policy.md\n"


def _is_pairs(annotation: str) -> bool:
    """``tuple[tuple[str, X], ...]`` (pairs), not ``tuple[tuple[str, ...], ...]`` (argv lists)."""
    return annotation.startswith("tuple[tuple[str, ") and not annotation.startswith(
        "tuple[tuple[str, ...]"
    )


def _fields_of(value: Any) -> dict[str, Any]:
    """A dataclass instance as field name -> value, in declaration order.

    Fields typed as tuples of (str, ...) pairs are tables in the policy file.
    """
    return {
        item.name: (
            PairTable(getattr(value, item.name))
            if _is_pairs(str(item.type))
            else getattr(value, item.name)
        )
        for item in dataclasses.fields(value)
    }


def _note(path: str) -> str:
    """The comment line above a key or table, if it has one."""
    note = NOTES.get(path)
    return f"# {note}\n" if note else ""


def _key(name: str, value: Any, path: str) -> str:
    """One ``key = value`` line with its note; a long array gets one item per line.

    An empty string means "not set" throughout the schema and several keys refuse it
    as a value (an empty path), so an unset key is shown as a comment instead.
    """
    if value == "" and "." in path:
        return f"{_note(path)}# {name}: not set\n"
    if isinstance(value, Mapping):
        # A table inside an array of tables: written inline.
        pairs = ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items())
        return f"{_note(path)}{name} = {{{pairs}}}\n" if pairs else f"{name} = {{}}\n"
    line = f"{name} = {value_text(value)}"
    if len(line) > MAX_LINE and isinstance(value, tuple | list):
        items = "".join(f"    {value_text(item)},\n" for item in value)
        line = f"{name} = [\n{items}]"
    return f"{_note(path)}{line}\n"


def _table(name: str, values: Mapping[str, Any]) -> str:
    """``[name]`` with its plain keys, then a ``[name.sub]`` table for each mapping value."""
    lines = [f"{_note(name)}[{name}]\n"]
    subtables: list[str] = []
    for key, value in values.items():
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            subtables.append(_table(f"{name}.{key}", _fields_of(value)))
        elif isinstance(value, PairTable):
            subtables.append(_table(f"{name}.{key}", dict(value.pairs)))
        elif isinstance(value, Mapping):
            subtables.append(_table(f"{name}.{key}", value))
        elif _records(value):
            subtables.extend(_record_table(f"{name}.{key}", item) for item in value)
        else:
            lines.append(_key(key, value, f"{name}.{key}"))
    return "".join(lines) + "".join(f"\n{sub}" for sub in subtables)


def _thresholds(values: Mapping[str, float]) -> str:
    """``[thresholds]``, each with its meaning, clause and which way is stricter."""
    lines = [f"{_note('thresholds')}[thresholds]\n"]
    for name, value in values.items():
        spec = THRESHOLDS.get(name)
        if spec is not None:
            way = "a floor: raise it" if spec.direction is Direction.MIN else "a ceiling: lower it"
            lines.append(f"# {spec.meaning} ({spec.clause}); {way} to be stricter\n")
        lines.append(_key(name, value, f"thresholds.{name}"))
    return "".join(lines)


def _example_table(name: str, values: Mapping[str, str], example: Mapping[str, str]) -> str:
    """A table shown with its values, or with commented examples when it is empty."""
    lines = [f"{_note(name)}[{name}]\n"]
    shown = values or example
    prefix = "" if values else "# "
    lines.extend(f"{prefix}{key} = {value_text(value)}\n" for key, value in shown.items())
    return "".join(lines)


def _array_of_tables(name: str, values: tuple[Any, ...], example: Any) -> str:
    """``[[name]]`` entries, or one commented example entry when there are none."""
    entries = values or (example,)
    prefix = "" if values else "# "
    blocks = []
    for entry in entries:
        lines = [f"{prefix}[[{name}]]\n"]
        lines.extend(
            f"{prefix}{key} = {value_text(val)}\n" for key, val in _fields_of(entry).items()
        )
        blocks.append("".join(lines))
    return _note(name) + "\n".join(blocks)
