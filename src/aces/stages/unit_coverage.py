"""What the coverage checks of stage 5 share: the measured coverage and the gated files.

``measured`` is the merged coverage of the reference run (ERROR when it cannot be
had); ``files_of`` and ``source_files`` resolve a path-set entry (a directory or
a glob) into the files coverage should measure.
"""

from __future__ import annotations

import posixpath

from aces.engines.coverage import CoverageData
from aces.errors import AcesError, InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.stages.unit_suite import reference_run

GLOB_CHARS = frozenset("*?[")


def measured(ctx: RunContext) -> CoverageData:
    """The merged coverage of the run; ERROR when no runner measures coverage or one failed."""
    run = reference_run(ctx)
    error = run.error(measuring=True)
    if error is not None:
        raise error
    data = run.coverage()
    if data is None:
        raise AcesError(
            "no test runner writes a coverage report, so coverage cannot be verified",
            hint="set coverage and coverage_format on a [[tests.runners]] entry in aces.toml",
        )
    return data


def files_of(ctx: RunContext, entry: str) -> tuple[str, ...]:
    """The files a path-set entry names: a glob, or a directory (or a single file)."""
    if GLOB_CHARS & set(entry):
        return ctx.workspace.match((entry,))
    if ctx.workspace.exists(entry):
        return (entry,)
    return ctx.workspace.under((entry,))


def source_files(ctx: RunContext, entry: str, data: CoverageData) -> tuple[str, ...]:
    """Files of ``entry`` that coverage should measure: of a language the reports cover."""
    suffixes = {posixpath.splitext(p)[1] for p in data.files}
    return tuple(
        p
        for p in files_of(ctx, entry)
        if posixpath.splitext(p)[1] in suffixes and (p in data.files or _has_code(ctx, p))
    )


def _has_code(ctx: RunContext, path: str) -> bool:
    """Whether a file has a line that is neither blank nor a comment."""
    try:
        text = ctx.workspace.read_text(path)
    except InputError:
        return True
    return any(ln.strip() and not ln.strip().startswith(("#", "//")) for ln in text.splitlines())


class CoverageCheck(Check):
    """Shared parts of the coverage checks."""

    stage = 5

    def unmeasured(self, path: str, entry: str) -> Finding:
        """A source file of a gated path that no coverage report mentions."""
        return self.finding(
            f"{path} is under {entry} but no coverage report measures it (no test loads it)",
            Location(path, 1),
            rule_id=f"{self.id}.unmeasured",
            key=f"{entry}\x1f{path}\x1funmeasured",
        )
