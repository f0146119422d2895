"""GitLab Code Quality report (``codequality.json``), what the merge-request widget shows.

The format is the subset of the Code Climate issue format GitLab documents: a JSON
array of issues, each with ``description``, ``check_name``, ``fingerprint``,
``severity`` (``info`` / ``minor`` / ``major`` / ``critical`` / ``blocker``) and
``location.path`` with ``location.lines.begin``.

Every finding is an issue, its rule id as ``check_name``. A finding without a line
starts at line 1 of its file; one without a place is reported on the policy file
of the run, as in SARIF. A check that could not verify (ERROR), and a stage that
ended ERROR without any check, is a ``blocker`` issue of its own, so the widget
never looks clean for a run that proved nothing.
GitLab keeps one issue per fingerprint, so the line-free finding fingerprint is
numbered by occurrence: repeated findings of one rule in one file stay distinct
and keep their identity when lines above them move.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from aces.model import Finding, RuleInfo, RunReport, Severity, Status
from aces.report.common import iter_findings, one_line, policy_file, stage_slug
from aces.report.outbound import clean_data, clean_text, escape_path
from aces.report.sarif_rules import is_security_rule

CHECK_ERROR_NAME = "aces.check-error"
SECURITY_CATEGORY = "Security"

_SEVERITY: dict[Severity, str] = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.NOTE: "info",
}
# A blocking security finding ranks above other blocking findings in the widget.
_SECURITY_ERROR = "critical"


def render_codequality(report: RunReport) -> str:
    """The report as a GitLab Code Quality JSON array (sorted keys, 2-space indent, newline).

    Secrets are masked in every text (``aces.report.outbound``); paths are shown
    as every report shows them (``escape_path``).
    """
    fallback = policy_file(report)
    seen: Counter[str] = Counter()
    issues: list[dict[str, Any]] = []
    for item in iter_findings(report):
        finding = item.finding
        seen[finding.fingerprint] += 1
        issue = _finding_issue(finding, fallback, seen[finding.fingerprint])
        issue["description"] = f"{issue['description']} ({stage_slug(item.stage)})"
        issues.append(issue)
    for stage in report.stages:
        slug = stage_slug(stage)
        issues.extend(
            _error_issue(check.check_id, check.reason, slug, fallback)
            for check in stage.checks
            if check.status is Status.ERROR
        )
        if not stage.checks and stage.status is Status.ERROR:
            issues.append(_error_issue(slug, stage.reason, slug, fallback))
    text = json.dumps(clean_data(issues), sort_keys=True, indent=2, ensure_ascii=False)
    return clean_text(text) + "\n"


def code_quality_severity(finding: Finding) -> str:
    """GitLab's severity of a finding: security rules that block are ``critical``."""
    if finding.severity is Severity.ERROR and _is_security(finding):
        return _SECURITY_ERROR
    return _SEVERITY[finding.severity]


def _is_security(finding: Finding) -> bool:
    return is_security_rule(RuleInfo(finding.rule_id, "", finding.clauses))


def _finding_issue(finding: Finding, fallback: str, occurrence: int) -> dict[str, Any]:
    location = finding.location
    path = location.path if location is not None else fallback
    begin = location.line if location is not None and location.line else 1
    lines: dict[str, int] = {"begin": max(begin, 1)}
    end = location.end_line if location is not None else None
    if end is not None and end > lines["begin"]:
        lines["end"] = end
    issue: dict[str, Any] = {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": one_line(finding.message) or finding.rule_id,
        "fingerprint": _numbered(finding.fingerprint, occurrence),
        "severity": code_quality_severity(finding),
        "location": {"path": escape_path(path.removeprefix("./")), "lines": lines},
    }
    if finding.help.strip():
        issue["content"] = {"body": finding.help}
    if _is_security(finding):
        issue["categories"] = [SECURITY_CATEGORY]
    return issue


def _error_issue(what: str, reason: str, slug: str, fallback: str) -> dict[str, Any]:
    """A check, or a stage without checks, that could not verify."""
    reason = one_line(reason) or "it ended in error"
    return {
        "type": "issue",
        "check_name": CHECK_ERROR_NAME,
        "description": f"could not verify {what}: {reason} ({slug})",
        "fingerprint": _numbered(f"{CHECK_ERROR_NAME}\x1f{what}", 1),
        "severity": "blocker",
        "location": {"path": escape_path(fallback), "lines": {"begin": 1}},
    }


def _numbered(identity: str, occurrence: int) -> str:
    """A fingerprint unique within the report: the identity and its occurrence number."""
    material = f"{identity}\x1f{occurrence}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(material).hexdigest()
