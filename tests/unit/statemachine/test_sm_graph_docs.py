"""Graphs are deterministic; the documented example machine is clean."""

from __future__ import annotations

import re
from pathlib import Path

from aces.engines.statemachine import load_machine, model_check, static_issues, to_dot, to_mermaid

DOC = Path(__file__).resolve().parents[3] / "docs" / "state-machines.md"

MACHINE = """\
name: door
states: [shut, ajar]
initial: shut
final: [ajar]
events: [push]
sets:
  P: [p1]
variables:
  n: {type: int, min: 0, max: 1}
transitions:
  - {from: shut, on: push, for: P as p, to: ajar, guard: "n == 0", do: "n = 1"}
"""


def test_mermaid() -> None:
    assert to_mermaid(load_machine("d.sm.yaml", MACHINE)) == (
        "stateDiagram-v2\n    [*] --> shut\n    shut --> ajar : push[P] ?\n    ajar --> [*]\n"
    )


def test_dot() -> None:
    assert to_dot(load_machine("d.sm.yaml", MACHINE)) == (
        'digraph "door" {\n'
        "    rankdir=LR;\n"
        '    __start [shape=point, label=""];\n'
        '    "shut" [shape=circle];\n'
        '    "ajar" [shape=doublecircle];\n'
        '    __start -> "shut";\n'
        '    "shut" -> "ajar" [label="push[P] [n == 0] / n = 1"];\n'
        "}\n"
    )


def test_documented_example_is_clean() -> None:
    match = re.search(r"## A first machine\n\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert match is not None
    machine = load_machine("conn.sm.yaml", match.group(1))
    result = model_check(machine)
    assert (result.complete, result.distinct_states, result.violations) == (True, 10, ())
    assert static_issues(machine, result=result) == []
