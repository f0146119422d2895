"""Fast matching of gitignore-style globs against many paths.

pathspec compiles each glob to a regular expression and tests them one by one
per path. For the common case (only positive globs) the expressions are joined
into one alternation, so a path costs one regex match whatever the number of
globs; with negated globs the last matching glob decides, as in gitignore, and
pathspec itself is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pathspec

from aces.errors import InputError


class GlobMatcher:
    """A compiled set of gitignore-style globs."""

    def __init__(self, globs: Sequence[str]) -> None:
        self.globs = tuple(globs)
        self._spec = _compile(self.globs)
        patterns = [p for p in self._spec.patterns if getattr(p, "regex", None) is not None]
        self._combined: re.Pattern[str] | None = None
        if patterns and all(p.include for p in patterns):
            joined = "|".join(f"(?:{p.regex.pattern})" for p in patterns)
            self._combined = re.compile(joined)

    def match(self, path: str) -> bool:
        """True when the globs select ``path``."""
        if not self.globs:
            return False
        if self._combined is not None:
            return self._combined.match(path) is not None
        return bool(self._spec.match_file(path))

    def filter(self, paths: Iterable[str]) -> list[str]:
        """The paths the globs select, in the given order."""
        return [p for p in paths if self.match(p)]


# pathspec picks a hyperscan backend when hyperscan is installed, and that backend
# shares one scratch space per spec: matching from two threads at once fails. Checks
# run in parallel threads, so every spec ACES compiles uses the pure-Python backend.
PATHSPEC_BACKEND = "simple"


def compile_spec(globs: Sequence[str]) -> pathspec.PathSpec[Any]:
    """A thread-safe pathspec of gitignore-style globs (no validation)."""
    return pathspec.PathSpec.from_lines("gitignore", globs, backend=PATHSPEC_BACKEND)


def _compile(globs: Sequence[str]) -> pathspec.PathSpec[Any]:
    """pathspec's compilation; InputError naming a malformed glob."""
    for glob in globs:
        try:
            compile_spec([glob])
        except ValueError as exc:
            raise InputError(f"invalid glob {glob!r}: {exc}") from exc
    return compile_spec(globs)
