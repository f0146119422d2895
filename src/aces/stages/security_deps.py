"""Stage 7 checks: the offline dependency audit (``sec.dependency-audit``)."""

from __future__ import annotations

from aces.pipeline.check import Check

DEPENDENCY_CHECKS: tuple[Check, ...] = ()
