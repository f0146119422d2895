"""``Cargo.lock``: the ``[[package]]`` tables of crates resolved from a registry.

Workspace members and path dependencies have no ``source`` and are the
repository's own code; git dependencies are not crates.io releases. Only
``registry+`` / ``sparse+`` entries are audited, as crates.io packages.
"""

from __future__ import annotations

from aces.engines.vulns.lockcommon import entries, load_toml, table_lines, text_field
from aces.engines.vulns.model import CRATES_IO, LockedPackage, LockfileError, ParsedLock


def parse(path: str, text: str) -> ParsedLock:
    """The registry crates of a Cargo.lock."""
    packages = entries(path, load_toml(path, text), "package")
    lines = table_lines(text, "package", len(packages))
    found: list[LockedPackage] = []
    for entry, line in zip(packages, lines, strict=True):
        name = text_field(path, line, entry, "name")
        version = text_field(path, line, entry, "version")
        source = text_field(path, line, entry, "source") or ""
        if name is None or version is None:
            raise LockfileError(f"line {line}: a [[package]] without name or version", path=path)
        if source.startswith(("registry+", "sparse+")):
            found.append(LockedPackage(CRATES_IO, name, version, path, line))
    return ParsedLock(path, tuple(found))
