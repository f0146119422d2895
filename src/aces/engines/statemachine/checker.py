"""The model checker: breadth-first search over packed states, with two backends.

Both backends produce a ``RawResult`` (counts and violations as paths of packed states); this
module turns it into a ``ModelResult`` with readable traces, so the backends cannot disagree on
anything but speed. BFS order makes every reported trace a shortest one: the first state found
violating a property is at minimal depth, and parent pointers lead back to the initial state.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aces.engines.statemachine.compiler import Program
from aces.engines.statemachine.model import (
    Machine,
    MachineError,
    ModelResult,
    Step,
    Violation,
    ViolationKind,
)

if TYPE_CHECKING:
    from aces.tools.process import ProcessRunner

Backend = Literal["auto", "python", "c"]
KIND_ORDER: dict[str, int] = {
    "invariant": 0,
    "bound": 1,
    "deadlock": 2,
    "nondeterministic": 3,
    "final-unreachable": 4,
}


@dataclass(frozen=True)
class RawViolation:
    """A violation before decoding: ``key`` is the invariant, group or instance index."""

    kind: ViolationKind
    key: int
    path: tuple[int, ...]
    slot: int = -1
    value: int = 0


@dataclass(frozen=True)
class RawResult:
    """What a backend explored."""

    complete: bool
    distinct: int
    generated: int
    depth: int
    violations: tuple[RawViolation, ...]
    memory_bytes: int = 0


def model_check(
    machine: Machine,
    *,
    state_limit: int = 1_000_000,
    backend: Backend = "auto",
    timeout: float = 3600.0,
    runner: ProcessRunner | None = None,
    compiler: str | None = None,
) -> ModelResult:
    """Explore every reachable (state, variables) of ``machine`` up to ``state_limit`` states.

    ``backend``: "python" (reference), "c" (generated C, needs ``compiler``), or "auto" (C when
    the caller gives a ``compiler``, the path of a C compiler it found and checked, and the
    state fits in 64 bits, else Python). ``timeout`` bounds the
    compiled run, which goes through ``runner`` when given; a compiler or run failure is a
    ``ToolError``.
    """
    program = _program(machine)
    from aces.engines.statemachine import cbackend

    use_c = backend == "c" or (
        backend == "auto" and cbackend.usable(program, state_limit, compiler)
    )
    if use_c:
        raw = cbackend.explore(machine, program, state_limit, timeout, runner, compiler)
        name = "c"
    else:
        raw = explore_python(program, state_limit)
        name = "python"
    return to_result(machine, program, raw, name)


def _program(machine: Machine) -> Program:
    if machine.program is None:
        raise MachineError(
            "machine was not compiled",
            path=machine.path,
            line=machine.line,
            column=machine.column,
            hint="load it with load_machine",
        )
    return machine.program


def explore_python(program: Program, limit: int) -> RawResult:
    """The reference backend: BFS with a Python set of ints and a parent array."""
    search = _PythonSearch(program, limit)
    search.run()
    return search.result()


class _PythonSearch:
    """One BFS run; the first (shallowest) state per property is kept."""

    def __init__(self, program: Program, limit: int) -> None:
        self.program = program
        self.limit = limit
        self.index: dict[int, int] = {program.initial: 0}
        self.states: list[int] = [program.initial]
        self.parent = array("q", [-1])
        self.generated = 1
        self.depth = 1
        self.complete = True
        self.first: dict[tuple[str, int], tuple[int, int, int]] = {}
        self.edges: tuple[array[int], array[int]] | None = (
            (array("I"), array("I")) if program.final_codes else None
        )

    def run(self) -> None:
        """Expand states in BFS order until done or over the limit."""
        level_end = 1
        position = 0
        while position < len(self.states):
            if position == level_end:
                self.depth += 1
                level_end = len(self.states)
            if not self._expand(position):
                self.complete = False
                return
            position += 1

    def _expand(self, position: int) -> bool:
        program = self.program
        packed = self.states[position]
        code = packed & program.layout.state_mask
        bound: list[tuple[int, int, int]] = []
        out = program.expand[code](packed, bound)
        self.generated += len(out)
        self._check_state(position, packed, code, out, bound)
        for _instance, successor in out:
            target = self.index.get(successor)
            if target is None:
                if len(self.states) >= self.limit:
                    return False
                target = len(self.states)
                self.index[successor] = target
                self.states.append(successor)
                self.parent.append(position)
            if self.edges is not None:
                self.edges[0].append(position)
                self.edges[1].append(target)
        return True

    def _check_state(
        self,
        position: int,
        packed: int,
        code: int,
        out: list[tuple[int, int]],
        bound: list[tuple[int, int, int]],
    ) -> None:
        program = self.program
        if program.invariant_count:
            bad = program.invariants(packed)
            for number in range(program.invariant_count):
                if bad >> number & 1:
                    self._note("invariant", number, position)
        for instance, slot, value in bound:
            self._note("bound", slot, position, instance, value)
        if not out and not bound and code not in program.final_codes:
            self._note("deadlock", 0, position)
        if code in program.nondet_states:
            enabled = [program.instances[i].group for i, _ in out]
            enabled += [program.instances[i].group for i, _s, _v in bound]
            for group in sorted({g for g in enabled if enabled.count(g) > 1}):
                self._note("nondeterministic", group, position)

    def _note(self, kind: str, key: int, position: int, extra: int = -1, value: int = 0) -> None:
        self.first.setdefault((kind, key), (position, extra, value))

    def _path(self, position: int) -> tuple[int, ...]:
        path = []
        while position >= 0:
            path.append(self.states[position])
            position = self.parent[position]
        return tuple(reversed(path))

    def _cannot_finish(self) -> int | None:
        """The first state (BFS order) from which no final state is reachable."""
        if self.edges is None:
            return None
        sources, targets = self.edges
        incoming: list[list[int]] = [[] for _ in self.states]
        for source, target in zip(sources, targets, strict=True):
            incoming[target].append(source)
        mask = self.program.layout.state_mask
        finals = self.program.final_codes
        done = [(packed & mask) in finals for packed in self.states]
        stack = [i for i, flag in enumerate(done) if flag]
        while stack:
            for source in incoming[stack.pop()]:
                if not done[source]:
                    done[source] = True
                    stack.append(source)
        return next((i for i, flag in enumerate(done) if not flag), None)

    def result(self) -> RawResult:
        """The counts and the violations found."""
        violations = []
        for (kind, key), (position, extra, value) in self.first.items():
            if kind == "bound":
                violations.append(RawViolation("bound", extra, self._path(position), key, value))
            else:
                violations.append(RawViolation(kind, key, self._path(position)))  # type: ignore[arg-type]
        stuck = self._cannot_finish() if self.complete else None
        if stuck is not None:
            violations.append(RawViolation("final-unreachable", 0, self._path(stuck)))
        return RawResult(
            self.complete, len(self.states), self.generated, self.depth, tuple(violations)
        )


def to_result(machine: Machine, program: Program, raw: RawResult, backend: str) -> ModelResult:
    """Decode a backend's result: messages, locations and step-by-step traces."""
    violations = sorted(
        (_violation(machine, program, item) for item in raw.violations),
        key=lambda v: (KIND_ORDER[v.kind], v.line, v.column, v.name, len(v.trace)),
    )
    return ModelResult(
        complete=raw.complete,
        distinct_states=raw.distinct,
        generated=raw.generated,
        depth=raw.depth,
        violations=tuple(violations),
        backend=backend,
        memory_bytes=raw.memory_bytes,
    )


