"""Coverage gates: a floor per path set, no untaken branch on hot paths, and the ratchet.

Pure functions over ``CoverageData``: they return plain shortfalls, and the
stage turns them into findings. Paths are repository-relative POSIX paths; a
"path set" is a list of directories or gitwildmatch globs already resolved by
the caller into the files it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aces.engines.coverage.model import CoverageData, FileCoverage


@dataclass(frozen=True)
class Aggregate:
    """Line coverage of a set of files taken together."""

    lines: int
    covered: int

    @property
    def percent(self) -> float:
        """Covered share in percent (100 for no executable line)."""
        return 100.0 if not self.lines else 100.0 * self.covered / self.lines


def aggregate(files: Iterable[FileCoverage]) -> Aggregate:
    """The files' lines and covered lines summed."""
    lines = covered = 0
    for cov in files:
        lines += cov.lines
        covered += cov.covered_lines
    return Aggregate(lines, covered)


@dataclass(frozen=True)
class Drop:
    """A file whose coverage fell below its baseline by more than allowed."""

    path: str
    baseline: float
    now: float


def drops(
    current: Mapping[str, float], baseline: Mapping[str, float], allowed: float
) -> list[Drop]:
    """Files of ``baseline`` that ``current`` measures lower by more than ``allowed`` points.

    A file of the baseline that ``current`` lacks is not compared (the caller
    decides whether it was deleted or is simply not measured any more).
    """
    found = []
    for path, before in sorted(baseline.items()):
        now = current.get(path)
        # Rounded to the baseline's precision: float noise must not fail a build.
        if now is not None and round(before - now, 2) > allowed:
            found.append(Drop(path, before, now))
    return found


def percents(data: CoverageData) -> dict[str, float]:
    """Line coverage per file, rounded to two decimals (the baseline's precision)."""
    return {path: round(cov.percent, 2) for path, cov in data.files.items()}


def untaken_branches(cov: FileCoverage) -> tuple[int, ...]:
    """The distinct lines with a branch outcome no test took."""
    return tuple(sorted(set(cov.uncovered_branches)))
