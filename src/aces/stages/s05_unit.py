"""Stage 5: Unit Test Verification (``test.*``).

The tests run once per ACES run (``aces.stages.unit_suite``): the policy's
``[[tests.runners]]``, or defaults by language. Every check reads that run:

- ``test.unit``: every runner passes; each failing test is a finding;
- ``test.coverage-core``: core libraries reach the line-coverage floor;
- ``test.coverage-hot-paths``: hot paths have no branch outcome no test takes;
- ``test.coverage-drop``: no file's coverage falls below the committed baseline;
- ``test.coverage-transitions``: the tests take every state-machine transition;
- ``test.seeded-randomness`` / ``test.time-independence``: test code neither draws
  unseeded random numbers nor reads the clock (static scan), and no test changes
  outcome when the suite runs again in reverse order with another hash seed, or
  with a shifted clock (dynamic).

Details, formats and the baseline: ``docs/stage5-tests.md``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from aces.engines.coverage import (
    CoverageData,
    FileCoverage,
    aggregate,
    drops,
    line_ranges,
    parse_baseline,
    percents,
)
from aces.engines.smtrace import compute_coverage
from aces.errors import AcesError, InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable, PartialResultError
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.stages.schema_sm import load_machines, machine_files, require_loaded, transition_refs
from aces.stages.unit_checks import NO_RUNNER, SuiteCheck, location_of_test
from aces.stages.unit_determinism import SeededRandomness, TimeIndependence
from aces.stages.unit_suite import (
    RunnerResult,
    reference_run,
    runners,
)

GLOB_CHARS = frozenset("*?[")


# -- test.unit ---------------------------------------------------------------------------------


class UnitTests(SuiteCheck):
    """Unit tests run and pass, for every language present (per-test results).

    ACES III.5: unit tests run (Rust, Elixir and Python where present) and pass.
    The runners are the policy's ``[[tests.runners]]``; without them ACES runs
    pytest under coverage.py for Python, ``cargo test --offline`` per Cargo
    project for Rust and ``mix test`` for Elixir. Each failing or erroring test
    is a finding (``test.unit.failed``) at the test when its report says where.
    A runner that is missing, times out, writes no report or an unreadable one
    (a wrong root element, truncated XML), runs no test, or exits non-zero while
    its report shows no failure cannot be verified: ERROR.
    """

    id = "test.unit"
    clauses = ("test.unit",)
    title = "Unit tests run and pass"
    remedy = "Fix the code (or the test) so the test passes; run the runner locally to see why."
    tools = ("cargo", "mix")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per failing test of every runner; ERROR keeping them if a runner failed."""
        run = reference_run(ctx)
        findings = tuple(self._failures(ctx, run.verified))
        error = run.error()
        if error is not None:
            raise PartialResultError(error, findings)
        yield from findings

    def _failures(self, ctx: RunContext, results: Iterable[RunnerResult]) -> Iterator[Finding]:
        for result in results:
            for case in result.report.failing:
                detail = f": {case.message}" if case.message else ""
                yield self.finding(
                    f"test {case.id} {case.outcome.value} (runner {result.spec.name!r}){detail}",
                    location_of_test(ctx, result, case),
                    rule_id=f"{self.id}.failed",
                    key=f"{result.spec.name}\x1f{case.id}",
                )


# -- coverage --------------------------------------------------------------------------------------


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


