"""coverage.py JSON reports (``coverage json``, format 3).

``{"meta": {"format": 3, "branch_coverage": bool, ...}, "files": {path:
{"executed_lines": [...], "missing_lines": [...], "missing_branches": [[from,
to], ...], "summary": {...}}}, "totals": {...}}``. Without ``--branch`` the files
carry no branch data and ``has_branches`` is False. A document of another shape
is ``CoverageFormatError`` naming the file and what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aces.engines.coverage.model import CoverageData, CoverageFormatError, FileCoverage
from aces.nesting import parse_bounded


def parse_coveragepy(text: str, name: str) -> CoverageData:
    """The coverage in the coverage.py JSON ``text`` of the file ``name``."""
    try:
        doc = parse_bounded(json.loads, text, name, "json", _nesting(name))
    except json.JSONDecodeError as exc:
        raise CoverageFormatError(
            f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}): cannot read a coverage.py "
            "report",
            hint="regenerate it with `coverage json` (the run may have been interrupted)",
        ) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise CoverageFormatError(f'{name}: not a coverage.py JSON report (no "files" object)')
    meta = doc.get("meta")
    branch = isinstance(meta, dict) and meta.get("branch_coverage") is True
    files = {
        path.replace("\\", "/"): _file(path.replace("\\", "/"), entry, branch, name)
        for path, entry in doc["files"].items()
    }
    return CoverageData(dict(sorted(files.items())))


def _nesting(name: str) -> Callable[[str], CoverageFormatError]:
    def make(message: str) -> CoverageFormatError:
        return CoverageFormatError(f"{name}: {message}: cannot read a coverage.py report")

    return make


def _file(path: str, entry: Any, branch: bool, name: str) -> FileCoverage:
    if not isinstance(entry, dict):
        raise CoverageFormatError(f"{name}: files[{path!r}] is not an object")
    executed = _numbers(entry, "executed_lines", path, name)
    missing = _numbers(entry, "missing_lines", path, name)
    uncovered_branches: tuple[int, ...] = ()
    branches = 0
    if branch:
        missed = _pairs(entry, "missing_branches", path, name)
        taken = _pairs(entry, "executed_branches", path, name)
        uncovered_branches = tuple(sorted(source for source, _ in missed))
        branches = len(missed) + len(taken)
    lines = len(set(executed) | set(missing))
    return FileCoverage(
        path, lines, tuple(sorted(set(missing))), branches, uncovered_branches, branch
    )


def _numbers(entry: dict[str, Any], key: str, path: str, name: str) -> list[int]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise CoverageFormatError(
            f"{name}: files[{path!r}].{key} is missing or not a list of line numbers"
        )
    return value


def _pairs(entry: dict[str, Any], key: str, path: str, name: str) -> list[tuple[int, int]]:
    value = entry.get(key)
    ok = isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 2 and all(type(n) is int for n in v) for v in value
    )
    if not ok:
        raise CoverageFormatError(
            f"{name}: files[{path!r}].{key} is missing or not a list of [from, to] arcs "
            "(branch coverage was on)",
        )
    assert isinstance(value, list)
    return [(v[0], v[1]) for v in value]
