"""Stage 3 checks that run each language's own linters (``lint.*``)."""

from __future__ import annotations

from aces.pipeline.check import Check

TOOL_CHECKS: tuple[Check, ...] = ()
