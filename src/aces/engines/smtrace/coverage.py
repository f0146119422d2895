"""Transition coverage: which declared transitions the steps of a trace exercise.

A step covers a transition of its machine when ``from``, ``event`` and ``to``
match. When several transitions share them (guards or parameters tell them
apart), the step must name the transition (``"transition": <id>``); a step that
does not is ambiguous and covers none of them, because ACES cannot know which
one ran. A step that matches no declared transition, or names a machine that is
not declared, is reported: the implementation did something its contract does
not allow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from aces.engines.smtrace.traces import TraceProblem, TraceStep


@dataclass(frozen=True, order=True)
class TransitionRef:
    """What coverage needs to know of one declared transition."""

    machine: str
    path: str
    line: int
    column: int
    id: str
    source: str
    event: str
    target: str

    @property
    def triple(self) -> tuple[str, str, str]:
        """``(from, event, to)``."""
        return (self.source, self.event, self.target)

    def describe(self) -> str:
        """``connecting --accept--> open``."""
        return f"{self.source} --{self.event}--> {self.target}"


@dataclass(frozen=True)
class MachineCoverage:
    """The covered and uncovered transitions of one machine."""

    machine: str
    path: str
    covered: tuple[TransitionRef, ...]
    uncovered: tuple[TransitionRef, ...]
    ambiguous: frozenset[str]  # ids of uncovered transitions hit only by ambiguous steps

    @property
    def total(self) -> int:
        """How many transitions the machine declares."""
        return len(self.covered) + len(self.uncovered)

    @property
    def percent(self) -> float:
        """Covered share in percent; a machine without transitions is fully covered."""
        return 100.0 if not self.total else 100.0 * len(self.covered) / self.total


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of every machine, and the steps that match no declared transition."""

    machines: tuple[MachineCoverage, ...]
    undeclared: tuple[TraceProblem, ...]

    @property
    def total(self) -> int:
        """Transitions declared by all machines."""
        return sum(m.total for m in self.machines)

    @property
    def covered(self) -> int:
        """Transitions covered, over all machines."""
        return sum(len(m.covered) for m in self.machines)

    @property
    def percent(self) -> float:
        """Covered share of all transitions in percent (100 when there are none)."""
        return 100.0 if not self.total else 100.0 * self.covered / self.total


def compute_coverage(
    transitions: Iterable[TransitionRef], steps: Iterable[TraceStep]
) -> CoverageReport:
    """Match ``steps`` against the declared ``transitions`` of every machine."""
    by_machine: dict[str, list[TransitionRef]] = defaultdict(list)
    for ref in transitions:
        by_machine[ref.machine].append(ref)
    hit: set[tuple[str, str]] = set()  # (machine, transition id)
    ambiguous: set[tuple[str, str]] = set()
    undeclared: list[TraceProblem] = []
    for step in steps:
        refs = by_machine.get(step.machine)
        if refs is None:
            undeclared.append(_problem(step, f"machine {step.machine!r} is not declared"))
            continue
        outcome = _match(step, refs)
        if isinstance(outcome, TraceProblem):
            undeclared.append(outcome)
        elif len(outcome) == 1:
            hit.add((step.machine, outcome[0].id))
        else:
            ambiguous.update((step.machine, ref.id) for ref in outcome)
    machines = tuple(
        _machine_coverage(name, sorted(refs), hit, ambiguous)
        for name, refs in sorted(by_machine.items())
    )
    return CoverageReport(machines, tuple(sorted(set(undeclared))))


def _match(step: TraceStep, refs: list[TransitionRef]) -> list[TransitionRef] | TraceProblem:
    """The transitions ``step`` may be: one when it is clear, several when ambiguous."""
    triple = (step.source, step.event, step.target)
    same = [ref for ref in refs if ref.triple == triple]
    if step.transition:
        named = [ref for ref in same if ref.id == step.transition]
        if named:
            return named[:1]
        return _problem(
            step,
            f"machine {step.machine!r} has no transition {step.transition!r} "
            f"{step.source} --{step.event}--> {step.target}",
        )
    if not same:
        return _problem(
            step,
            f"machine {step.machine!r} declares no transition "
            f"{step.source} --{step.event}--> {step.target}",
        )
    return same


def _problem(step: TraceStep, message: str) -> TraceProblem:
    return TraceProblem(step.file, step.line, message, step.machine)


def _machine_coverage(
    name: str,
    refs: list[TransitionRef],
    hit: set[tuple[str, str]],
    ambiguous: set[tuple[str, str]],
) -> MachineCoverage:
    covered = tuple(ref for ref in refs if (name, ref.id) in hit)
    uncovered = tuple(ref for ref in refs if (name, ref.id) not in hit)
    vague = frozenset(ref.id for ref in uncovered if (name, ref.id) in ambiguous)
    return MachineCoverage(name, refs[0].path if refs else "", covered, uncovered, vague)
