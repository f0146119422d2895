"""Stage 5: Unit Test Verification (``test.*``).

The tests run once per ACES run (``aces.stages.unit_suite``): the policy's
``[[tests.runners]]``, or defaults by language. Every check reads that run:

- ``test.unit``: every runner passes; each failing test is a finding;
- ``test.coverage-core``: core libraries (declared or inferred) reach the line-coverage
  floor, and the repository sets no looser coverage gate of its own (``unit_core``);
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

from collections.abc import Iterable, Iterator

from aces.engines.coverage import (
    drops,
    line_ranges,
    parse_baseline,
    percents,
)
from aces.engines.smtrace import compute_coverage
from aces.errors import AcesError, InputError
from aces.model import Finding, Location
from aces.pipeline.check import NotApplicable, PartialResultError
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.stages.schema_sm import load_machines, machine_files, require_loaded, transition_refs
from aces.stages.unit_checks import NO_RUNNER, SuiteCheck, location_of_test
from aces.stages.unit_core import CoreCoverage
from aces.stages.unit_coverage import CoverageCheck, measured, source_files
from aces.stages.unit_determinism import SeededRandomness, TimeIndependence
from aces.stages.unit_suite import (
    RunnerResult,
    reference_run,
    runners,
)

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
        findings = tuple(self._failures(ctx, run.results))  # an errored runner's, too
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
