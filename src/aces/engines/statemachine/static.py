"""Static rules over a machine's graph, plus non-determinism found by the model checker.

Rules (clause in brackets):
``sm.unknown-state``, ``sm.unknown-event``, ``sm.unreachable-state``, ``sm.dead-end``,
``sm.final-has-exit``, ``sm.nondeterministic`` [sm.no-missing-transitions];
``sm.unhandled-event`` [sm.no-unhandled-events].
"""

from __future__ import annotations

from aces.engines.statemachine.checker import model_check
from aces.engines.statemachine.model import Issue, Machine, ModelResult, Step

MISSING = "sm.no-missing-transitions"
UNHANDLED = "sm.no-unhandled-events"


def static_issues(
    machine: Machine, *, result: ModelResult | None = None, state_limit: int = 1_000_000
) -> list[Issue]:
    """Every static issue of ``machine``, sorted by position.

    Non-determinism needs the reachable valuations: pass the ``ModelResult`` of a run already
    made, or the model checker is run here with ``state_limit``.
    """
    issues = [
        *_unknown(machine),
        *_unreachable(machine),
        *_dead_ends(machine),
        *_final_exits(machine),
        *_unhandled(machine),
    ]
    if result is None:
        result = model_check(machine, state_limit=state_limit)
    issues.extend(_nondeterministic(result))
    return sorted(issues, key=lambda i: (i.line, i.column, i.rule_id, i.message))


def _unknown(machine: Machine) -> list[Issue]:
    known = {"state": set(machine.states), "event": set(machine.events)}
    return [
        Issue(f"sm.unknown-{kind}", MISSING, f"unknown {kind} '{name}'", line, column)
        for kind, name, line, column in machine.references
        if name not in known[kind]
    ]


def _edges(machine: Machine) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {state: set() for state in machine.states}
    for transition in machine.transitions:
        if transition.source in edges and transition.target in edges:
            edges[transition.source].add(transition.target)
    return edges


def _unreachable(machine: Machine) -> list[Issue]:
    edges = _edges(machine)
    seen = {machine.initial}
    stack = [machine.initial]
    while stack:
        for target in sorted(edges[stack.pop()]):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return [
        _at_state(
            machine,
            "sm.unreachable-state",
            MISSING,
            state,
            f"state '{state}' cannot be reached from the initial state '{machine.initial}'",
        )
        for state in machine.states
        if state not in seen
    ]


def _at_state(machine: Machine, rule: str, clause: str, state: str, message: str) -> Issue:
    return Issue(
        rule, clause, message, machine.state_lines[state], machine.state_columns.get(state, 1)
    )


def _dead_ends(machine: Machine) -> list[Issue]:
    sources = {t.source for t in machine.transitions}
    return [
        _at_state(
            machine,
            "sm.dead-end",
            MISSING,
            state,
            f"state '{state}' is not final and has no transition out",
        )
        for state in machine.states
        if state not in machine.finals and state not in sources
    ]


def _final_exits(machine: Machine) -> list[Issue]:
    finals = set(machine.finals)
    return [
        Issue(
            "sm.final-has-exit",
            MISSING,
            f"final state '{t.source}' has an outgoing transition: {t.id}",
            t.line,
            t.column,
        )
        for t in machine.transitions
        if t.source in finals
    ]


def _unhandled(machine: Machine) -> list[Issue]:
    handled = {(t.source, t.event) for t in machine.transitions} | set(machine.handled)
    return [
        _at_state(
            machine,
            "sm.unhandled-event",
            UNHANDLED,
            state,
            f"state '{state}' does not handle event '{event}' "
            "(add a transition, or list it under 'ignore' or 'reject')",
        )
        for state in machine.states
        for event in machine.events
        if (state, event) not in handled
    ]


def _nondeterministic(result: ModelResult) -> list[Issue]:
    return [
        Issue(
            "sm.nondeterministic",
            MISSING,
            f"{v.message}, e.g. with {valuation(v.trace[-1])}",
            v.line,
            v.column,
        )
        for v in result.violations
        if v.kind == "nondeterministic"
    ]


def valuation(step: Step) -> str:
    """``x=1, a[e1]=true`` for the variables of one step (``no variables`` when none)."""
    parts: list[str] = []
    for name, value in step.variables.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for element, item in items:
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            parts.append(f"{name}[{element}]={text}" if element is not None else f"{name}={text}")
    return ", ".join(parts) if parts else "no variables"
