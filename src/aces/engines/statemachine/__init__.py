"""State-machine contracts: the ``.sm.yaml`` format, its expression language, static rules
and an explicit-state model checker (Python reference backend, generated-C fast backend).

Pure: a path and text in, plain results out; no workspace, pipeline or CLI imports. The
format is documented in ``docs/state-machines.md``.
"""

from __future__ import annotations

from aces.engines.statemachine.checker import Backend, model_check
from aces.engines.statemachine.graph import to_dot, to_mermaid
from aces.engines.statemachine.loader import load_machine
from aces.engines.statemachine.model import (
    Invariant,
    Issue,
    Machine,
    MachineError,
    ModelResult,
    SetDecl,
    Step,
    Transition,
    Value,
    Variable,
    Violation,
)
from aces.engines.statemachine.static import static_issues, valuation
from aces.engines.statemachine.trace import render_trace

__all__ = [
    "Backend",
    "Invariant",
    "Issue",
    "Machine",
    "MachineError",
    "ModelResult",
    "SetDecl",
    "Step",
    "Transition",
    "Value",
    "Variable",
    "Violation",
    "load_machine",
    "model_check",
    "render_trace",
    "static_issues",
    "to_dot",
    "to_mermaid",
    "valuation",
]
