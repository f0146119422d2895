"""The 12 stages of ACES 1.0.0, in their fixed order.

Only names and titles live here; each stage's checks are imported from its
module (``aces.stages.sNN_name``) the first time they are needed.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef

STAGES: tuple[StageDef, ...] = (
    StageDef(1, "spec", "Specification Validation", module="aces.stages.s01_spec"),
    StageDef(2, "schema", "Schema & State Machine Validation", module="aces.stages.s02_schema"),
    StageDef(3, "static", "Static Analysis & Code Quality", module="aces.stages.s03_static"),
    StageDef(4, "build", "Build & Artifact Consistency", module="aces.stages.s04_build"),
    StageDef(5, "unit", "Unit Test Verification", module="aces.stages.s05_unit"),
    StageDef(
        6, "integration", "Integration & Topology Tests", module="aces.stages.s06_integration"
    ),
    StageDef(7, "security", "Security Verification", module="aces.stages.s07_security"),
    StageDef(
        8, "performance", "Performance Budget Enforcement", module="aces.stages.s08_performance"
    ),
    StageDef(9, "chaos", "Chaos & Adversarial Testing", module="aces.stages.s09_chaos"),
    StageDef(
        10, "observability", "Observability Verification", module="aces.stages.s10_observability"
    ),
    StageDef(
        11,
        "compatibility",
        "Backward Compatibility & API Stability Tests",
        module="aces.stages.s11_compatibility",
    ),
    StageDef(
        12, "deploy", "Deployment Simulation (Canary + Rollback)", module="aces.stages.s12_deploy"
    ),
)
