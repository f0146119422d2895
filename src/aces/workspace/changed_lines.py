"""Which places a Change touches: changed files and the lines of their hunks.

A PR-mode run (a Change with a base) judges new code by what it adds: a place is
in the change when its file was added, or when its line falls inside one of the
file's hunks. A whole-tree run touches every place. A place with no file, or a
file-level place (no line) of a changed file, counts as in the change: when
ACES cannot tell, it judges the finding (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from aces.model import Location
from aces.workspace.types import Change, ChangedFile

ADDED = "A"


@dataclass(frozen=True)
class ChangedLines:
    """The touched lines of a Change, by head-side path."""

    whole_tree: bool
    files: dict[str, ChangedFile]

    @classmethod
    def of(cls, change: Change) -> ChangedLines:
        """The touched places of ``change``."""
        return cls(change.whole_tree, {f.path: f for f in change.files})

    def file_changed(self, path: str) -> bool:
        """Whether ``path`` is part of the change (every file is, on a whole tree)."""
        return self.whole_tree or path in self.files

    def touches(self, location: Location | None) -> bool:
        """Whether a finding at ``location`` is on code the change adds or edits."""
        if self.whole_tree or location is None:
            return True
        changed = self.files.get(location.path)
        if changed is None:
            return False
        if changed.status == ADDED or location.line is None:
            return True
        first = location.line
        last = max(first, location.end_line or first)
        # a finding spanning lines (a function) is touched when any of its lines is
        return any(h.start <= last and first < h.start + h.count for h in changed.hunks)
