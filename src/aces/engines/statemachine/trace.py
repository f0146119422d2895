"""Rendering a counterexample trace as a plain-text table, one row per step."""

from __future__ import annotations

from collections.abc import Sequence

from aces.engines.statemachine.model import Step, Value


def render_trace(trace: Sequence[Step]) -> str:
    """A table: step, event, state, then one column per variable element (``a[x]`` for arrays).

    Columns are left-aligned and separated by two spaces; the output ends with a newline.
    """
    if not trace:
        return ""
    header = ["step", "event", "state", *_columns(trace[0])]
    rows = [header] + [_row(step) for step in trace]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def _columns(step: Step) -> list[str]:
    names: list[str] = []
    for name, value in step.variables.items():
        if isinstance(value, dict):
            names.extend(f"{name}[{element}]" for element in value)
        else:
            names.append(name)
    return names


def _row(step: Step) -> list[str]:
    if step.event is None:
        event = "(initial)"
    else:
        event = f"{step.event}[{step.param}]" if step.param is not None else step.event
    cells = [str(step.index), event, step.state]
    for value in step.variables.values():
        if isinstance(value, dict):
            cells.extend(_text(item) for item in value.values())
        else:
            cells.append(_text(value))
    return cells


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
