"""Stage 2 checks of the state-machine contract (``sm.*``).

Every ``*.sm.yaml`` file under the policy's ``[paths] state_machines`` is a
machine (format: ``docs/state-machines.md``). The checks are:

- ``sm.no-missing-transitions``: the machine loads (``sm.invalid`` otherwise)
  and its transitions are complete and consistent: known states and events, no
  unreachable state, no dead end, no transition out of a final state, never two
  transitions enabled at once;
- ``sm.no-unhandled-events``: every (state, event) pair is handled, ignored or
  rejected;
- ``sm.invariants``: the model checker proves every invariant in every
  reachable state, finds no deadlock and a final state stays reachable;
- ``sm.transition-coverage``: the tests exercise every transition (traces);
- ``sm.tests-updated``: a changed machine comes with a changed test covering it.

A machine that does not load is reported once, by ``sm.no-missing-transitions``;
the checks that need its model cannot verify it and end in ERROR.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aces.engines.smtrace import (
    CoverageReport,
    ParsedTrace,
    TraceProblem,
    TransitionRef,
    compute_coverage,
    read_trace_dir,
)
from aces.engines.statemachine import (
    Machine,
    MachineError,
    ModelResult,
    Violation,
    load_machine,
    model_check,
    render_trace,
    static_issues,
)
from aces.errors import AcesError, InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.stages.tooling import optional_tool
from aces.trace_emitter import TRACE_DIR_VARIABLE

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "1"
MACHINE_SUFFIXES: tuple[str, ...] = (".sm.yaml", ".sm.yml")
INVALID_RULE = "sm.invalid"
SM_KEYS = ("paths.state_machines",)
NO_MACHINES = "no state machine (*.sm.yaml) under [paths] state_machines"
# Bad trace lines shown in one ERROR message; the rest are counted.
SHOWN_PROBLEMS = 5


# -- reading the machines ------------------------------------------------------------------


@dataclass(frozen=True)
class MachineSet:
    """The machines of the workspace: loaded ones by path, and the load errors by path."""

    loaded: dict[str, Machine]
    errors: dict[str, MachineError]


def machine_files(ctx: RunContext) -> tuple[str, ...]:
    """The ``*.sm.yaml`` files under the policy's state machine directories."""
    under = ctx.workspace.under(ctx.policy.paths.state_machines)
    return tuple(p for p in under if p.endswith(MACHINE_SUFFIXES))


def load_machines(ctx: RunContext) -> MachineSet:
    """Every machine file, loaded once per run and shared by the stage's checks."""
    return ctx.memo.get("stage2.machines", lambda: _load_machines(ctx))


def _load_machines(ctx: RunContext) -> MachineSet:
    """Load every machine file; a file that cannot be read at all is an ``InputError``."""
    loaded: dict[str, Machine] = {}
    errors: dict[str, MachineError] = {}
    for path in machine_files(ctx):
        text = ctx.workspace.read_text(path)
        try:
            loaded[path] = load_machine(path, text)
        except MachineError as exc:
            errors[path] = exc
    return MachineSet(loaded, errors)


def machine_stem(path: str) -> str:
    """The machine name a file implies: ``state_machines/connection.sm.yaml`` -> ``connection``."""
    name = PurePosixPath(path).name
    for suffix in MACHINE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def error_location(path: str, exc: MachineError) -> Location:
    """Where a load error points: the file, at its line and column when known."""
    return Location(path, getattr(exc, "line", None) or 1, getattr(exc, "column", None))


def require_loaded(machines: MachineSet) -> None:
    """Raise ``InputError`` naming the first machine that does not load (cannot verify)."""
    for path, exc in sorted(machines.errors.items()):
        where = error_location(path, exc)
        raise InputError(
            f"{where}: the machine does not load ({exc.message}), so it cannot be checked",
            path=path,
            hint=f"fix the file; sm.no-missing-transitions reports it as {INVALID_RULE}",
        )


