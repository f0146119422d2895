"""Stage 3 native checks: forbidden patterns, suppressions, layers and complexity."""

from __future__ import annotations

from aces.pipeline.check import Check

PATTERN_CHECKS: tuple[Check, ...] = ()
