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
import tempfile
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path

from aces.engines.coverage import (
    CoverageData,
    FileCoverage,
    aggregate,
    drops,
    line_ranges,
    parse_baseline,
    percents,
)
from aces.engines.determinism import (
    REVERSE_ORDER_MODULE,
    REVERSE_ORDER_PLUGIN,
    Flake,
    Hazard,
    Kind,
    compare_runs,
    rust_test_modules,
    scan_elixir,
    scan_python,
    scan_rust,
)
from aces.engines.smtrace import compute_coverage
from aces.engines.testreports import TestCase
from aces.errors import AcesError, InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.stages.schema_sm import load_machines, machine_files, require_loaded, transition_refs
from aces.stages.unit_suite import (
    RunnerResult,
    faketime_library,
    reference_run,
    runners,
    variant_run,
)

NO_RUNNER = "no [[tests.runners]] in the policy and no Python, Rust or Elixir code to test"
GLOB_CHARS = frozenset("*?[")
CLOCK_SHIFT = "+400d"
SHIFTED_TZ = "Pacific/Kiritimati"  # UTC+14: the far side of the date line from UTC
ORDER_SEED = "4242"


class SuiteCheck(Check):
    """Shared parts of the checks that read the test run."""

    stage = 5

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when there is no runner at all."""
        return None if runners(ctx) else NotApplicable(NO_RUNNER)


def _test_location(ctx: RunContext, result: RunnerResult, case: TestCase) -> Location | None:
    """Where a test is, when its report says and the file is in the workspace."""
    if not case.file:
        return None
    path = posixpath.normpath(posixpath.join(result.spec.cwd, case.file))
    if not ctx.workspace.exists(path):
        return None
    return Location(path, case.line or 1)


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
        """One finding per failing test of every runner."""
        for result in reference_run(ctx).results:
            for case in result.report.failing:
                detail = f": {case.message}" if case.message else ""
                yield self.finding(
                    f"test {case.id} {case.outcome.value} (runner {result.spec.name!r}){detail}",
                    _test_location(ctx, result, case),
                    rule_id=f"{self.id}.failed",
                    key=f"{result.spec.name}\x1f{case.id}",
                )


# -- coverage --------------------------------------------------------------------------------------


def measured(ctx: RunContext) -> CoverageData:
    """The merged coverage of the run; ERROR when no runner measures coverage."""
    data = reference_run(ctx).coverage()
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
            return NotApplicable("no [paths] core_libraries in the policy")
        return None if runners(ctx) else NotApplicable(NO_RUNNER)

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
            return NotApplicable("no [paths] hot_paths in the policy")
        return None if runners(ctx) else NotApplicable(NO_RUNNER)

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
                "no [tests] coverage_baseline in the policy: nothing to ratchet against"
            )
        return None if runners(ctx) else NotApplicable(NO_RUNNER)

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
            return NotApplicable("no state machine (*.sm.yaml) under [paths] state_machines")
        return None if runners(ctx) else NotApplicable(NO_RUNNER)

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per transition no test takes, when under the threshold."""
        machines = load_machines(ctx)
        require_loaded(machines)
        traces = reference_run(ctx).traces
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


# -- determinism ---------------------------------------------------------------------------------


def test_files(ctx: RunContext) -> dict[str, tuple[str, ...]]:
    """Language -> files of test code, and Rust files that hold some."""
    tests = set(ctx.workspace.under(ctx.policy.paths.tests))
    languages = ctx.workspace.languages()
    python = tuple(
        p
        for p in languages.get("python", ())
        if p.endswith(".py") and (p in tests or _python_test_name(p))
    )
    elixir = tuple(
        p
        for p in languages.get("elixir", ())
        if p.endswith((".exs", ".ex")) and (p in tests or "/test/" in f"/{p}")
    )
    return {"python": python, "rust": languages.get("rust", ()), "elixir": elixir}


def _python_test_name(path: str) -> bool:
    name = posixpath.basename(path)
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def scan_tests(ctx: RunContext) -> list[Hazard]:
    """Every hazard of the repository's test code."""
    return ctx.memo.get("stage5.hazards", lambda: _scan_tests(ctx))


def _scan_tests(ctx: RunContext) -> list[Hazard]:
    files = test_files(ctx)
    tests = set(ctx.workspace.under(ctx.policy.paths.tests))
    hazards: list[Hazard] = []
    for path in files["python"]:
        hazards.extend(scan_python(path, ctx.workspace.read_text(path), _conftests(ctx, path)))
    rust = files["rust"]
    declared = {m for p in rust for m in rust_test_modules(p, ctx.workspace.read_text(p))}
    for path in rust:
        whole = path in tests or path in declared or "tests" in path.split("/")[:-1]
        hazards.extend(scan_rust(path, ctx.workspace.read_text(path), whole_file=whole))
    for path in files["elixir"]:
        hazards.extend(scan_elixir(path, ctx.workspace.read_text(path)))
    return sorted(set(hazards))


def _conftests(ctx: RunContext, path: str) -> list[str]:
    """Texts of the conftest.py files of ``path``'s directory and its parents."""
    found = []
    directory = posixpath.dirname(path)
    while True:
        candidate = posixpath.join(directory, "conftest.py") if directory else "conftest.py"
        if candidate != path and ctx.workspace.exists(candidate):
            found.append(ctx.workspace.read_text(candidate))
        if not directory:
            return found
        directory = posixpath.dirname(directory)


