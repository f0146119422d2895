"""``package-lock.json`` / ``npm-shrinkwrap.json``, lockfile versions 2 and 3.

The ``packages`` map is read: its key ``""`` is the project itself, keys
outside ``node_modules/`` are workspace folders (own code) and ``link``
entries point at them; every other entry is an npm package, named by its
``name`` field or by the path after the last ``node_modules/``. Lines come from
the line of each key in the text (JSON parsers give no positions; a
``node_modules/...`` path is only ever a key of that map).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aces.engines.vulns.model import NPM, LockedPackage, LockfileError, ParsedLock
from aces.nesting import parse_bounded

_KEY = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*\{')
_MODULES = "node_modules/"


def parse(path: str, text: str) -> ParsedLock:
    """The npm packages of a v2 / v3 package-lock."""
    data = _load(path, text)
    version = data.get("lockfileVersion")
    packages = data.get("packages")
    if version not in (2, 3) or not isinstance(packages, dict):
        raise LockfileError(
            f"lockfileVersion {version!r} without a 'packages' map is not supported",
            path=path,
            hint="regenerate it with npm 7 or later (lockfileVersion 2 or 3)",
        )
    lines = _key_lines(text)
    found: list[LockedPackage] = []
    for key, entry in packages.items():
        if _MODULES not in key or not isinstance(entry, dict) or entry.get("link"):
            continue
        name = entry.get("name") or key.rsplit(_MODULES, 1)[1]
        version = entry.get("version")
        line = lines.get(key, 1)
        if not isinstance(name, str) or not isinstance(version, str):
            raise LockfileError(f"line {line}: {key!r} has no string version", path=path)
        found.append(LockedPackage(NPM, name, version, path, line))
    return ParsedLock(path, tuple(found))


def _load(path: str, text: str) -> dict[str, Any]:
    """The JSON object of the lockfile; LockfileError naming the line otherwise."""
    try:
        data = parse_bounded(json.loads, text, path, "json", lambda m: LockfileError(m, path=path))
    except json.JSONDecodeError as exc:
        raise LockfileError(f"line {exc.lineno}: not valid JSON: {exc.msg}", path=path) from exc
    if not isinstance(data, dict):
        raise LockfileError("expected a JSON object", path=path)
    return data


def _key_lines(text: str) -> dict[str, int]:
    """Object key -> the first line where it opens an object."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        found = _KEY.match(line)
        if found is not None:
            try:
                key = json.loads(found.group(1))
            except json.JSONDecodeError:
                continue
            lines.setdefault(key, number)
    return lines
