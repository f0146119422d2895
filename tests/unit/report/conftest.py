"""Hand-built RunReports for the reporter tests.

``failing_report`` has every status a report can carry: a passing stage, a
failing stage whose findings have a full region, a line only, a path only and
no location at all, a stage whose check errored next to a not-applicable one,
a not-applicable stage, a not-implemented stage (ERROR without checks), blocked
stages and a stage that was not selected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aces.model import (
    ChangeSummary,
    CheckResult,
    Finding,
    Location,
    RuleInfo,
    RunReport,
    Severity,
    StageResult,
    Status,
    compute_verdict,
)

STAGE_NAMES: tuple[tuple[str, str], ...] = (
    ("spec", "Specification Validation"),
    ("schema", "Schema & State Machine Validation"),
    ("static", "Static Analysis & Code Quality"),
    ("build", "Build & Artifact Consistency"),
    ("unit", "Unit Test Verification"),
    ("integration", "Integration & Topology Tests"),
    ("security", "Security Verification"),
    ("performance", "Performance Budget Enforcement"),
    ("chaos", "Chaos & Adversarial Testing"),
    ("observability", "Observability Verification"),
    ("compatibility", "Backward Compatibility & API Stability Tests"),
    ("deploy", "Deployment Simulation (Canary + Rollback)"),
)

RENAME = Finding(
    rule_id="schema.no-field-rename",
    clauses=("schema.no-field-rename", "principle.contracts"),
    message="field 2 of Envelope was renamed from tenant to tenant_id",
    location=Location("proto/envelope.proto", 12, 3, 12, 20),
    help="Keep the name of a field number; add a new field instead.",
    key="Envelope.2",
)
RESERVED = Finding(
    rule_id="schema.reserved-tags",
    clauses=("schema.reserved-tags",),
    message="removed field 7 of Envelope is not reserved",
    location=Location("proto/envelope.proto", 30),
    help='Add `reserved 7;` and `reserved "room";` to Envelope.',
)
WHOLE_FILE = Finding(
    rule_id="schema.reserved-tags",
    clauses=("schema.reserved-tags",),
    message="enum Kind lost value 3 without reserving it",
    location=Location("proto/kind.proto"),
    severity=Severity.WARNING,
)
NOWHERE = Finding(
    rule_id="sm.tests-updated",
    clauses=("sm.tests-updated",),
    message="state machine session changed without a changed test",
    help="Change or add a test under tests/ that exercises the changed transitions.",
)

RULES = (
    RuleInfo(
        "schema.no-field-rename",
        "A field number keeps its name",
        ("schema.no-field-rename",),
        help="Keep the name of a field number; add a new field instead.",
        description="Renaming a protobuf field breaks JSON and text-format clients.",
    ),
    RuleInfo("schema.reserved-tags", "Removed numbers are reserved", ("schema.reserved-tags",)),
    RuleInfo("spec.sections", "The spec has every required section", ("spec.sections",)),
    RuleInfo("lint.python", "ruff check and ruff format pass", ("lint.python",)),
)

TIMING: dict[str, Any] = {
    "started_at": "2026-11-27T10:00:00Z",
    "total_seconds": 12.5,
    "stages": {"s01-spec": 0.25, "s02-schema": 1.5},
    "checks": {"spec.sections": 0.125, "schema.no-field-rename": 0.75},
}


def stage(
    number: int, status: Status, checks: tuple[CheckResult, ...] = (), reason: str = ""
) -> StageResult:
    """A stage result with the real name and title of stage ``number``."""
    name, title = STAGE_NAMES[number - 1]
    return StageResult(number, name, title, status, checks, reason)


def check(
    check_id: str,
    number: int,
    status: Status,
    findings: tuple[Finding, ...] = (),
    reason: str = "",
) -> CheckResult:
    """A check result whose clauses are its id (as most ACES checks are named)."""
    return CheckResult(check_id, number, (check_id,), status, findings, reason)


def build_report(stages: tuple[StageResult, ...], **overrides: Any) -> RunReport:
    """A RunReport over ``stages`` with the verdict computed as the pipeline does."""
    fields: dict[str, Any] = {
        "aces_version": "0.1.0",
        "doctrine_version": "aces-1.0.0",
        "policy_source": "aces.toml",
        "policy_version": "3",
        "stages": stages,
        "verdict": compute_verdict(stages, partial_allowed=False),
        "change": ChangeSummary(
            base="origin/main",
            head="HEAD",
            whole_tree=False,
            changed_files=("proto/envelope.proto",),
            classes=(("proto", ("proto/envelope.proto",)),),
        ),
        "notes": ("base resolved to origin/main",),
        "rules": RULES,
        "timing": dict(TIMING),
    }
    fields.update(overrides)
    return RunReport(**fields)


def failing_stages() -> tuple[StageResult, ...]:
    """Every status at least once; stage 2 fails, so the verdict is FAIL."""
    s2_checks = (
        check("schema.no-field-rename", 2, Status.FAIL, (RENAME,)),
        check("schema.reserved-tags", 2, Status.FAIL, (RESERVED, WHOLE_FILE)),
        check("sm.tests-updated", 2, Status.FAIL, (NOWHERE,)),
        check("sm.invariants", 2, Status.PASS),
    )
    s3_checks = (
        check("lint.python", 3, Status.ERROR, reason="ruff 0.17.6 required, found none"),
        check("lint.rust", 3, Status.NOT_APPLICABLE, reason="no Cargo.toml"),
    )
    return (
        stage(1, Status.PASS, (check("spec.sections", 1, Status.PASS),)),
        stage(2, Status.FAIL, s2_checks),
        stage(3, Status.ERROR, s3_checks),
        stage(
            4,
            Status.NOT_APPLICABLE,
            (check("build.repro", 4, Status.NOT_APPLICABLE, reason="nothing to build"),),
        ),
        stage(5, Status.ERROR, reason="not implemented: stage 5 has no check"),
        *(stage(n, Status.BLOCKED, reason="blocked by stage 2") for n in range(6, 12)),
        stage(12, Status.NOT_RUN, reason="not selected"),
    )


def passing_stages() -> tuple[StageResult, ...]:
    """Twelve passing (or not applicable) stages: verdict PASS."""
    return tuple(
        stage(n, Status.PASS, (check(f"{STAGE_NAMES[n - 1][0]}.ok", n, Status.PASS),))
        if n != 4
        else stage(
            4,
            Status.NOT_APPLICABLE,
            (check("build.ok", 4, Status.NOT_APPLICABLE, reason="no build"),),
        )
        for n in range(1, 13)
    )


def error_stages() -> tuple[StageResult, ...]:
    """Stage 3 cannot verify: verdict ERROR."""
    stages = list(passing_stages())
    stages[2] = stage(
        3,
        Status.ERROR,
        (
            check(
                "lint.python",
                3,
                Status.ERROR,
                reason="ruff crashed: exit 101\n\x1b[31mpanic\x1b[0m",
            ),
        ),
    )
    for n in range(4, 13):
        stages[n - 1] = stage(n, Status.BLOCKED, reason="blocked by stage 3")
    return tuple(stages)


@pytest.fixture
def failing_report() -> RunReport:
    """Verdict FAIL, with every status and every kind of location."""
    return build_report(failing_stages())


@pytest.fixture
def passing_report() -> RunReport:
    """Verdict PASS."""
    return build_report(passing_stages())


@pytest.fixture
def error_report() -> RunReport:
    """Verdict ERROR: a check could not run, later stages blocked."""
    return build_report(error_stages())


@pytest.fixture
def make_report() -> Callable[..., RunReport]:
    """``build_report`` for tests that need their own stages or fields."""
    return build_report


@pytest.fixture
def make_stage() -> Callable[..., StageResult]:
    """``stage`` for tests that need their own stages."""
    return stage


@pytest.fixture
def make_check() -> Callable[..., CheckResult]:
    """``check`` for tests that need their own checks."""
    return check
