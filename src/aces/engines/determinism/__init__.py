"""Determinism of tests: static scans for unseeded randomness and clock use, and flake diffing.

A library with no knowledge of stages. ``scan_python``, ``scan_rust`` and
``scan_elixir`` return ``Hazard`` values at file:line:column in test code;
``compare_runs`` finds the tests whose outcome changes between two runs.
"""

from __future__ import annotations

from aces.engines.determinism.dynamic import (
    REVERSE_ORDER_MODULE,
    REVERSE_ORDER_PLUGIN,
    Flake,
    compare_runs,
)
from aces.engines.determinism.model import Hazard, Kind
from aces.engines.determinism.python_scan import scan_python
from aces.engines.determinism.text_scan import (
    blank_elixir,
    blank_rust,
    rust_test_modules,
    rust_test_regions,
    scan_elixir,
    scan_rust,
)

__all__ = [
    "REVERSE_ORDER_MODULE",
    "REVERSE_ORDER_PLUGIN",
    "Flake",
    "Hazard",
    "Kind",
    "blank_elixir",
    "blank_rust",
    "compare_runs",
    "rust_test_modules",
    "rust_test_regions",
    "scan_elixir",
    "scan_python",
    "scan_rust",
]
