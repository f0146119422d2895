"""Loading ``.sm.yaml``: schema, expression parse and type errors name file:line:column."""

from __future__ import annotations

import pytest

from aces.engines.statemachine import MachineError, load_machine
from aces.errors import InputError

HEAD = """\
name: door
sets:
  P: [p1, p2]
states: [closed, open]
initial: closed
events: [push, pull]
variables:
  n: {type: int, min: 0, max: 3}
  locked: {type: bool}
  mode: {type: enum, values: [auto, manual]}
  seen: {type: bool, index: P}
"""


def _error(text: str) -> str:
    with pytest.raises(MachineError) as caught:
        load_machine("m.sm.yaml", text)
    return caught.value.diagnostics()


def _with_guard(guard: str) -> str:
    return HEAD + f'transitions:\n  - {{from: closed, on: push, to: open, guard: "{guard}"}}\n'


GUARD_COLUMN = len('  - {from: closed, on: push, to: open, guard: "') + 1


@pytest.mark.parametrize(
    ("guard", "offset", "message"),
    [
        ("n + locked > 1", 4, "expected int, got bool"),
        ("mode == open", 8, "'open' is not a value of enum (auto, manual)"),
        ("nosuch and locked", 0, "unknown name 'nosuch'"),
        ("seen", 0, "array 'seen' needs an index, e.g. seen[p]"),
        ("n", 0, "expected bool, got int"),
        ("locked < 2", 0, "'<' needs ints, got bool"),
        ("n * 2 > 1", 0, "operator 'Mult' is not allowed (only + and -)"),
        ("__import__('os')", 0, "the only calls allowed are all/any/count(p in SET: expr)"),
        ("n.real", 0, "'Attribute' is not allowed"),
        ("seen[p3]", 5, "the index of 'seen' must be a parameter over P or one of its elements"),
        ("all(q in Q: locked)", 9, "unknown set 'Q'"),
        ("locked )", 7, "syntax error in expression"),
        ("lambda: 1", 0, "'Lambda' is not allowed"),
    ],
)
def test_expression_errors_have_exact_positions(guard: str, offset: int, message: str) -> None:
    diagnostics = _error(_with_guard(guard))
    assert diagnostics.startswith(f"m.sm.yaml:13:{GUARD_COLUMN + offset}: {message}")


@pytest.mark.parametrize(
    "guard",
    [
        "n + 1 <= 3 and not locked",
        "mode == manual or mode != auto",
        "all(p in P: seen[p]) and any(p in P: not seen[p])",
        "count(p in P: seen[p]) == 2",
        "all(not seen[p] for p in P)",
        "seen[p1] == seen[p2]",
        "mode in (auto, manual) and n not in (0, 3)",
        "0 < n < 3",
        "state == closed",
        "true",
    ],
)
def test_valid_guards_load(guard: str) -> None:
    machine = load_machine("m.sm.yaml", _with_guard(guard))
    assert machine.transitions[0].guard == guard


def test_plain_guard_columns_have_no_quote_shift() -> None:
    text = (
        HEAD + "transitions:\n  - from: closed\n    on: push\n    to: open\n    guard: locked + 1\n"
    )
    assert _error(text).startswith("m.sm.yaml:16:12: expected int, got bool")


def test_block_scalar_positions_follow_the_lines() -> None:
    text = HEAD + (
        "transitions:\n  - from: closed\n    on: push\n    to: open\n    guard: |\n"
        "      (locked and\n        bogus)\n"
    )
    assert _error(text).startswith("m.sm.yaml:18:9: unknown name 'bogus'")


