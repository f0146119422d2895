"""Markdown: the PR comment and the CI step summary.

A verdict headline that says what the exit code means, a table of the stages
(status, findings, reason), then what could not be verified and the findings
grouped by stage and check, each with ``path:line``, rule id, clauses and help.
GitHub refuses comments over 65,536 characters, so the findings stop before
the text would pass ``max_chars`` (counted in UTF-16 code units, as GitHub's
limit is) and a last line says how many were left out and where they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aces.model import CheckResult, Finding, RunReport, Status, Verdict
from aces.report.common import VERDICT_MEANING, plural, roles_line, stage_reason, stage_slug
from aces.report.outbound import clean_report, clean_text

GITHUB_COMMENT_LIMIT = 65_536
# Room under the hard limit for the closing lines and for a consumer's own wrapper text.
DEFAULT_MAX_CHARS = GITHUB_COMMENT_LIMIT - 2_536
# One finding's message or help is cut past this, so a single huge one cannot crowd the rest out.
MAX_TEXT_CHARS = 1_000
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


def render_markdown(report: RunReport, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The report as Markdown no longer than ``max_chars`` UTF-16 code units.

    Secrets are masked and paths escaped (``aces.report.outbound``).
    """
    report = clean_report(report)
    head = [*_headline(report), *_stage_table(report), *_unverified(report), *_notes(report)]
    text = "\n".join(head) + "\n"
    budget = max_chars - _RESERVE - _size(text)
    shown, total = 0, sum(len(s.findings) for s in report.stages)
    body: list[str] = []
    for block, count in _finding_blocks(report):
        candidate = "\n".join(block) + "\n"
        budget -= _size(candidate)
        if budget < 0:
            break
        body.append(candidate)
        shown += count
    if total:
        text += "\n### Findings\n\n" + "".join(body)
    if shown < total:
        text += (
            f"\n_{plural(total - shown, 'more finding')} not shown here "
            "(see the job's report.json and the code scanning alerts)._\n"
        )
    return clean_text(text.rstrip("\n") + "\n")


def _size(text: str) -> int:
    """Length in UTF-16 code units: how GitHub counts characters."""
    return len(text.encode("utf-16-le")) // 2


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
            f"| {stage.number} | {_cell(stage.title)} | {emoji} {stage.status.value} "
            f"| {len(stage.findings)} | {_cell(_clip(stage_reason(stage)))} |"
        )
    return rows


def _unverified(report: RunReport) -> list[str]:
    """Checks and stages that ended ERROR: the reasons a verdict is ERROR."""
    lines = []
    for stage in report.stages:
        for check in stage.checks:
            if check.status is Status.ERROR:
                reason = _clip(check.reason or "no reason given")
                lines.append(f"- **{stage_slug(stage)}** `{check.check_id}`: {_inline(reason)}")
        if not stage.checks and stage.status is Status.ERROR:
            reason = _clip(stage.reason or "no reason given")
            lines.append(f"- **{stage_slug(stage)}**: {_inline(reason)}")
    return ["", "### Could not verify", "", *lines] if lines else []


def _notes(report: RunReport) -> list[str]:
    if not report.notes:
        return []
    return ["", "### Notes", "", *(f"- {_inline(_clip(n))}" for n in report.notes)]


def _finding_blocks(report: RunReport) -> Iterator[tuple[list[str], int]]:
    """Markdown blocks in report order: a stage heading, a check heading, one per finding."""
    for stage in report.stages:
        if not stage.findings:
            continue
        yield [f"#### Stage {stage.number} · {_inline(stage.title)}", ""], 0
        for check in stage.checks:
            if check.findings:
                yield from _check_blocks(check)


def _check_blocks(check: CheckResult) -> Iterator[tuple[list[str], int]]:
    count = plural(len(check.findings), "finding")
    yield [f"**`{check.check_id}`** — {check.status.value}, {count}", ""], 0
    previous_help = ""
    for finding in check.findings:
        lines = [_finding_item(finding)]
        # The same remedy repeated under every finding of a check is noise: show it once.
        if finding.help and finding.help != previous_help:
            lines.append(f"  > {_inline(_clip(finding.help))}")
        previous_help = finding.help or previous_help
        yield lines, 1
    yield [""], 0


def _finding_item(finding: Finding) -> str:
    loc = finding.location
    if loc is None:
        where = "_(no location)_"
    else:
        where = code_span(f"{loc.path}:{loc.line}" if loc.line is not None else loc.path)
    clauses = ", ".join(f"`{c}`" for c in finding.clauses)
    message = _inline(_clip(finding.message))
    return f"- {where} **{finding.rule_id}** ({clauses}): {message}"


def code_span(text: str) -> str:
    """``text`` as inline code, fenced by more backticks than it holds in a row (CommonMark)."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def _inline(text: str) -> str:
    """Text on one line, with HTML-looking markup neutralised."""
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    """Text safe inside a table cell."""
    return _inline(text).replace("|", "\\|")