def trace_of(machine: Machine, program: Program, path: tuple[int, ...]) -> tuple[Step, ...]:
    """Steps along ``path``; each event is the first instance (in file order) making the step."""
    steps: list[Step] = []
    previous: int | None = None
    for number, packed in enumerate(path):
        event: str | None = None
        param: str | None = None
        if previous is not None:
            event, param = _step_event(machine, program, previous, packed)
        state, values = program.decode(machine, packed)
        steps.append(Step(number, event, param, state, values))
        previous = packed
    return tuple(steps)


def _step_event(
    machine: Machine, program: Program, before: int, after: int
) -> tuple[str, str | None]:
    out = program.expand[before & program.layout.state_mask](before, [])
    for instance, successor in out:
        if successor == after:
            return _event_of(machine, program, instance)
    raise AssertionError("a trace step that no transition makes")  # a checker bug, not input


def _event_of(machine: Machine, program: Program, instance: int) -> tuple[str, str | None]:
    inst = program.instances[instance]
    transition = machine.transitions[inst.transition]
    if transition.param is None:
        return transition.event, None
    elements = next(s.elements for s in machine.sets if s.name == transition.param)
    return transition.event, elements[inst.element]


def _violation(machine: Machine, program: Program, raw: RawViolation) -> Violation:
    trace = trace_of(machine, program, raw.path)
    last = trace[-1]
    if raw.kind == "invariant":
        inv = machine.invariants[raw.key]
        message = f"invariant '{inv.name}' is violated after {len(trace) - 1} step(s)"
        return Violation("invariant", inv.name, message, inv.line, inv.column, trace)
    if raw.kind == "bound":
        return _bound(machine, program, raw, trace)
    line = machine.state_lines[last.state]
    column = machine.state_columns.get(last.state, 1)
    if raw.kind == "deadlock":
        message = f"deadlock: no transition is enabled in non-final state '{last.state}'"
        return Violation("deadlock", last.state, message, line, column, trace)
    if raw.kind == "final-unreachable":
        message = f"no final state can be reached from this '{last.state}' state"
        return Violation("final-unreachable", last.state, message, line, column, trace)
    return _nondeterministic(machine, program, raw, trace)


