"""Pictures of a machine for a pull request: Mermaid ``stateDiagram-v2`` and Graphviz DOT."""

from __future__ import annotations

from aces.engines.statemachine.model import Machine, Transition


def _label(transition: Transition) -> str:
    return f"{transition.event}[{transition.param}]" if transition.param else transition.event


def to_mermaid(machine: Machine) -> str:
    """A Mermaid state diagram: one edge per transition, in file order; guarded edges get ``?``."""
    lines = ["stateDiagram-v2", f"    [*] --> {machine.initial}"]
    for t in machine.transitions:
        mark = " ?" if t.guard else ""
        lines.append(f"    {t.source} --> {t.target} : {_label(t)}{mark}")
    lines.extend(f"    {final} --> [*]" for final in machine.finals)
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(machine: Machine) -> str:
    """A DOT digraph: finals as double circles, edges labelled ``event [guard] / action``."""
    lines = [
        f"digraph {_quote(machine.name)} {{",
        "    rankdir=LR;",
        '    __start [shape=point, label=""];',
    ]
    for state in machine.states:
        shape = "doublecircle" if state in machine.finals else "circle"
        lines.append(f"    {_quote(state)} [shape={shape}];")
    lines.append(f"    __start -> {_quote(machine.initial)};")
    for t in machine.transitions:
        label = _label(t)
        if t.guard:
            label += f" [{t.guard}]"
        if t.action:
            label += f" / {t.action}"
        lines.append(f"    {_quote(t.source)} -> {_quote(t.target)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
