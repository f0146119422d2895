"""``poetry.lock``: every ``[[package]]`` except local directories."""

from __future__ import annotations

from aces.engines.vulns.lockcommon import entries, load_toml, table_lines, text_field
from aces.engines.vulns.model import PYPI, LockedPackage, LockfileError, ParsedLock

_LOCAL_SOURCES = frozenset({"directory"})


def parse(path: str, text: str) -> ParsedLock:
    """The PyPI packages of a poetry.lock (git, file and url sources are audited too)."""
    packages = entries(path, load_toml(path, text), "package")
    lines = table_lines(text, "package", len(packages))
    found: list[LockedPackage] = []
    for entry, line in zip(packages, lines, strict=True):
        name = text_field(path, line, entry, "name")
        version = text_field(path, line, entry, "version")
        if name is None or version is None:
            raise LockfileError(f"line {line}: a [[package]] without name or version", path=path)
        source = entry.get("source")
        if isinstance(source, dict) and source.get("type") in _LOCAL_SOURCES:
            continue
        found.append(LockedPackage(PYPI, name, version, path, line))
    return ParsedLock(path, tuple(found))
