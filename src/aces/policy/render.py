"""Write an effective policy out as TOML or JSON (``aces policy show``).

Both forms are deterministic: JSON with sorted keys, TOML in schema order with
table keys sorted. The TOML output is itself a valid policy that loads back into
the same ``Policy``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any

from aces.policy.schema import Policy

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_SHORT_ESCAPES["\r"] = "\\r"


def to_json(policy: Policy) -> str:
    """The policy as indented JSON with sorted keys, ending in a newline."""
    return json.dumps(dataclasses.asdict(policy), indent=2, sort_keys=True) + "\n"


def to_toml(policy: Policy) -> str:
    """The policy as TOML: top-level keys, then each section, then the arrays of tables."""
    out: list[str] = [
        assign("policy_version", policy.policy_version),
        assign("doctrine", policy.doctrine),
        assign("default_branch", policy.default_branch),
        assign("check_timeout_seconds", policy.check_timeout_seconds),
    ]
    out += table("paths", dataclasses.asdict(policy.paths).items())
    out += table("change_classes", policy.change_classes.as_dict().items())
    spec = dataclasses.asdict(policy.spec)
    synonyms = spec.pop("section_synonyms")
    out += table("spec", spec.items())
    out += table("spec.section_synonyms", sorted(synonyms.items()))
    out += table("thresholds", sorted(policy.thresholds.items()))
    out += table("toolchain", sorted(policy.toolchain.items()))
    for person in policy.maintainers:
        out += table("[maintainers]", dataclasses.asdict(person).items())
    for entry in policy.allowlist:
        out += table("[allowlist]", dataclasses.asdict(entry).items(), bare={"expires"})
    return "\n".join(out) + "\n"


def table(
    header: str, items: Iterable[tuple[str, Any]], *, bare: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """``[header]`` and its ``key = value`` lines; keys in ``bare`` are written unquoted."""
    lines = ["", f"[{header}]"]
    for key, value in items:
        lines.append(f"{key_text(key)} = {value}" if key in bare else assign(key, value))
    return lines


def assign(key: str, value: object) -> str:
    """One ``key = value`` line."""
    return f"{key_text(key)} = {value_text(value)}"


def value_text(value: object) -> str:
    """A TOML literal for a scalar or an array of scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def key_text(key: str) -> str:
    """A bare key when TOML allows it, else a quoted one."""
    return key if _BARE_KEY.fullmatch(key) else string_text(key)


def string_text(text: str) -> str:
    """A TOML basic string; control characters are escaped."""
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