class DeterminismCheck(SuiteCheck):
    """Shared parts of the two determinism checks: static hazards plus one variant run."""

    kind: Kind

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable with neither test code nor a runner."""
        if not runners(ctx) and not any(test_files(ctx).values()):
            return NotApplicable(NO_RUNNER)
        return None

    @abstractmethod
    def variant_env(self, tmp: str) -> dict[str, str]:
        """The environment that varies the second run."""

    @abstractmethod
    def variant_name(self) -> str:
        """How the second run differs, in a finding."""

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Static hazards of this kind, then tests flaky under the variation."""
        for hazard in scan_tests(ctx):
            if hazard.kind is self.kind:
                yield self.finding(
                    hazard.message,
                    Location(hazard.path, hazard.line, hazard.column),
                    rule_id=f"{self.id}.{hazard.rule}",
                    key=f"{hazard.rule}\x1f{hazard.what}",
                )
        if runners(ctx):
            yield from self._flaky(ctx)

    def _flaky(self, ctx: RunContext) -> Iterator[Finding]:
        reference = reference_run(ctx)
        with tempfile.TemporaryDirectory(prefix="aces-variant-") as tmp:
            variant = variant_run(ctx, self.variant_env(tmp))
        for ref, var in zip(reference.results, variant.results, strict=True):
            for flake in compare_runs(ref.report.outcomes(), var.report.outcomes()):
                yield self._flake(ctx, ref, flake)

    def _flake(self, ctx: RunContext, result: RunnerResult, flake: Flake) -> Finding:
        case = next((c for c in result.report.cases if c.id == flake.test), None)
        where = _test_location(ctx, result, case) if case is not None else None
        return self.finding(
            f"test {flake.test} is flaky (runner {result.spec.name!r}): {flake.reference} in "
            f"the reference run, {flake.variant} {self.variant_name()}",
            where,
            rule_id=f"{self.id}.flaky",
            key=f"{result.spec.name}\x1f{flake.test}",
        )


class SeededRandomness(DeterminismCheck):
    """Randomized tests use fixed seeds, and the outcome does not depend on test order.

    ACES III.5: randomized tests without seeds fail. Static: in test code
    (``[paths] tests``, ``test_*.py`` / ``conftest.py``, Rust ``#[cfg(test)]`` /
    ``#[test]`` items and ``tests/`` directories, Elixir test scripts), calls to
    an unseeded generator: Python's ``random.*`` without ``random.seed(<x>)`` at
    module level, earlier in the test or in a fixture it uses, ``random.Random()``
    without a seed, numpy's global generator; Rust ``thread_rng``, ``rand::random``,
    ``from_entropy``; Elixir ``:rand.uniform`` / ``Enum.random`` without
    ``:rand.seed``; property tests without a fixed seed (hypothesis ``@given``
    without ``@seed`` / ``derandomize``, ``proptest!``, StreamData without
    ``initial_seed``) -- each at file:line (``test.seeded-randomness.unseeded``,
    ``.property-seed``). Dynamic: the suite runs again with another
    ``PYTHONHASHSEED``, pytest's collection order reversed and Rust tests on one
    thread; a test whose outcome changes is ``test.seeded-randomness.flaky``.
    """

    id = "test.seeded-randomness"
    clauses = ("test.seeded-randomness",)
    title = "Randomized tests use fixed seeds"
    remedy = (
        "Seed the generator with a fixed, reported value (random.seed(1234), "
        "StdRng::seed_from_u64(1234), :rand.seed(:exsss, {1, 2, 3})) and make tests "
        "independent of each other's order."
    )
    kind = Kind.RANDOMNESS

    def variant_env(self, tmp: str) -> dict[str, str]:
        """Another hash seed, the reverse-order pytest plugin, one Rust test thread."""
        Path(tmp, f"{REVERSE_ORDER_MODULE}.py").write_text(REVERSE_ORDER_PLUGIN, encoding="utf-8")
        return {
            "PYTHONHASHSEED": ORDER_SEED,
            "PYTHONPATH": tmp,
            "PYTEST_ADDOPTS": f"-p {REVERSE_ORDER_MODULE}",
            "RUST_TEST_THREADS": "1",
        }

    def variant_name(self) -> str:
        """The order variant."""
        return f"with the test order reversed and PYTHONHASHSEED={ORDER_SEED}"


class TimeIndependence(DeterminismCheck):
    """Tests do not depend on the wall clock.

    ACES III.5: time-dependent tests fail. Static: in test code, reads of the
    clock (``time.time``, ``time.monotonic``, ``datetime.now``, ``date.today``;
    ``SystemTime::now``, ``Instant::now``; ``DateTime.utc_now``,
    ``System.system_time``) whose value decides an assertion or a branch are
    ``test.time-independence.wall-clock`` (a timestamp only stamped on data is
    not), and sleeps that wait before an assertion outside a polling loop
    (``time.sleep``, ``asyncio.sleep``, ``thread::sleep``, ``tokio::time::sleep``,
    ``Process.sleep``) are ``test.time-independence.sleep``, each at file:line.
    Dynamic: the suite runs again with the clock shifted by 400 days
    (libfaketime, when installed) and the time zone set to UTC+14; a test whose
    outcome changes is ``test.time-independence.flaky``.
    """

    id = "test.time-independence"
    clauses = ("test.time-independence",)
    title = "Tests do not depend on the wall clock"
    remedy = (
        "Inject the time (a clock parameter or a fake clock) instead of reading it, and wait "
        "on events instead of sleeping."
    )
    kind = Kind.CLOCK

    def variant_env(self, tmp: str) -> dict[str, str]:
        """A shifted clock (libfaketime) and another time zone."""
        del tmp
        env = {"TZ": SHIFTED_TZ}
        library = faketime_library()
        if library is not None:
            env.update({"LD_PRELOAD": library, "FAKETIME": CLOCK_SHIFT})
        return env

    def variant_name(self) -> str:
        """The clock variant."""
        return f"with the clock shifted by {CLOCK_SHIFT} and TZ={SHIFTED_TZ}"


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
