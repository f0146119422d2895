"""Whether a test run failed for want of the project's dependencies, not because of its tests.

A test module that cannot be collected because a third-party package is not
installed (``ModuleNotFoundError: No module named 'fastapi'``) says nothing about
the code: the interpreter the runner used lacks the project's dependencies. When
every failing test of a run is such an import, the run cannot verify the tests:
it is an ERROR naming the missing packages, never a list of failed tests. A
module the repository itself holds (``app``, ``mypkg.sub``) that cannot be
imported is left a failure: the test or the code may be wrong.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from aces.engines.testreports import TestReport

_MISSING_MODULE = re.compile(r"\bNo module named '([A-Za-z_][\w.]*)'")


def missing_dependencies(report: TestReport, files: Iterable[str]) -> str | None:
    """Why the run cannot verify the tests (missing third-party modules), or None."""
    failing = report.failing
    if not failing:
        return None
    own = _own_top_modules(files)
    missing: set[str] = set()
    for case in failing:
        match = _MISSING_MODULE.search(case.message)
        if match is None:
            return None
        top = match.group(1).split(".", 1)[0]
        if top in own:
            return None
        missing.add(top)
    names = ", ".join(sorted(missing))
    return (
        f"{len(failing)} test module(s) could not be imported: the interpreter the tests ran "
        f"with lacks the project's dependencies (not installed: {names}); install them into it "
        "or declare [[tests.runners]] with the project's own interpreter"
    )


def _own_top_modules(files: Iterable[str]) -> frozenset[str]:
    """Every name an import of the repository's own code can start with (any directory)."""
    names: set[str] = set()
    for path in files:
        parts = path.split("/")
        names.update(parts[:-1])
        stem, ext = posixpath.splitext(parts[-1])
        if ext in (".py", ".pyi", ".so", ".pyd"):
            names.add(stem)
    return frozenset(names)
