"""Stage 7 checks: SBOM, signatures, immutable tags and locked toolchains (``infra.*``)."""

from __future__ import annotations

from aces.pipeline.check import Check

SUPPLY_CHECKS: tuple[Check, ...] = ()
