"""``test.coverage-core``: core libraries reach the line-coverage floor (85% by default).

The core is ``[paths] core_libraries``, or, without it, the libraries the
repository ships (``aces.workspace.core_inference``): the check says what it
inferred in its findings and reasons. A coverage gate the repository configures
for itself below the floor (Codecov target, coverage.py ``fail_under``,
``--cov-fail-under``) is a finding too, at its file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aces.engines.coverage import FileCoverage, aggregate, line_ranges
from aces.engines.coverage.repo_gates import RepoGate, is_gate_file, repo_gates
from aces.errors import AcesError, InputError
from aces.model import Finding, Location
from aces.pipeline.check import NotApplicable, PartialResultError
from aces.pipeline.context import RunContext
from aces.stages.tooling import resolver
from aces.stages.unit_checks import NO_RUNNER
from aces.stages.unit_coverage import CoverageCheck, measured, source_files
from aces.stages.unit_suite import runners
from aces.workspace.core_inference import describe, infer_core_libraries
from aces.workspace.roles import is_product

NO_CORE = (
    "no [paths] core_libraries in the policy and no Python package or Rust library crate "
    "to infer them from: set [paths] core_libraries to enable the floor"
)
RUST_COVERAGE_TOOLS = ("cargo-llvm-cov", "grcov")


@dataclass(frozen=True)
class CoreScope:
    """The core library entries the floor applies to, and whether they were inferred."""

    entries: tuple[str, ...]
    inferred: bool
    languages: frozenset[str] = frozenset()

    @property
    def note(self) -> str:
        """What was inferred, for messages ("" when the policy names the core)."""
        return describe(self.entries) if self.inferred else ""


def core_scope(ctx: RunContext) -> CoreScope:
    """The policy's core libraries, or those inferred from the repository."""
    declared = ctx.policy.paths.core_libraries
    if declared:
        return CoreScope(declared, inferred=False)
    found = infer_core_libraries(ctx.workspace.files)
    return CoreScope(
        tuple(lib.glob for lib in found), True, frozenset(lib.language for lib in found)
    )


def floor_of(ctx: RunContext) -> float:
    """The doctrine's floor as the policy sets it."""
    return ctx.policy.thresholds.get("core_coverage_percent", 85.0)


def loose_gates(ctx: RunContext) -> tuple[RepoGate, ...]:
    """The repository's own coverage gates below the floor."""
    floor = floor_of(ctx)
    found: list[RepoGate] = []
    for path in ctx.workspace.files:
        if not is_gate_file(path) or not is_product(path):
            continue  # a gate in test data or docs configures nothing
        try:
            text = ctx.workspace.read_text(path)
        except InputError:
            continue  # absent from the work tree or not text: no gate there
        found.extend(g for g in repo_gates(path, text) if g.percent < floor)
    return tuple(found)


class CoreCoverage(CoverageCheck):
    """Core libraries reach the line-coverage floor (85% by default).

    ACES III.5: >= 85% line coverage for core libraries. Each core entry (``[paths]
    core_libraries``, or inferred: the product's top-level Python packages, Rust
    library crates' ``src/``) is measured as a whole against ``[thresholds]
    core_coverage_percent``; below it, each file of the entry with uncovered lines
    is a finding at its first uncovered line. A source file of the entry no report
    measures is ``test.coverage-core.unmeasured``; a coverage gate the repository
    sets itself below the floor is ``test.coverage-core.loose-gate`` at its line.
    Rust coverage is not measured by default: an inferred Rust-only core is not
    applicable until a runner declares an LCOV report (cargo llvm-cov).
    """

    id = "test.coverage-core"
    clauses = ("test.coverage-core",)
    title = "Core libraries reach the line-coverage floor"
    remedy = "Add tests that run the uncovered lines (or remove dead code)."

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Applicable with a loose gate, or a core a runner measures."""
        if loose_gates(ctx):
            return None
        return self._coverage_skip(ctx, core_scope(ctx))

    def _coverage_skip(self, ctx: RunContext, scope: CoreScope) -> NotApplicable | None:
        if not scope.entries:
            return NotApplicable(NO_CORE, enable=("paths.core_libraries",))
        if not runners(ctx):
            return NotApplicable(
                f"{NO_RUNNER}: declare [[tests.runners]] to enable the floor",
                enable=("tests.runners",),
            )
        if scope.inferred and not ctx.policy.tests.runners and "python" not in scope.languages:
            return NotApplicable(f"{scope.note}; {self._rust_hint(ctx)}")
        return None

    @staticmethod
    def _rust_hint(ctx: RunContext) -> str:
        tools = [t for t in RUST_COVERAGE_TOOLS if resolver(ctx).which(t) is not None]
        have = f"{tools[0]} is installed" if tools else "cargo-llvm-cov is not installed"
        return (
            f"Rust coverage is not measured by default ({have}): set coverage and "
            'coverage_format = "lcov" on a [[tests.runners]] entry (cargo llvm-cov --lcov) '
            "to enable the floor"
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Loose gates; then per entry: unmeasured files, and uncovered lines under the floor."""
        gates = tuple(self._gate(g, floor_of(ctx)) for g in loose_gates(ctx))
        scope = core_scope(ctx)
        try:
            found = () if self._coverage_skip(ctx, scope) else tuple(self._measure(ctx, scope))
        except AcesError as exc:
            if scope.inferred:  # the cause stays; the hint says what the floor was for
                exc.hint = f"{exc.hint}; {scope.note}" if exc.hint else scope.note
            if gates:
                raise PartialResultError(exc, gates) from exc
            raise exc from None
        yield from gates
        yield from found

    def _measure(self, ctx: RunContext, scope: CoreScope) -> Iterator[Finding]:
        data = measured(ctx)
        floor = floor_of(ctx)
        for entry in scope.entries:
            files = source_files(ctx, entry, data)
            if scope.inferred:  # tests and generated code inside a package are not core
                files = tuple(p for p in files if is_product(p))
                if not files:  # a language no runner measures (Rust by default)
                    continue
            elif not files:
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
                        yield self._short(entry, cov, total.percent, floor, scope.note)

    def _short(
        self, entry: str, cov: FileCoverage, percent: float, floor: float, note: str
    ) -> Finding:
        suffix = f" ({note})" if note else ""
        return self.finding(
            f"core library {entry} has {percent:.1f}% line coverage, under {floor:g}%; "
            f"{cov.path} covers {cov.covered_lines}/{cov.lines} lines ({cov.percent:.1f}%), "
            f"uncovered: {line_ranges(cov.uncovered_lines)}{suffix}",
            Location(cov.path, cov.uncovered_lines[0]),
            key=f"{entry}\x1f{cov.path}",
        )

    def _gate(self, gate: RepoGate, floor: float) -> Finding:
        return self.finding(
            f"the repository's own coverage gate ({gate.form} {gate.percent:g}%) is looser "
            f"than the doctrine's {floor:g}% floor for core libraries",
            Location(gate.path, gate.line),
            rule_id=f"{self.id}.loose-gate",
            key=f"{gate.path}\x1f{gate.line}\x1f{gate.form}",
        )