class MachineCheck(Check):
    """Shared parts of the ``sm.*`` checks: applicability and the cache key."""

    stage = 2

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the repository has no state machine."""
        return None if machine_files(ctx) else NotApplicable(NO_MACHINES, enable=SM_KEYS)

    def cache_key(self, ctx: RunContext) -> str | None:
        """The machine files' contents and the policy."""
        material = "\x1f".join(
            (
                self.id,
                LOGIC_VERSION,
                ctx.workspace.digest(machine_files(ctx)),
                repr(ctx.policy.state_machines),
                repr(ctx.policy.paths.state_machines),
            )
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def static_findings(
        self, ctx: RunContext, machines: MachineSet, *, explore: bool
    ) -> Iterator[Finding]:
        """The static issues of every loaded machine under this check's clause.

        ``explore``: run the model checker for the issues that need the reachable states
        (non-determinism); exploring stopped by the state limit cannot verify them.
        """
        clause = self.clauses[0]
        limit = ctx.policy.state_machines.state_limit
        for path, machine in sorted(machines.loaded.items()):
            result = explored(ctx, path, machine, limit) if explore else _NOT_EXPLORED
            for issue in static_issues(machine, result=result):
                if issue.clause != clause:
                    continue
                yield self.finding(
                    f"machine {machine.name!r}: {issue.message}",
                    Location(path, issue.line, issue.column),
                    rule_id=issue.rule_id,
                    key=issue.message,
                )


def c_compiler(ctx: RunContext) -> str | None:
    """The C compiler of the fast model-checker backend, checked against ``[toolchain] cc``.

    Optional: without one (and no pin) the Python backend explores, with the same result.
    """
    found = optional_tool(ctx, "cc")
    return str(found) if found is not None else None


# A stand-in result for the rules that need no exploration (no violation to report).
_NOT_EXPLORED = ModelResult(complete=True, distinct_states=0, generated=0, depth=0, violations=())


def explored(ctx: RunContext, path: str, machine: Machine, limit: int) -> ModelResult:
    """The model checker's result, once per machine and run; ``AcesError`` at the limit."""
    result = ctx.memo.get(
        f"stage2.explored\x1f{path}\x1f{limit}",
        lambda: model_check(
            machine,
            state_limit=limit,
            timeout=min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds),
            runner=ctx.processes,
            compiler=c_compiler(ctx),
        ),
    )
    if not result.complete:
        raise AcesError(
            f"model checking of machine {machine.name!r} stopped at the state limit "
            f"({limit} distinct states, depth {result.depth}): the machine is not verified",
            path=path,
            hint="shrink the variables' bounds or raise [state_machines] state_limit",
        )
    return result


# -- static checks -----------------------------------------------------------------------


