"""Stage 2 checks of the state-machine contract (``sm.*``)."""

from __future__ import annotations

from aces.pipeline.check import Check

SM_CHECKS: tuple[Check, ...] = ()
