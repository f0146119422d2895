"""Stage 7 checks: TLS, Wasm policy, permission matrix, crypto misuse and unsafe exposure."""

from __future__ import annotations

from aces.pipeline.check import Check

RULE_CHECKS: tuple[Check, ...] = ()
