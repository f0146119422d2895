"""The terminal: live progress of a run and its final summary.

``ConsoleObserver`` prints one line when a stage starts, one per check that did
not pass, and one when the stage ends. It prints whole lines only (no spinner,
no cursor movement), so a log file or a CI console gets plain text: rich drops
colours by itself when the console is not a terminal. The summary is built as
rich ``Text`` lines so that ``render_console_summary`` (plain text, for tests
and files) and ``print_console_summary`` (coloured) say exactly the same.
Everything is ASCII apart from what the findings themselves contain. Every
line passes through ``aces.report.outbound``: secrets masked, paths escaped,
control characters shown as escapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from aces.model import CheckResult, RunReport, StageResult, Status, Verdict
from aces.report.common import (
    NO_LOCATION,
    iter_findings,
    nested_line,
    plural,
    roles_line,
    stage_reason,
    stage_slug,
    total_seconds,
    verdict_line,
)
from aces.report.outbound import clean_report, clean_text, escape_path

STATUS_STYLE: dict[Status, str] = {
    Status.PASS: "bold green",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.BLOCKED: "yellow",
    Status.NOT_RUN: "dim",
}

VERDICT_STYLE: dict[Verdict, str] = {
    Verdict.PASS: "bold green",
    Verdict.FAIL: "bold red",
    Verdict.ERROR: "bold magenta",
}

_STATUS_WIDTH = max(len(s.value) for s in Status)


class ConsoleObserver:
    """Prints the progress of a run on a rich console (implements ``Observer``)."""

    def __init__(self, console: Console) -> None:
        self._console = console

    def stage_started(self, number: int, title: str, checks: int) -> None:
        """``stage  3 Static Analysis & Code Quality: 4 checks``."""
        self._line(Text(f"stage {number:2d} {title}: {plural(checks, 'check')}"))

    def check_finished(self, result: CheckResult) -> None:
        """A line for a check that did not pass; passing checks stay quiet."""
        if result.status is Status.PASS:
            return
        line = Text("    ")
        line.append(result.status.value, STATUS_STYLE[result.status])
        line.append(f" {result.check_id}")
        detail = _check_detail(result)
        if detail:
            line.append(f": {detail}")
        self._line(line)

    def stage_finished(self, result: StageResult) -> None:
        """``stage  3 s03-static FAIL, 2 findings`` (with the reason when there is one)."""
        line = Text(f"stage {result.number:2d} {stage_slug(result)} ")
        line.append(result.status.value, STATUS_STYLE[result.status])
        line.append(f", {plural(len(result.findings), 'finding')}")
        if result.reason:
            line.append(f": {_flat(result.reason)}")
        self._line(line)

    def _line(self, text: Text) -> None:
        # soft_wrap: never insert line breaks of our own into a log line.
        self._console.print(gated(text), soft_wrap=True, highlight=False)


def gated(line: Text) -> Text:
    """The line as it may be printed: unchanged (styles kept) unless cleaning changes it."""
    cleaned = clean_text(line.plain)
    return line if cleaned == line.plain else Text(cleaned, style=line.style)


def render_console_summary(report: RunReport, written: Sequence[Path] = ()) -> str:
    """The end-of-run summary as plain text (what ``print_console_summary`` shows)."""
    return "".join(gated(line).plain + "\n" for line in summary_lines(report, written))


def print_console_summary(
    console: Console, report: RunReport, written: Sequence[Path] = ()
) -> None:
    """Print the end-of-run summary, coloured when the console is a terminal."""
    for line in summary_lines(report, written):
        console.print(gated(line), soft_wrap=True, highlight=False)


def summary_lines(report: RunReport, written: Sequence[Path] = ()) -> list[Text]:
    """Stages table, findings with help, what could not be verified, verdict, report files.

    The verdict line ends with the run's duration when ``report.timing`` has it.
    """
    report = clean_report(report)
    lines = [Text(f"ACES {report.aces_version} - doctrine {report.doctrine_version}")]
    lines.append(Text(f"policy: {report.policy_source} {report.policy_version}".rstrip()))
    roles = roles_line(report)
    lines.extend([Text(roles)] if roles else [])
    nested = nested_line(report)
    lines.extend([Text(nested)] if nested else [])
    lines.append(Text(""))
    lines.extend(_stage_table(report))
    lines.extend(_findings(report))
    lines.extend(_unverified(report))
    lines.append(Text(""))
    verdict = Text("verdict: ")
    verdict.append(verdict_line(report.verdict), VERDICT_STYLE[report.verdict])
    seconds = total_seconds(report)
    if seconds is not None:
        verdict.append(f" in {duration_text(seconds)}")
    lines.append(verdict)
    if written:
        lines.append(Text("reports: " + ", ".join(escape_path(str(p)) for p in written)))
    return lines


def _stage_table(report: RunReport) -> list[Text]:
    width = max((len(stage_slug(s)) for s in report.stages), default=5)
    header = f"{'stage':<{width}}  {'status':<{_STATUS_WIDTH}}  findings  reason"
    rows = [Text(header.rstrip(), "bold")]
    for stage in report.stages:
        row = Text(f"{stage_slug(stage):<{width}}  ")
        row.append(f"{stage.status.value:<{_STATUS_WIDTH}}", STATUS_STYLE[stage.status])
        row.append(f"  {len(stage.findings):>8}  {stage_reason(stage)}")
        row.rstrip()
        rows.append(row)
    return rows


def _findings(report: RunReport) -> list[Text]:
    items = list(iter_findings(report))
    if not items:
        return []
    lines = [Text(""), Text(f"findings ({len(items)}):", "bold")]
    # A linter gives every finding of a rule the same help: print each distinct help
    # once per rule, under the first finding that carries it, not under all of them.
    helps_shown: set[tuple[str, str]] = set()
    for item in items:
        finding = item.finding
        where = str(finding.location) if finding.location else NO_LOCATION
        line = Text(f"  {where}  ")
        line.append(finding.rule_id, "bold")
        line.append(f"  {_flat(finding.message)}")
        lines.append(line)
        help_key = (finding.rule_id, _flat(finding.help))
        if finding.help and help_key not in helps_shown:
            helps_shown.add(help_key)
            lines.append(Text(f"      help: {help_key[1]}", "dim"))
    return lines


def _unverified(report: RunReport) -> list[Text]:
    lines = []
    for stage in report.stages:
        # Checks that failed for one shared cause (an unreadable spec) are one line.
        by_reason: dict[str, list[str]] = {}
        for check in stage.checks:
            if check.status is Status.ERROR:
                reason = _flat(check.reason or "no reason given")
                by_reason.setdefault(reason, []).append(check.check_id)
        for reason, ids in by_reason.items():
            lines.append(Text(f"  {stage_slug(stage)} {', '.join(ids)}: {reason}"))
        if not stage.checks and stage.status is Status.ERROR:
            lines.append(Text(f"  {stage_slug(stage)}: {_flat(stage.reason or 'no reason given')}"))
    if not lines:
        return []
    return [Text(""), Text("could not verify:", "bold magenta"), *lines]


def duration_text(seconds: float) -> str:
    """``0.4s``, ``12.5s``, ``3m 05s``, ``1h 02m 03s``: how long the run took."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s"


def _check_detail(result: CheckResult) -> str:
    if result.status is Status.FAIL:
        return plural(len(result.findings), "finding")
    return _flat(result.reason)


def _flat(text: str) -> str:
    return " ".join(text.split())