class CoreCoverage(CoverageCheck):
    """Core libraries reach the line-coverage floor (85% by default).

    ACES III.5: >= 85% line coverage for core libraries. Each entry of
    ``[paths] core_libraries`` (a directory or a glob) is measured as a whole
    against ``[thresholds] core_coverage_percent``; below it, each file of the
    entry with uncovered lines is a finding at its first uncovered line, listing
    the uncovered line ranges. A source file of the entry that no coverage report
    measures is a finding on its own (``test.coverage-core.unmeasured``).
    """

    id = "test.coverage-core"
    clauses = ("test.coverage-core",)
    title = "Core libraries reach the line-coverage floor"
    remedy = "Add tests that run the uncovered lines (or remove dead code)."

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without core libraries in the policy."""
        if not ctx.policy.paths.core_libraries:
            return NotApplicable(
                "no [paths] core_libraries in the policy", enable=("paths.core_libraries",)
            )
        return None if runners(ctx) else NotApplicable(NO_RUNNER, enable=("tests.runners",))

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Per entry: unmeasured files, and the uncovered lines when under the floor."""
        data = measured(ctx)
        floor = ctx.policy.thresholds.get("core_coverage_percent", 85.0)
        for entry in ctx.policy.paths.core_libraries:
            files = source_files(ctx, entry, data)
            if not files:
                raise InputError(
                    f"core library {entry!r} has no source file a coverage report covers",
                    hint="fix [paths] core_libraries, or measure coverage of that language",
                )
            covered = [data.files[p] for p in files if p in data.files]
            yield from (self.unmeasured(p, entry) for p in files if p not in data.files)
            total = aggregate(covered)
            if total.percent < floor:
                for cov in covered:
                    if cov.uncovered_lines:
                        yield self._short(entry, cov, total.percent, floor)

    def _short(self, entry: str, cov: FileCoverage, percent: float, floor: float) -> Finding:
        return self.finding(
            f"core library {entry} has {percent:.1f}% line coverage, under {floor:g}%; "
            f"{cov.path} covers {cov.covered_lines}/{cov.lines} lines ({cov.percent:.1f}%), "
            f"uncovered: {line_ranges(cov.uncovered_lines)}",
            Location(cov.path, cov.uncovered_lines[0]),
            key=f"{entry}\x1f{cov.path}",
        )


class HotPathCoverage(CoverageCheck):
    """Hot paths have no branch that no test takes.

    ACES III.5: no untested branch in hot paths. For every file of ``[paths]
    hot_paths`` (directories or globs), each branch outcome no test takes is
    uncovered; one finding per file at its first such line lists the lines. A
    report without branch data for a hot-path file cannot verify it: ERROR (run
    coverage.py with ``--branch``, cargo-llvm-cov with ``--branch``).
    """

    id = "test.coverage-hot-paths"
    clauses = ("test.coverage-hot-paths",)
    title = "Hot paths have no untested branch"
    remedy = "Add tests that take both outcomes of every branch on the listed lines."

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without hot paths in the policy."""
        if not ctx.policy.paths.hot_paths:
            return NotApplicable("no [paths] hot_paths in the policy", enable=("paths.hot_paths",))
        return None if runners(ctx) else NotApplicable(NO_RUNNER, enable=("tests.runners",))

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Per hot-path file: untaken branches; unmeasured files."""
        data = measured(ctx)
        for entry in ctx.policy.paths.hot_paths:
            for path in source_files(ctx, entry, data):
                cov = data.files.get(path)
                if cov is None:
                    yield self.unmeasured(path, entry)
                    continue
                if not cov.has_branches:
                    raise AcesError(
                        f"the coverage report has no branch data for hot path {path}",
                        path=path,
                        hint="measure branch coverage (coverage run --branch, "
                        "cargo llvm-cov --branch)",
                    )
                lines = sorted(set(cov.uncovered_branches))
                if lines:
                    yield self.finding(
                        f"hot path {path}: {len(cov.uncovered_branches)} of {cov.branches} "
                        f"branch outcomes never taken, at lines {line_ranges(lines)}",
                        Location(path, lines[0]),
                        key=path,
                    )