@pytest.mark.parametrize(
    ("action", "offset", "message"),
    [
        ("n = locked", 4, "expected int, got bool"),
        ("locked == true", 0, "an action is a list of assignments"),
        ("state = open", 0, "'state' cannot be assigned"),
        ("n = 1; n = 2", 7, "'n' is assigned twice"),
        ("seen = true", 0, "array 'seen' needs an index"),
        ("mode = closed", 7, "'closed' is not a value of enum (auto, manual)"),
    ],
)
def test_action_errors(action: str, offset: int, message: str) -> None:
    text = HEAD + f'transitions:\n  - {{from: closed, on: push, to: open, do: "{action}"}}\n'
    column = len('  - {from: closed, on: push, to: open, do: "') + 1 + offset
    assert _error(text).startswith(f"m.sm.yaml:13:{column}: {message}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [\n", "m.sm.yaml:2:1: YAML syntax error"),
        ("", "m.sm.yaml:1:1: the file is empty"),
        ("name: x\nstates: [a]\ninitial: a\n", "m.sm.yaml:1:1: missing required key 'events'"),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\ncolour: red\n",
            "m.sm.yaml:5:1: unknown key 'colour'",
        ),
        (
            "name: x\nstates: [a]\ninitial: b\nevents: [e]\n",
            "m.sm.yaml:3:10: initial state 'b' is not in 'states'",
        ),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\nvariables:\n  n: {type: int, min: 0}\n",
            "m.sm.yaml:6:6: int variable 'n' needs 'max'",
        ),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\nvariables:\n  n: {type: float}\n",
            "m.sm.yaml:6:13: type 'float' is not bool, enum or int",
        ),
        (
            "name: x\nstates: [a, a]\ninitial: a\nevents: [e]\n",
            "m.sm.yaml:2:13: state 'a' is declared twice",
        ),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\nvariables:\n  a: {type: bool}\n",
            "m.sm.yaml:6:3: variable 'a' has the name of a state, enum value or set element",
        ),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\n"
            "variables:\n  n: {type: int, min: 0, max: 2, init: 5}\n",
            "m.sm.yaml:6:40: initial value 5 of 'n' is outside [0, 2]",
        ),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\n"
            "transitions:\n  - {from: a, on: e, to: a, for: S as s}\n",
            "m.sm.yaml:6:34: unknown set 'S' in 'for'",
        ),
        (
            "name: x\nstates: [a]\ninitial: a\nevents: [e]\nignore: {a: [e]}\nreject: {a: [e]}\n",
            "m.sm.yaml:6:14: event 'e' in state 'a' is both ignored and rejected",
        ),
    ],
)
def test_schema_errors(text: str, expected: str) -> None:
    assert _error(text).startswith(expected)


def test_machine_error_is_an_input_error_with_position() -> None:
    with pytest.raises(InputError) as caught:
        load_machine("m.sm.yaml", _with_guard("nosuch"))
    error = caught.value
    assert isinstance(error, MachineError)
    assert (error.path, error.line, error.column) == ("m.sm.yaml", 13, GUARD_COLUMN)


def test_loaded_machine_fields() -> None:
    text = HEAD + (
        "final: [open]\n"
        "transitions:\n"
        "  - {from: closed, on: push, to: open, for: P as p, guard: 'not seen[p]',"
        " do: 'seen[p] = true; n = n + 1'}\n"
        "  - {from: [closed, open], on: pull, to: closed}\n"
        "ignore:\n  open: ['*']\n"
        "invariants:\n  small: n <= 2\n"
    )
    machine = load_machine("m.sm.yaml", text)
    assert machine.states == ("closed", "open")
    assert machine.state_lines == {"closed": 4, "open": 4}
    assert machine.finals == ("open",)
    assert [t.id for t in machine.transitions] == [
        "closed --push--> open[P]",
        "closed --pull--> closed",
        "open --pull--> closed",
    ]
    first = machine.transitions[0]
    assert (first.param, first.binder, first.line, first.column) == ("P", "p", 14, 5)
    assert first.action == "seen[p] = true; n = n + 1"
    assert machine.handled == {("open", "push"): "ignore"}
    assert [(i.name, i.expr, i.line, i.column) for i in machine.invariants] == [
        ("small", "n <= 2", 19, 3)
    ]
    sizes = load_machine(
        "m.sm.yaml", "name: x\nsets:\n  N: {size: 2}\nstates: [a]\ninitial: a\nevents: [e]\n"
    )
    assert sizes.sets[0].elements == ("n1", "n2")
