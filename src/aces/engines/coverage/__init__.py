"""Coverage reports (LCOV, Cobertura XML, coverage.py JSON), gates and the baseline ratchet.

A library with no knowledge of stages: parsers turn report text into
``CoverageData``; ``gates`` compares it with floors and a baseline. Every
parser refuses what it cannot read with ``CoverageFormatError`` (an
``InputError``) naming the file and, where it can, the line.
"""

from __future__ import annotations

from aces.engines.coverage.baseline import parse_baseline, render_baseline
from aces.engines.coverage.cobertura import parse_cobertura, parse_xml
from aces.engines.coverage.coveragepy import parse_coveragepy
from aces.engines.coverage.gates import Aggregate, Drop, aggregate, drops, percents
from aces.engines.coverage.lcov import parse_lcov
from aces.engines.coverage.model import (
    CoverageData,
    CoverageFormatError,
    FileCoverage,
    line_ranges,
)
from aces.engines.coverage.paths import rebase, relative_to_root

FORMATS: tuple[str, ...] = ("lcov", "cobertura", "coveragepy")


def parse_report(data: bytes, name: str, fmt: str) -> CoverageData:
    """Parse ``data`` (the file ``name``) as the coverage format ``fmt`` (one of FORMATS)."""
    if fmt == "cobertura":
        return parse_cobertura(data, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CoverageFormatError(
            f"{name}: not UTF-8 (byte {exc.start}): cannot read a {fmt} report"
        ) from exc
    if fmt == "lcov":
        return parse_lcov(text, name)
    if fmt == "coveragepy":
        return parse_coveragepy(text, name)
    raise ValueError(f"unknown coverage format {fmt!r}")


__all__ = [
    "FORMATS",
    "Aggregate",
    "CoverageData",
    "CoverageFormatError",
    "Drop",
    "FileCoverage",
    "aggregate",
    "drops",
    "line_ranges",
    "parse_baseline",
    "parse_cobertura",
    "parse_coveragepy",
    "parse_lcov",
    "parse_report",
    "parse_xml",
    "percents",
    "rebase",
    "relative_to_root",
    "render_baseline",
]
