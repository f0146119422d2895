"""State-machine traces: the JSONL format test runs write, and transition coverage.

Pure: parsing takes text, coverage takes plain transition descriptions
(``TransitionRef``) and trace steps; nothing here knows the machine format,
the pipeline or the CLI. ``read_trace_dir`` is the one function that reads files.
"""

from __future__ import annotations

from aces.engines.smtrace.coverage import (
    CoverageReport,
    MachineCoverage,
    TransitionRef,
    compute_coverage,
)
from aces.engines.smtrace.traces import (
    MAX_TRACE_BYTES,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    ParsedTrace,
    TraceProblem,
    TraceStep,
    parse_line,
    parse_trace,
    read_trace_dir,
)

__all__ = [
    "MAX_TRACE_BYTES",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "CoverageReport",
    "MachineCoverage",
    "ParsedTrace",
    "TraceProblem",
    "TraceStep",
    "TransitionRef",
    "compute_coverage",
    "parse_line",
    "parse_trace",
    "read_trace_dir",
]
