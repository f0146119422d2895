"""Every reported location is a real place: a file of the repository, a line it has.

A finding's location is where a reader goes to fix it; a place that does not
exist (a file the repository lacks, ``embedded doctrine default:1``, line 90 of
a 10-line file) sends them nowhere. The runner passes every check's findings
through ``verify_locations``: a location that does not exist is a bug of the
check, so the finding is kept (it still blocks) but its false place is dropped
and named in its message, never reported as a place.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from aces.model import Finding, Location
from aces.policy.locate import locate
from aces.policy.schema import LoadedPolicy
from aces.workspace.index import Workspace
from aces.workspace.types import Change

# Files larger than this are not read to count their lines (their line stays as reported).
_MAX_COUNTED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LocationProblem:
    """Why a location is not a real place, and what is left of it (None: nothing)."""

    reason: str
    kept: Location | None


class LocationVerifier:
    """Checks locations against one workspace (and the files its change deleted)."""

    def __init__(self, workspace: Workspace, change: Change) -> None:
        self.root = workspace.root
        self.workspace = workspace
        # a file the change deletes or renames away exists on the base side
        self.base_only = frozenset(
            path
            for changed in change.files
            for path in (changed.old_path, changed.path if changed.status[:1] == "D" else None)
            if path
        )
        self._lines: dict[str, int | None] = {}

    def problem(self, location: Location) -> LocationProblem | None:
        """Why ``location`` is not a real place, or None when it is one."""
        path = location.path
        if path in self.base_only:
            return None
        if not self._is_file(path):
            return LocationProblem(
                f"reported at {location}, which is not a file of the repository", None
            )
        if location.line is None:
            return None
        count = self._line_count(path)
        if count is not None and not 1 <= location.line <= count:
            return LocationProblem(
                f"reported at line {location.line} of {path}, which has {count} line(s)",
                Location(path),
            )
        return None

    def _is_file(self, path: str) -> bool:
        pure = PurePosixPath(path)
        if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
            return False
        if self.workspace.exists(path):
            return True
        # generated or ignored files (reports, build outputs) are still files of the tree
        candidate = self.root / path
        try:
            real = Path(os.path.realpath(candidate))
            return candidate.is_file() and real.is_relative_to(self.root)
        except OSError:
            return False

    def _line_count(self, path: str) -> int | None:
        if path not in self._lines:
            self._lines[path] = _count_lines(self.root / path)
        return self._lines[path]


def _count_lines(file: Path) -> int | None:
    """Lines of ``file`` (an empty file has line 1); None when it cannot be counted."""
    try:
        if file.stat().st_size > _MAX_COUNTED_BYTES:
            return None
        data = file.read_bytes()
    except OSError:
        return None
    count = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(1, count)


def policy_file(loaded: LoadedPolicy, workspace: Workspace) -> str | None:
    """The policy file as a file of the repository; None for the embedded default or a
    policy read from outside the repository (neither is a place a finding can point at)."""
    if loaded.is_default or not workspace.exists(loaded.source):
        return None
    return loaded.source


def policy_key_location(
    loaded: LoadedPolicy, workspace: Workspace, key: Sequence[str | int]
) -> Location | None:
    """The line of ``key`` (or its nearest ancestor) in the repository's policy file; None
    when no policy file of the repository is in force."""
    source = policy_file(loaded, workspace)
    if source is None:
        return None
    return Location(source, locate(workspace.read_text(source)).line_of(key))


def verify_locations(findings: Iterable[Finding], verifier: LocationVerifier) -> list[Finding]:
    """``findings`` with every location that does not exist dropped and named in the message."""
    out: list[Finding] = []
    for finding in findings:
        location = finding.location
        problem = verifier.problem(location) if location is not None else None
        if problem is None:
            out.append(finding)
            continue
        message = f"{finding.message} ({problem.reason})"
        out.append(replace(finding, location=problem.kept, message=message))
    return out
