"""Findings grouped by rule, in the order the summaries show them.

A run on a real repository can hold thousands of findings of a few lint rules
next to a handful of build or security findings. Shown in stage order, the
lint findings crowd the rest out; shown as one group per (check, rule), most
severe and earliest stage first, every rule gets its place and a summary can
cap each group without losing any rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from aces.model import CheckResult, Finding, RunReport, Severity, StageResult

SEVERITY_RANK: dict[Severity, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


@dataclass(frozen=True)
class RuleGroup:
    """The findings of one rule of one check, most severe first (report order otherwise)."""

    stage: StageResult
    check: CheckResult
    check_index: int
    rule_id: str
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> Severity:
        """The most severe severity of the group's findings."""
        return min((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__)

    @property
    def blocking(self) -> bool:
        """True when the check these findings belong to stops a merge."""
        return self.check.status.blocks

    def sort_key(self) -> tuple[bool, int, int, int, str]:
        """Blocking first, then by severity, stage, check order and rule id."""
        rank = SEVERITY_RANK[self.severity]
        return (not self.blocking, rank, self.stage.number, self.check_index, self.rule_id)


def rule_groups(report: RunReport) -> list[RuleGroup]:
    """One group per (check, rule) of the report, in display order."""
    groups = []
    for stage in report.stages:
        for index, check in enumerate(stage.checks):
            by_rule: dict[str, list[Finding]] = {}
            for finding in check.findings:
                by_rule.setdefault(finding.rule_id, []).append(finding)
            for rule_id, findings in by_rule.items():
                # sorted() is stable: findings of one severity keep the report order.
                ordered = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
                groups.append(RuleGroup(stage, check, index, rule_id, tuple(ordered)))
    return sorted(groups, key=RuleGroup.sort_key)
