"""Emit state-machine transition traces for ACES (``sm.transition-coverage``).

A service calls ``emit(machine, source, event, target)`` each time one of its
state machines takes a transition. When the environment variable
``ACES_SM_TRACE_DIR`` names a directory, one JSON line is appended to a file of
that directory; when it is unset or empty, ``emit`` does nothing, so production
code pays one dictionary lookup per transition.

The format (one object per line, UTF-8, documented in docs/state-machines.md)::

    {"machine": "connection", "from": "connecting", "event": "accept", "to": "open"}

with an optional ``"transition"`` naming the transition's id when several
transitions of a machine share the same from / event / to.

This file uses the standard library only and imports nothing from ACES: copy it
into a service as it is (for example as ``yourpkg/sm_trace.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TRACE_DIR_VARIABLE = "ACES_SM_TRACE_DIR"


def trace_file(directory: str) -> Path:
    """The file this process appends to: one per process, so writers never interleave."""
    return Path(directory) / f"trace-{os.getpid()}.jsonl"


def emit(machine: str, source: str, event: str, target: str, transition: str = "") -> None:
    """Record one transition of ``machine`` when ``ACES_SM_TRACE_DIR`` is set."""
    directory = os.environ.get(TRACE_DIR_VARIABLE, "")
    if not directory:
        return
    record = {"machine": machine, "from": source, "event": event, "to": target}
    if transition:
        record["transition"] = transition
    line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
    Path(directory).mkdir(parents=True, exist_ok=True)
    # O_APPEND: each line lands whole at the end even if the process forks.
    fd = os.open(trace_file(directory), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
