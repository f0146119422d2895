"""The coverage model every report format is read into.

A report is, per source file, the executable lines with whether any test ran
them, and the branches with whether any test took them. Line numbers are kept
only for what is uncovered (the findings name them); for covered code a count
is enough, which keeps a 100 MB report small in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aces.errors import InputError


class CoverageFormatError(InputError):
    """A coverage report that cannot be read: truncated, malformed or of the wrong kind."""


@dataclass(frozen=True)
class FileCoverage:
    """Line and branch coverage of one source file.

    ``lines`` counts executable lines and ``uncovered_lines`` lists those no test
    ran (sorted). ``branches`` counts branch outcomes, ``uncovered_branches``
    lists the lines of the outcomes never taken (sorted, one entry per outcome).
    ``has_branches`` is False when the report did not measure branches at all.
    """

    path: str
    lines: int
    uncovered_lines: tuple[int, ...]
    branches: int = 0
    uncovered_branches: tuple[int, ...] = ()
    has_branches: bool = False

    @property
    def covered_lines(self) -> int:
        """Executable lines some test ran."""
        return self.lines - len(self.uncovered_lines)

    @property
    def percent(self) -> float:
        """Line coverage in percent; a file without executable lines is fully covered."""
        return 100.0 if not self.lines else 100.0 * self.covered_lines / self.lines


@dataclass(frozen=True)
class CoverageData:
    """The files of one or more reports, by relative POSIX path."""

    files: Mapping[str, FileCoverage] = field(default_factory=dict)

    def merged(self, other: CoverageData) -> CoverageData:
        """Both reports; a file in both keeps the union of what each measured."""
        files = dict(self.files)
        for path, cov in other.files.items():
            files[path] = merge_file(files[path], cov) if path in files else cov
        return CoverageData(dict(sorted(files.items())))


def merge_file(a: FileCoverage, b: FileCoverage) -> FileCoverage:
    """One file measured twice (two test binaries): a line is covered if either ran it.

    Without the full line sets the union is approximated by the larger line count;
    a line stays uncovered only when both reports say so, or one never saw it.
    """
    uncovered = (
        sorted(set(a.uncovered_lines) & set(b.uncovered_lines))
        if a.lines and b.lines
        else (list(a.uncovered_lines or b.uncovered_lines))
    )
    return FileCoverage(
        a.path,
        max(a.lines, b.lines),
        tuple(uncovered),
        max(a.branches, b.branches),
        tuple(sorted(set(a.uncovered_branches) & set(b.uncovered_branches)))
        if a.has_branches and b.has_branches
        else a.uncovered_branches or b.uncovered_branches,
        a.has_branches or b.has_branches,
    )


def line_ranges(lines: Iterable[int]) -> str:
    """``1, 3-5, 9``: sorted lines folded into ranges."""
    ordered = sorted(set(lines))
    parts: list[str] = []
    start = prev = None
    for number in ordered:
        if prev is not None and number == prev + 1:
            prev = number
            continue
        if start is not None and prev is not None:
            parts.append(_range(start, prev))
        start = prev = number
    if start is not None and prev is not None:
        parts.append(_range(start, prev))
    return ", ".join(parts)


def _range(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}-{end}"