class CoverageDrop(CoverageCheck):
    """Coverage never drops against the committed baseline (the ratchet).

    ACES III.5: coverage never drops. ``[tests] coverage_baseline`` names a
    committed JSON file of line coverage per file (format in
    ``docs/stage5-tests.md``). A file whose coverage now is lower than its
    baseline by more than ``[thresholds] coverage_drop_percent`` (0 by default)
    is a finding naming the baseline and the current percentage; a file of the
    baseline that still exists but is no longer measured is one too. A missing
    or malformed baseline is ERROR. Without a baseline: not applicable.
    """

    id = "test.coverage-drop"
    clauses = ("test.coverage-drop",)
    title = "Coverage never drops against the baseline"
    remedy = (
        "Add tests for the new or changed code until coverage is back at the baseline; raise "
        "the baseline when coverage rises."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a baseline in the policy."""
        if not ctx.policy.tests.coverage_baseline:
            return NotApplicable(
                "no [tests] coverage_baseline in the policy: nothing to ratchet against",
                enable=("tests.coverage_baseline",),
            )
        return None if runners(ctx) else NotApplicable(NO_RUNNER, enable=("tests.runners",))

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per file under its baseline."""
        name = ctx.policy.tests.coverage_baseline
        if not ctx.workspace.exists(name):
            raise InputError(
                f"the coverage baseline {name} named in [tests] coverage_baseline does not exist",
                path=name,
                hint="commit the baseline (docs/stage5-tests.md) or fix the path",
            )
        baseline = parse_baseline(ctx.workspace.read_text(name), name)
        data = measured(ctx)
        allowed = ctx.policy.thresholds.get("coverage_drop_percent", 0.0)
        for drop in drops(percents(data), baseline, allowed):
            cov = data.files[drop.path]
            line = cov.uncovered_lines[0] if cov.uncovered_lines else 1
            yield self.finding(
                f"line coverage of {drop.path} dropped from {drop.baseline:.2f}% (baseline "
                f"{name}) to {drop.now:.2f}% (allowed drop {allowed:g} points); uncovered: "
                f"{line_ranges(cov.uncovered_lines)}",
                Location(drop.path, line),
                key=drop.path,
            )
        for path in sorted(set(baseline) - set(data.files)):
            if ctx.workspace.exists(path):
                yield self.finding(
                    f"{path} had {baseline[path]:.2f}% line coverage in the baseline {name} and "
                    "is no longer measured",
                    Location(path, 1),
                    rule_id=f"{self.id}.unmeasured",
                    key=f"{path}\x1funmeasured",
                )


class TransitionCoverage(CoverageCheck):
    """The unit tests take every state-machine transition (100% by default).

    ACES III.5: 100% of state transitions covered. The test run has
    ``ACES_SM_TRACE_DIR`` set; code instrumented with ``aces.trace_emitter``
    writes one JSON line per transition taken (``{"machine", "from", "event",
    "to"}``, docs/state-machines.md). Transitions of the machines under
    ``[paths] state_machines`` that no trace step takes are findings at their
    line when coverage is under ``[thresholds] transition_coverage_percent``. A
    machine that does not load or a malformed trace line is ERROR.
    """

    id = "test.coverage-transitions"
    clauses = ("test.coverage-transitions",)
    title = "The tests take every state-machine transition"
    remedy = (
        "Add a unit test that drives the machine through this transition, with the code "
        "emitting traces (aces.trace_emitter.emit)."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without state machines."""
        if not machine_files(ctx):
            return NotApplicable(
                "no state machine (*.sm.yaml) under [paths] state_machines",
                enable=("paths.state_machines",),
            )
        return None if runners(ctx) else NotApplicable(NO_RUNNER, enable=("tests.runners",))

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per transition no test takes, when under the threshold."""
        machines = load_machines(ctx)
        require_loaded(machines)
        run = reference_run(ctx)
        error = run.error()
        if error is not None:  # a runner that did not run wrote no trace
            raise error
        traces = run.traces
        if traces.problems:
            first = traces.problems[0]
            raise InputError(
                f"malformed trace line {first} ({len(traces.problems)} in all)",
                hint="each line is a JSON object {machine, from, event, to}",
            )
        report = compute_coverage(transition_refs(machines), traces.steps)
        floor = ctx.policy.thresholds.get("transition_coverage_percent", 100.0)
        if report.percent >= floor:
            return
        for machine in report.machines:
            for ref in machine.uncovered:
                yield self.finding(
                    f"machine {ref.machine!r}: no unit test takes transition {ref.describe()} "
                    f"({report.covered}/{report.total} transitions, {report.percent:.1f}% < "
                    f"{floor:g}%)",
                    Location(ref.path, ref.line, ref.column),
                    key=f"{ref.machine}\x1f{ref.id}",
                )


STAGE = StageDef(
    number=5,
    name="unit",
    title="Unit Test Verification",
    checks=(
        UnitTests(),
        CoreCoverage(),
        HotPathCoverage(),
        CoverageDrop(),
        TransitionCoverage(),
        SeededRandomness(),
        TimeIndependence(),
    ),
)