class NoMissingTransitions(MachineCheck):
    """Every machine loads, and its transitions are complete and consistent.

    ACES III.2: state machines must have no missing transitions. A machine file
    that does not parse, names an unknown state or event, uses an expression the
    language does not allow or an integer variable without bounds is
    ``sm.invalid`` at the offending line and column. On a machine that loads,
    the static analysis flags unreachable states, dead ends (a non-final state
    with no way out) and final states with outgoing transitions, each under its
    own rule id, and two transitions enabled for the same (state, event,
    valuation) as ``sm.nondeterministic`` (found by exploring the reachable
    states). The format is in ``docs/state-machines.md``.
    """

    id = "sm.no-missing-transitions"
    clauses = ("sm.no-missing-transitions",)
    title = "State machines load and have no missing transitions"
    remedy = (
        "Fix the machine file at the reported line: declare the state or event, add the "
        "transition out of the dead end, or remove the unreachable state; see "
        "docs/state-machines.md."
    )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Load errors, then the static issues of this clause."""
        machines = load_machines(ctx)
        for path, exc in sorted(machines.errors.items()):
            yield self.finding(
                f"{path} is not a valid state machine: {exc.message}",
                error_location(path, exc),
                rule_id=INVALID_RULE,
                clauses=(*self.clauses, "principle.contracts"),
                help="Fix the machine file at the reported line; see docs/state-machines.md.",
                key=exc.message,
            )
        yield from self.static_findings(ctx, machines, explore=True)


class NoUnhandledEvents(MachineCheck):
    """Every (state, event) pair is handled, ignored or rejected, and never twice.

    ACES III.2: state machines must have no unhandled events. For each
    non-final state and each event the machine declares a transition, or says
    explicitly that the event is ``ignore``d or ``reject``ed there; a pair with
    neither is a finding (``sm.unhandled-event``, at the state's line).
    """

    id = "sm.no-unhandled-events"
    clauses = ("sm.no-unhandled-events",)
    title = "Every (state, event) pair is handled, ignored or rejected"
    remedy = (
        "Add a transition for the pair, or list the event under the state's 'ignore' or 'reject'."
    )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """The static issues of this clause; a machine that does not load is ERROR."""
        machines = load_machines(ctx)
        require_loaded(machines)
        yield from self.static_findings(ctx, machines, explore=False)


# -- model checking ------------------------------------------------------------------------


class Invariants(MachineCheck):
    """Invariants hold in every reachable state (breadth-first model checking).

    ACES III.2: state machine invariants are model-checked. Every reachable
    combination of state and variables is explored breadth-first from the initial
    one; each invariant is checked in each of them, a reachable state with no
    enabled transition that is not final is a deadlock, and a final state must
    stay reachable; an action may not push an integer out of its bounds. A
    violation is reported at the invariant (or state) with the
    shortest trace leading to it, step by step. A machine whose state space
    exceeds ``[state_machines] state_limit`` cannot be verified: ERROR.
    """

    id = "sm.invariants"
    tools = ("cc",)  # the fast model-checker backend, when a C compiler is installed or pinned
    clauses = ("sm.invariants",)
    title = "State machine invariants hold in every reachable state"
    remedy = (
        "Follow the counterexample from the initial state: tighten the guard or fix the "
        "action that leads to the violating state (or correct the invariant)."
    )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per violation; incomplete exploration is an ``AcesError``."""
        machines = load_machines(ctx)
        require_loaded(machines)
        limit = ctx.policy.state_machines.state_limit
        for path, machine in sorted(machines.loaded.items()):
            for violation in explored(ctx, path, machine, limit).violations:
                if violation.kind != "nondeterministic":  # sm.no-missing-transitions has it
                    yield self._violation(path, machine, violation)

    def _violation(self, path: str, machine: Machine, violation: Violation) -> Finding:
        """A finding for one violation, the counterexample in its help."""
        steps = max(len(violation.trace) - 1, 0)
        return self.finding(
            f"machine {machine.name!r}: {violation.message} "
            f"(shortest counterexample: {steps} steps)",
            Location(path, violation.line, violation.column),
            rule_id=f"{self.id}.{_slug(violation.kind)}",
            help=f"{self.remedy}\nShortest counterexample:\n{render_trace(violation.trace)}",
            key=f"{violation.kind}\x1f{violation.name}",
        )


def _slug(kind: str) -> str:
    """A violation kind as a rule id suffix: ``Invariant`` -> ``invariant``."""
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "violation"


# -- transition coverage -----------------------------------------------------------------


def transition_refs(machines: MachineSet) -> list[TransitionRef]:
    """The declared transitions of every loaded machine, for coverage."""
    refs: list[TransitionRef] = []
    for path, machine in sorted(machines.loaded.items()):
        for t in machine.transitions:
            refs.append(
                TransitionRef(
                    machine.name,
                    path,
                    t.line,
                    t.column,
                    str(t.id),
                    t.source,
                    t.event,
                    t.target,
                )
            )
    return refs


class TransitionCoverage(MachineCheck):
    """Every transition of every machine is exercised by a test (traces).

    ACES III.2 (and III.5's 100% transition coverage): the tests must take every
    transition. ACES runs the policy's ``[state_machines] test_command`` at the
    root with ``ACES_SM_TRACE_DIR`` set to a fresh directory; the code under test
    appends one JSON line per transition taken (``aces.trace_emitter``; format in
    ``docs/sm-coverage.md``). Without a test command, the ``*.jsonl`` files of
    ``[state_machines] trace_dir`` are read. No command and no trace is ERROR:
    coverage cannot be verified. Each uncovered transition is a finding at its
    line; a traced step that the machine does not declare is
    ``sm.transition-coverage.undeclared`` (the code does what the contract does
    not allow). A failing test command or a malformed trace line is ERROR.
    """

    id = "sm.transition-coverage"
    clauses = ("sm.transition-coverage",)
    title = "Tests exercise every state machine transition"
    remedy = (
        "Add a test that drives the machine through this transition, with the code emitting "
        "traces (aces.trace_emitter.emit)."
    )

    def cache_key(self, ctx: RunContext) -> str | None:
        """Never cached: the result depends on running the tests."""
        del ctx
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Uncovered transitions and undeclared steps of the traces."""
        machines = load_machines(ctx)
        require_loaded(machines)
        parsed = collect_traces(ctx)
        if parsed.problems:
            raise InputError(_problems_text(parsed.problems), hint=_FORMAT_HINT)
        report = compute_coverage(transition_refs(machines), parsed.steps)
        yield from self._uncovered(ctx, report)
        paths = {m.name: p for p, m in machines.loaded.items()}
        for problem in report.undeclared:
            where = Location(paths[problem.machine], 1) if problem.machine in paths else None
            yield self.finding(
                f"{problem.file}:{problem.line}: the tests took a step the contract does not "
                f"declare: {problem.message}",
                where,
                rule_id=f"{self.id}.undeclared",
                help="Declare the transition in the machine, or fix the code that took it.",
                key=problem.message,
            )

    def _uncovered(self, ctx: RunContext, report: CoverageReport) -> Iterator[Finding]:
        """One finding per uncovered transition when coverage is under the threshold."""
        threshold = ctx.policy.thresholds.get("transition_coverage_percent", 100.0)
        if report.percent >= threshold:
            return
        for machine in report.machines:
            for ref in machine.uncovered:
                note = ""
                if ref.id in machine.ambiguous:
                    note = (
                        " (traced, but without naming the transition: several transitions "
                        'share this from/event/to, so the trace must carry "transition")'
                    )
                yield self.finding(
                    f"machine {ref.machine!r}: transition {ref.describe()} is not exercised "
                    f"by any test{note} (coverage {report.covered}/{report.total}, "
                    f"{report.percent:.1f}% < {threshold:g}%)",
                    Location(ref.path, ref.line, ref.column),
                    key=f"{ref.machine}\x1f{ref.id}",
                )


_FORMAT_HINT = "each line is a JSON object {machine, from, event, to}; see docs/sm-coverage.md"


def collect_traces(ctx: RunContext) -> ParsedTrace:
    """Run the test command with a fresh trace directory, or read ``trace_dir``."""
    settings = ctx.policy.state_machines
    if settings.test_command:
        return run_tests_for_traces(ctx, settings.test_command)
    directory = ctx.workspace.root / settings.trace_dir
    parsed = read_trace_dir(directory, settings.trace_dir) if directory.is_dir() else None
    if parsed is None or not (parsed.steps or parsed.problems):
        raise AcesError(
            f"no [state_machines] test_command in the policy and no trace in "
            f"{settings.trace_dir}/: transition coverage cannot be verified",
            hint='set test_command (e.g. ["python", "-m", "pytest", "-q"]) in [state_machines]',
        )
    return parsed


def run_tests_for_traces(ctx: RunContext, command: tuple[str, ...]) -> ParsedTrace:
    """Run ``command`` at the root with ``ACES_SM_TRACE_DIR`` set; its traces."""
    timeout = min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)
    with tempfile.TemporaryDirectory(prefix="aces-sm-traces-") as tmp:
        result = ctx.processes.run(
            command, cwd=ctx.workspace.root, timeout=timeout, env={TRACE_DIR_VARIABLE: tmp}
        )
        result.check_ok()
        return read_trace_dir(Path(tmp), f"${TRACE_DIR_VARIABLE}")


def _problems_text(problems: tuple[TraceProblem, ...]) -> str:
    """The first malformed trace lines, one ERROR message."""
    shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    extra = f" (and {more} more)" if more > 0 else ""
    return f"malformed trace line(s): {shown}{extra}"


# -- tests updated -----------------------------------------------------------------------


class TestsUpdated(MachineCheck):
    """A changed state machine comes with a changed test that covers it.

    ACES III.2: a PR that changes a state machine must change its tests. The
    tests of a machine are the files the policy maps to it
    (``[state_machines.tests] <machine> = [globs]``); for a machine not mapped,
    any file under ``[paths] tests`` whose text names the machine. A machine
    file added or modified by the Change with none of its tests changed fails,
    at line 1 of the machine file. With no base (the whole tree is the Change)
    no test can be told apart as updated: not applicable.
    """

    __test__ = False  # not a pytest test class, whatever its name
    id = "sm.tests-updated"
    clauses = ("sm.tests-updated",)
    title = "A changed state machine comes with changed tests"
    remedy = (
        "Change (or add) a test that drives the changed machine, or map the machine to its "
        "tests in [state_machines.tests] of aces.toml."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a base, without machines or with no machine changed."""
        if ctx.change.whole_tree:
            return NotApplicable(
                "no base to compare with: the whole tree is the change, so no test "
                "can be told apart as updated"
            )
        if not machine_files(ctx):
            return NotApplicable(NO_MACHINES, enable=SM_KEYS)
        if not self._changed_machines(ctx):
            return NotApplicable("no state machine changed")
        return None

    def cache_key(self, ctx: RunContext) -> str | None:
        """Depends on the whole Change: not cached."""
        del ctx
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per changed machine without a changed test covering it."""
        changed_tests = self._changed_tests(ctx)
        for path in self._changed_machines(ctx):
            name = _machine_name(ctx, path)
            globs = ctx.policy.state_machines.tests.get(name)
            if globs is not None:
                covering = ctx.workspace.match(globs)
                if set(covering) & set(changed_tests):
                    continue
                how = f"the tests mapped to it ({', '.join(globs)})"
            else:
                if any(_names(ctx, test, name) for test in changed_tests):
                    continue
                dirs = ", ".join(d.rstrip("/") + "/" for d in ctx.policy.paths.tests)
                how = f"a test under {dirs} that names {name!r}"
            yield self.finding(
                f"state machine {name!r} changed but none of {how} changed",
                Location(path, 1),
                key=path,
            )

    def _changed_machines(self, ctx: RunContext) -> tuple[str, ...]:
        """Machine files the Change adds or modifies (a deleted machine needs no test)."""
        files = set(machine_files(ctx))
        return tuple(f.path for f in ctx.change.files if f.status != "D" and f.path in files)

    def _changed_tests(self, ctx: RunContext) -> tuple[str, ...]:
        """Test files the Change adds or modifies."""
        tests = set(ctx.workspace.under(ctx.policy.paths.tests))
        mapped = {
            p
            for globs in ctx.policy.state_machines.tests.values()
            for p in ctx.workspace.match(globs)
        }
        return tuple(
            f.path for f in ctx.change.files if f.status != "D" and f.path in (tests | mapped)
        )


def _machine_name(ctx: RunContext, path: str) -> str:
    """The machine's declared name, or its file's stem when it does not load."""
    try:
        return load_machine(path, ctx.workspace.read_text(path)).name
    except MachineError:
        return machine_stem(path)


def _names(ctx: RunContext, path: str, name: str) -> bool:
    """Whether the text of ``path`` names the machine (as a whole word)."""
    try:
        text = ctx.workspace.read_text(path)
    except InputError:
        return False
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


SM_CHECKS: tuple[Check, ...] = (
    NoMissingTransitions(),
    NoUnhandledEvents(),
    Invariants(),
    TransitionCoverage(),
    TestsUpdated(),
)
