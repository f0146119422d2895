"""``requirements*.txt`` pinned with ``==`` (and usually ``--hash``), as pip-compile writes.

Backslash continuations are joined (the entry keeps its first line), comments
and per-requirement options (``--hash=...``) are dropped, and file-wide
options (``-r``, ``-c``, ``--index-url``, ...) are skipped: an included file is
audited on its own when it matches the lockfile globs. A requirement without
one exact ``==`` / ``===`` pin, or a direct URL / editable VCS reference, has
no version to look up: it is an ``unpinned`` issue, never skipped. Editable
local paths (``-e .``) are the repository's own code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement

from aces.engines.vulns.model import PYPI, LockedPackage, LockfileError, LockIssue, ParsedLock

_COMMENT = re.compile(r"(?:^|\s)#.*$")
_OPTION = re.compile(r"\s--?[A-Za-z][\w-]*(?:[ =]\S+)?")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s+|=)(\S+)")
_VCS = re.compile(r"^(?:git|hg|svn|bzr)\+")


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each line after joining ``\\`` continuations."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            yield start, joined


def parse(path: str, text: str) -> ParsedLock:
    """The pinned PyPI packages of a requirements file, and what is not pinned."""
    found: list[LockedPackage] = []
    issues: list[LockIssue] = []
    for line, content in logical_lines(text):
        editable = _EDITABLE.match(content)
        if editable is not None:
            if _VCS.match(editable.group(1)):
                issues.append(_unpinned(path, line, editable.group(1), "an editable VCS checkout"))
            continue
        if content.startswith("-"):
            continue  # a file-wide option: -r, -c, --index-url, --find-links, ...
        entry = _entry(path, line, content)
        if isinstance(entry, LockIssue):
            issues.append(entry)
        else:
            found.append(entry)
    return ParsedLock(path, tuple(found), tuple(issues))


def _entry(path: str, line: int, content: str) -> LockedPackage | LockIssue:
    """One requirement: a pinned package, or why it is not pinned."""
    spec = _OPTION.sub("", " " + content).strip()
    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        raise LockfileError(f"line {line}: not a requirement: {exc}", path=path) from exc
    if requirement.url:
        return _unpinned(path, line, requirement.name, "a direct URL reference")
    pins = [s for s in requirement.specifier if s.operator in ("==", "===")]
    if len(requirement.specifier) != 1 or not pins or pins[0].version.endswith("*"):
        shown = str(requirement.specifier) or "no version"
        return _unpinned(path, line, requirement.name, f"{shown}, not one exact == pin")
    return LockedPackage(PYPI, requirement.name, pins[0].version, path, line)


def _unpinned(path: str, line: int, name: str, why: str) -> LockIssue:
    """The issue of a requirement that has no exact version to look up."""
    return LockIssue(path, line, "unpinned", f"{name}: {why}, so it cannot be audited")
