"""Stage 7 checks: secret scanning (``sec.secrets``)."""

from __future__ import annotations

from aces.pipeline.check import Check

SECRET_CHECKS: tuple[Check, ...] = ()
