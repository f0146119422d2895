"""``uv.lock``: every ``[[package]]`` except the project itself and local paths.

The project and workspace members carry ``source = { editable = ... }``,
``{ virtual = ... }``, ``{ directory = ... }`` or ``{ path = ... }``; they are
the repository's own code. Any other entry without a version cannot be
looked up and is an ``unpinned`` issue.
"""

from __future__ import annotations

from aces.engines.vulns.lockcommon import entries, load_toml, table_lines, text_field
from aces.engines.vulns.model import PYPI, LockedPackage, LockfileError, LockIssue, ParsedLock

_LOCAL_KEYS = frozenset({"editable", "virtual", "directory", "path"})


def parse(path: str, text: str) -> ParsedLock:
    """The PyPI packages of a uv.lock."""
    packages = entries(path, load_toml(path, text), "package")
    lines = table_lines(text, "package", len(packages))
    found: list[LockedPackage] = []
    issues: list[LockIssue] = []
    for entry, line in zip(packages, lines, strict=True):
        name = text_field(path, line, entry, "name")
        version = text_field(path, line, entry, "version")
        if name is None:
            raise LockfileError(f"line {line}: a [[package]] without a name", path=path)
        source = entry.get("source")
        if isinstance(source, dict) and _LOCAL_KEYS & source.keys():
            continue
        if version is None:
            issues.append(LockIssue(path, line, "unpinned", f"{name} has no locked version"))
            continue
        found.append(LockedPackage(PYPI, name, version, path, line))
    return ParsedLock(path, tuple(found), tuple(issues))
