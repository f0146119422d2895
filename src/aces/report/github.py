"""GitHub Actions workflow commands: one annotation per finding or unverified check.

``::error file=PATH,line=L,endLine=E,col=C,endColumn=D,title=T::MESSAGE``. The
message escapes ``%``, CR and LF; property values also escape ``,`` and ``:``
(the command syntax's own separators). GitHub keeps at most 10 error and 10
warning annotations (and 10 notices) per step and 50 per job, and drops the
rest silently; so the lines stop at those limits and the count of what was
left out is returned for the Markdown summary to mention.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aces.model import Finding, RunReport, Severity, Status
from aces.report.common import clauses_text, stage_slug
from aces.report.outbound import clean_report, clean_text

MAX_PER_STEP = 10
MAX_PER_JOB = 50

_COMMAND: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "notice",
}


@dataclass(frozen=True)
class _Annotation:
    command: str
    properties: tuple[tuple[str, str], ...]
    message: str

    def render(self) -> str:
        props = ",".join(f"{key}={escape_property(value)}" for key, value in self.properties)
        separator = " " if props else ""
        return f"::{self.command}{separator}{props}::{escape_data(self.message)}"


def render_annotations(
    report: RunReport, *, per_step: int = MAX_PER_STEP, per_job: int = MAX_PER_JOB
) -> tuple[str, int]:
    """Annotation lines (each ending in a newline) and how many were left out by the caps.

    Secrets are masked and paths escaped (``aces.report.outbound``).
    """
    report = clean_report(report)
    used: dict[str, int] = {}
    lines: list[str] = []
    omitted = 0
    for annotation in _annotations(report):
        count = used.get(annotation.command, 0)
        if count >= per_step or len(lines) >= per_job:
            omitted += 1
            continue
        used[annotation.command] = count + 1
        lines.append(annotation.render() + "\n")
    return clean_text("".join(lines)), omitted


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotations(report: RunReport) -> Iterator[_Annotation]:
    """In report order; within a check, the reason it errored before its findings."""
    for stage in report.stages:
        if not stage.checks and stage.status is Status.ERROR:
            title = f"aces {stage_slug(stage)}: could not verify"
            yield _Annotation("error", (("title", title),), stage.reason or "stage ended ERROR")
        for check in stage.checks:
            if check.status is Status.ERROR:
                title = f"aces {check.check_id}: could not verify"
                reason = check.reason or "check ended ERROR"
                yield _Annotation("error", (("title", title),), reason)
            for finding in check.findings:
                yield _finding_annotation(finding)


def _finding_annotation(finding: Finding) -> _Annotation:
    props: list[tuple[str, str]] = []
    loc = finding.location
    if loc is not None:
        props.append(("file", loc.path))
        if loc.line is not None and loc.line >= 1:
            props.append(("line", str(loc.line)))
            if loc.end_line is not None and loc.end_line >= loc.line:
                props.append(("endLine", str(loc.end_line)))
            if loc.column is not None and loc.column >= 1:
                props.append(("col", str(loc.column)))
                # GitHub reads endColumn only for an annotation on a single line.
                single_line = loc.end_line in (None, loc.line)
                if loc.end_column is not None and single_line and loc.end_column >= loc.column:
                    props.append(("endColumn", str(loc.end_column)))
    props.append(("title", f"{finding.rule_id} {clauses_text(finding.clauses)}"))
    message = finding.message
    if finding.help:
        message += "\n" + finding.help
    return _Annotation(_COMMAND[finding.severity], tuple(props), message)
