"""The Wasm safety policy: imports, memory budget, ABI and deterministic sample runs.

``verify_module`` checks one ``.wat`` / ``.wasm`` module with wasmtime and
returns ``WasmIssue``s; ``Sample`` is one input with the i32 it must produce.
No knowledge of stages or the CLI.
"""

from __future__ import annotations

from aces.engines.wasmpolicy.binary import MemoryLimits, defined_memories, is_wasm_binary
from aces.engines.wasmpolicy.verify import Sample, WasmIssue, signature_of, verify_module

__all__ = [
    "MemoryLimits",
    "Sample",
    "WasmIssue",
    "defined_memories",
    "is_wasm_binary",
    "signature_of",
    "verify_module",
]