def _bound(
    machine: Machine, program: Program, raw: RawViolation, trace: tuple[Step, ...]
) -> Violation:
    slot = program.layout.ordered[raw.slot]
    var = next(v for v in machine.variables if v.name == slot.var)
    name = var.name
    if var.index is not None:
        elements = next(s.elements for s in machine.sets if s.name == var.index)
        name = f"{var.name}[{elements[slot.element]}]"
    event, param = _event_of(machine, program, raw.key)
    transition = machine.transitions[program.instances[raw.key].transition]
    label = f"{event}[{param}]" if param else event
    message = (
        f"'{label}' sets {name} to {raw.value}, outside [{var.minimum}, {var.maximum}], "
        f"after {len(trace) - 1} step(s)"
    )
    return Violation("bound", var.name, message, transition.line, transition.column, trace)


def _nondeterministic(
    machine: Machine, program: Program, raw: RawViolation, trace: tuple[Step, ...]
) -> Violation:
    packed = raw.path[-1]
    out = program.expand[packed & program.layout.state_mask](packed, [])
    bound: list[tuple[int, int, int]] = []
    program.expand[packed & program.layout.state_mask](packed, bound)
    enabled = sorted(
        {i for i, _ in out} | {i for i, _s, _v in bound},
    )
    enabled = [i for i in enabled if program.instances[i].group == raw.key]
    transitions = [machine.transitions[program.instances[i].transition] for i in enabled]
    event, param = program.groups[raw.key]
    label = (
        event if param < 0 else f"{event}[{_element_name(machine, transitions[0].param, param)}]"
    )
    message = (
        f"event '{label}' enables {len(transitions)} transitions in state "
        f"'{trace[-1].state}': " + "; ".join(t.id for t in transitions)
    )
    second = transitions[1]
    return Violation("nondeterministic", event, message, second.line, second.column, trace)


def _element_name(machine: Machine, set_name: str | None, element: int) -> str:
    elements = next(s.elements for s in machine.sets if s.name == set_name)
    return elements[element]
