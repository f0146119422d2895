"""The 12 stages of ACES 1.0.0, in their fixed order."""

from __future__ import annotations

from aces.pipeline.registry import StageDef
from aces.stages import (
    s01_spec,
    s02_schema,
    s03_static,
    s04_build,
    s05_unit,
    s06_integration,
    s07_security,
    s08_performance,
    s09_chaos,
    s10_observability,
    s11_compatibility,
    s12_deploy,
)

STAGES: tuple[StageDef, ...] = (
    s01_spec.STAGE,
    s02_schema.STAGE,
    s03_static.STAGE,
    s04_build.STAGE,
    s05_unit.STAGE,
    s06_integration.STAGE,
    s07_security.STAGE,
    s08_performance.STAGE,
    s09_chaos.STAGE,
    s10_observability.STAGE,
    s11_compatibility.STAGE,
    s12_deploy.STAGE,
)
