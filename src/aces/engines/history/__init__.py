"""Histories of operations against a live bus, and the checkers that judge them.

A workload (``aces.runtime.workloads``) records what every client did and saw as
Jepsen-style operations (invoke / ok / fail / info); the checkers are pure
functions of the recorded history, so they are tested on JSONL files. Pure: no
workspace, pipeline or CLI imports. The format is documented in
``docs/stage6-topology.md``.
"""

from __future__ import annotations

from aces.engines.history.checkers import (
    BackpressurePolicy,
    Semantics,
    check_backpressure,
    check_divergence,
    check_isolation,
    check_multi_node,
    check_ordering,
    tenant_pattern,
    uncovered_replica_pairs,
)
from aces.engines.history.index import Index, build_index
from aces.engines.history.jsonl import HistoryError, parse_history, read_history, write_history
from aces.engines.history.model import History, Op, Violation

__all__ = [
    "BackpressurePolicy",
    "History",
    "HistoryError",
    "Index",
    "Op",
    "Semantics",
    "Violation",
    "build_index",
    "check_backpressure",
    "check_divergence",
    "check_isolation",
    "check_multi_node",
    "check_ordering",
    "parse_history",
    "read_history",
    "tenant_pattern",
    "uncovered_replica_pairs",
    "write_history",
]
