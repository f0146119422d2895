"""Small pieces shared by the reporters: stage slugs, wording, finding lines, timings.

Every reporter words statuses and verdicts the same way, so they live here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aces.model import CheckResult, Finding, RunReport, StageResult, Status, Verdict

NO_LOCATION = "(no location)"
# Where a finding without a place is reported when the run used the doctrine defaults.
DEFAULT_POLICY_FILE = "aces.toml"

VERDICT_MEANING: dict[Verdict, str] = {
    Verdict.PASS: "doctrine satisfied",
    Verdict.FAIL: "doctrine violated",
    Verdict.ERROR: "could not verify",
}


@dataclass(frozen=True)
class LocatedFinding:
    """A finding with the stage and check that produced it (report order)."""

    stage: StageResult
    check: CheckResult
    finding: Finding


def stage_slug(stage: StageResult) -> str:
    """``s01-spec`` style identifier, the same as ``StageDef.slug``."""
    return f"s{stage.number:02d}-{stage.name}"


def plural(count: int, noun: str) -> str:
    """``1 finding``, ``2 findings``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def roles_line(report: RunReport) -> str | None:
    """``roles: 1,104 fixture, 40 test (the rest product)``: the files the run classified as
    other than product (``change.roles``), or None when it classified none."""
    roles = report.change.roles if report.change is not None else ()
    if not roles:
        return None
    counts = ", ".join(f"{count:,} {role}" for role, count in roles)
    return f"roles: {counts} (the rest product)"


def nested_line(report: RunReport) -> str | None:
    """``nested projects left to their own aces.toml: examples/x``, or None when none."""
    nested = report.change.nested_projects if report.change is not None else ()
    if not nested:
        return None
    return "nested projects left to their own aces.toml: " + ", ".join(nested)


def verdict_line(verdict: Verdict) -> str:
    """``FAIL: doctrine violated (exit 1)``."""
    return f"{verdict.value}: {VERDICT_MEANING[verdict]} (exit {verdict.exit_code})"


def location_text(finding: Finding) -> str:
    """``path:line:col`` as far as known, or a marker when the finding has no place."""
    return str(finding.location) if finding.location is not None else NO_LOCATION


def clauses_text(clauses: tuple[str, ...]) -> str:
    """``[spec.required, spec.location]``."""
    return "[" + ", ".join(clauses) + "]"


def finding_line(finding: Finding) -> str:
    """``path:line:col rule_id [clauses] message`` on one line."""
    message = one_line(finding.message)
    return f"{location_text(finding)} {finding.rule_id} {clauses_text(finding.clauses)} {message}"


def one_line(text: str) -> str:
    """The text with line breaks folded to spaces, for one-line formats."""
    return " ".join(text.split())


def iter_findings(report: RunReport) -> Iterator[LocatedFinding]:
    """Every finding of the report with its stage and check, in report order."""
    for stage in report.stages:
        for check in stage.checks:
            for finding in check.findings:
                yield LocatedFinding(stage, check, finding)


def unverified_stages(report: RunReport) -> tuple[StageResult, ...]:
    """Stages with no check result that did not pass: blocked, not run or errored."""
    return tuple(s for s in report.stages if not s.checks and s.status is not Status.PASS)


def stage_reason(stage: StageResult) -> str:
    """The stage's reason, else the checks that failed or errored, else why none applied."""
    if stage.reason:
        return one_line(stage.reason)
    failing = [c.check_id for c in stage.checks if c.status in (Status.FAIL, Status.ERROR)]
    if failing:
        return "checks: " + ", ".join(failing)
    if stage.status is Status.NOT_APPLICABLE:
        return "; ".join(sorted({one_line(c.reason) for c in stage.checks if c.reason}))
    return ""


def timing_seconds(report: RunReport, section: str, key: str) -> float | None:
    """A duration from ``report.timing[section][key]``, when it is a non-negative number."""
    block = report.timing.get(section)
    if not isinstance(block, dict):
        return None
    return _seconds(block.get(key))


def total_seconds(report: RunReport) -> float | None:
    """``report.timing["total_seconds"]`` when it is a non-negative number."""
    return _seconds(report.timing.get("total_seconds"))


def _seconds(value: Any) -> float | None:
    # bool is an int subclass: a stray True must not become one second.
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


def policy_file(report: RunReport) -> str:
    """The repository file a finding without a place is reported on (formats that need one)."""
    source = report.policy_source
    looks_like_path = (
        source
        and not source.startswith(("/", "<"))
        and "://" not in source
        and not any(ch.isspace() for ch in source)
    )
    return source if looks_like_path else DEFAULT_POLICY_FILE
