"""Markdown: the PR comment and the CI step summary.

A verdict headline that says what the exit code means, a table of every stage
(status, findings, reason), what could not be verified, every check that
failed, then the findings grouped by rule (``aces.report.markdown_findings``):
blocking and most severe first, then by stage, at most ``per_rule`` per rule.
GitHub refuses comments over 65,536 characters (counted in UTF-16 code units),
so the findings fill only the room left under ``max_chars``; every blocking
rule keeps its heading and count, and a last line says how many findings were
left out and where they are.
"""

from __future__ import annotations

from aces.model import RunReport, Status, Verdict
from aces.report.common import VERDICT_MEANING, plural, roles_line, stage_reason, stage_slug
from aces.report.grouping import rule_groups
from aces.report.markdown_findings import render_findings
from aces.report.markdown_text import cell, clip, inline, size
from aces.report.outbound import clean_report, clean_text

GITHUB_COMMENT_LIMIT = 65_536
# Room under the hard limit for the closing lines and for a consumer's own wrapper text.
DEFAULT_MAX_CHARS = GITHUB_COMMENT_LIMIT - 2_536
# Findings shown per rule before "and N more": one lint rule must not fill the comment.
FINDINGS_PER_RULE = 10
_RESERVE = 400

STATUS_EMOJI: dict[Status, str] = {
    Status.PASS: "✅",
    Status.FAIL: "❌",
    Status.ERROR: "💥",
    Status.NOT_APPLICABLE: "➖",
    Status.BLOCKED: "⛔",
    Status.NOT_RUN: "⏸️",
}

VERDICT_EMOJI: dict[Verdict, str] = {Verdict.PASS: "✅", Verdict.FAIL: "❌", Verdict.ERROR: "💥"}

_VERDICT_EXPLANATION: dict[Verdict, str] = {
    Verdict.PASS: "Every stage that ran satisfies the doctrine.",
    Verdict.FAIL: (
        "The change violates the doctrine; merging is blocked until the findings are fixed."
    ),
    Verdict.ERROR: (
        "Something could not be verified (an error, a blocked or missing stage); "
        "ACES fails closed, so merging is blocked."
    ),
}


def render_markdown(
    report: RunReport,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    per_rule: int = FINDINGS_PER_RULE,
) -> str:
    """The report as Markdown no longer than ``max_chars`` UTF-16 code units.

    Every stage, every check that failed or errored and every blocking rule is
    shown whatever the count; findings fill the room left, at most ``per_rule``
    per rule. Secrets are masked and paths escaped (``aces.report.outbound``).
    """
    report = clean_report(report)
    head = [
        *_headline(report),
        *_stage_table(report),
        *_unverified(report),
        *_failing_checks(report),
        *_notes(report),
    ]
    text = "\n".join(head) + "\n"
    total = sum(len(s.findings) for s in report.stages)
    if total:
        budget = max_chars - _RESERVE - size(text)
        section, shown = render_findings(rule_groups(report), budget, per_rule)
        text += "\n### Findings\n\n" + section
        if shown < total:
            text += (
                f"\n_{plural(total - shown, 'more finding')} not shown here "
                "(see the job's report.json and the code scanning alerts)._\n"
            )
    return clean_text(_fit(text.rstrip("\n") + "\n", max_chars))


def _fit(text: str, max_chars: int) -> str:
    """The text, cut at a line end when it is still over the limit (only with a tiny limit)."""
    if size(text) <= max_chars:
        return text
    marker = "\n_(summary cut at the size limit; see the job's report.json)_\n"
    room = max(0, max_chars - size(marker))
    cut = text.encode("utf-16-le")[: room * 2].decode("utf-16-le", "ignore")
    return cut[: cut.rfind("\n") + 1] + marker.lstrip("\n")


def _headline(report: RunReport) -> list[str]:
    verdict = report.verdict
    roles = roles_line(report)
    return [
        f"## {VERDICT_EMOJI[verdict]} ACES: {verdict.value} — {VERDICT_MEANING[verdict]} "
        f"(exit {verdict.exit_code})",
        "",
        _VERDICT_EXPLANATION[verdict],
        "",
        f"aces {report.aces_version} · doctrine `{report.doctrine_version}` · "
        f"policy `{report.policy_source}` {report.policy_version}".rstrip(),
        *(["", roles] if roles else []),
        "",
    ]


def _stage_table(report: RunReport) -> list[str]:
    rows = [
        "| # | Stage | Status | Findings | Reason |",
        "|---:|---|---|---:|---|",
    ]
    for stage in report.stages:
        emoji = STATUS_EMOJI[stage.status]
        rows.append(
            f"| {stage.number} | {cell(stage.title)} | {emoji} {stage.status.value} "
            f"| {len(stage.findings)} | {cell(clip(stage_reason(stage)))} |"
        )
    return rows


def _unverified(report: RunReport) -> list[str]:
    """Checks and stages that ended ERROR: the reasons a verdict is ERROR."""
    lines = []
    for stage in report.stages:
        for check in stage.checks:
            if check.status is Status.ERROR:
                reason = clip(check.reason or "no reason given")
                lines.append(f"- **{stage_slug(stage)}** `{check.check_id}`: {inline(reason)}")
        if not stage.checks and stage.status is Status.ERROR:
            reason = clip(stage.reason or "no reason given")
            lines.append(f"- **{stage_slug(stage)}**: {inline(reason)}")
    return ["", "### Could not verify", "", *lines] if lines else []


def _failing_checks(report: RunReport) -> list[str]:
    """Every check that failed, with its finding and rule counts, whatever their number."""
    lines = []
    for stage in report.stages:
        for check in stage.checks:
            if check.status is Status.FAIL:
                rules = plural(len({f.rule_id for f in check.findings}), "rule")
                count = plural(len(check.findings), "finding")
                lines.append(
                    f"- {STATUS_EMOJI[Status.FAIL]} **{stage_slug(stage)}** "
                    f"`{check.check_id}`: {count} of {rules}"
                )
    return ["", "### Failing checks", "", *lines] if lines else []


def _notes(report: RunReport) -> list[str]:
    if not report.notes:
        return []
    return ["", "### Notes", "", *(f"- {inline(clip(n))}" for n in report.notes)]
