"""``pylock.toml`` / ``pylock.<name>.toml`` (PEP 751): the ``[[packages]]`` tables.

A package from a local ``directory`` is the repository's own code; any other
package without a ``version`` (a VCS checkout or an archive) cannot be looked
up and is an ``unpinned`` issue.
"""

from __future__ import annotations

from aces.engines.vulns.lockcommon import entries, load_toml, table_lines, text_field
from aces.engines.vulns.model import PYPI, LockedPackage, LockfileError, LockIssue, ParsedLock


def parse(path: str, text: str) -> ParsedLock:
    """The PyPI packages of a PEP 751 lock file."""
    data = load_toml(path, text)
    if "lock-version" not in data:
        raise LockfileError("missing 'lock-version': not a PEP 751 lock file", path=path)
    packages = entries(path, data, "packages")
    lines = table_lines(text, "packages", len(packages))
    found: list[LockedPackage] = []
    issues: list[LockIssue] = []
    for entry, line in zip(packages, lines, strict=True):
        name = text_field(path, line, entry, "name")
        version = text_field(path, line, entry, "version")
        if name is None:
            raise LockfileError(f"line {line}: a [[packages]] entry without a name", path=path)
        if "directory" in entry:
            continue
        if version is None:
            issues.append(LockIssue(path, line, "unpinned", f"{name} has no locked version"))
            continue
        found.append(LockedPackage(PYPI, name, version, path, line))
    return ParsedLock(path, tuple(found), tuple(issues))
