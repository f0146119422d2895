"""Whether a test run failed for want of the project's dependencies, not because of its tests.

A test module that cannot be collected because a third-party package is not
installed (``ModuleNotFoundError: No module named 'fastapi'``) says nothing about
the code: the interpreter the runner used lacks the project's dependencies. When
every failing test of a run is such an import, the run cannot verify the tests:
it is an ERROR naming the missing packages, never a list of failed tests. A
module the repository itself holds (``app``, ``mypkg.sub``) that cannot be
imported is left a failure: the test or the code may be wrong. When other tests
fail too, those failures are kept, and the run is still an ERROR for the rest.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from aces.engines.testreports import TestReport

_PYTHON_SUFFIXES = frozenset({".py", ".pyi", ".so", ".pyd"})
_MISSING_MODULE = re.compile(r"\bNo module named '([A-Za-z_][\w.]*)'")


def importable_part(
    report: TestReport, files: Iterable[str], returncode: int
) -> tuple[TestReport, str | None]:
    """The report without the tests a missing third-party module kept from importing, and why.

    The reason is None when no such test is there (or the run passed): the report is
    then returned whole.
    """
    if returncode == 0:
        return report, None
    own = _own_top_modules(files)
    missing: set[str] = set()
    kept = []
    for case in report.cases:
        match = _MISSING_MODULE.search(case.message) if case.outcome.failing else None
        top = match.group(1).split(".", 1)[0] if match else None
        if top is None or top in own:
            kept.append(case)
        else:
            missing.add(top)
    if not missing:
        return report, None
    count = len(report.cases) - len(kept)
    return TestReport(report.source, tuple(kept)), (
        f"{count} test module(s) could not be imported: the interpreter the tests ran with "
        f"lacks the project's dependencies (not installed: {', '.join(sorted(missing))}); "
        "install them into it or declare [[tests.runners]] with the project's own interpreter"
    )


def _own_top_modules(files: Iterable[str]) -> frozenset[str]:
    """Every name an import of the repository's own Python code can start with.

    The folders that hold Python files, and the modules' own names; a folder under
    a hidden one (``.claude/``, ``.github/``: tool settings and templates) is no
    package a test imports.
    """
    names: set[str] = set()
    for path in files:
        parts = path.split("/")
        stem, ext = posixpath.splitext(parts[-1])
        if ext not in _PYTHON_SUFFIXES or any(p.startswith(".") for p in parts[:-1]):
            continue
        names.update(parts[:-1])
        names.add(stem)
    return frozenset(names)
