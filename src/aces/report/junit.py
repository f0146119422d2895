"""JUnit XML: one ``<testsuite>`` per stage, one ``<testcase>`` per check.

Suites are named by stage slug (``s01-spec``), test cases have the class name
``aces.<slug>`` and the check id as name. FAIL is a ``<failure>`` listing the
findings one per line, ERROR an ``<error>`` with the reason, NOT_APPLICABLE a
``<skipped>`` with the reason. A stage without check results (blocked, not
run, not implemented) is one test case named after the stage, so it shows in
every JUnit viewer. There is no clock in the output: ``time`` attributes come
from ``report.timing`` (``total_seconds``, ``stages[slug]``, ``checks[id]``) and
are left out when it has none.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from aces.model import CheckResult, RunReport, StageResult, Status
from aces.report.common import (
    finding_line,
    plural,
    stage_slug,
    timing_seconds,
    total_seconds,
)
from aces.report.outbound import clean_report, clean_text

# Characters XML 1.0 cannot carry at all (tool output may contain ANSI escapes).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class _Counts:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.tests + other.tests,
            self.failures + other.failures,
            self.errors + other.errors,
            self.skipped + other.skipped,
        )


_OUTCOME_COUNTS: dict[str, _Counts] = {
    "pass": _Counts(tests=1),
    "failure": _Counts(tests=1, failures=1),
    "error": _Counts(tests=1, errors=1),
    "skipped": _Counts(tests=1, skipped=1),
}


def render_junit(report: RunReport) -> str:
    """The report as JUnit XML text (UTF-8 declaration, 2-space indent, trailing newline).

    Secrets are masked and paths escaped (``aces.report.outbound``).
    """
    report = clean_report(report)
    root = ET.Element("testsuites", {"name": "aces"})
    total = _Counts()
    for stage in report.stages:
        suite, counts = _suite(report, stage)
        root.append(suite)
        total += counts
    # The Jenkins xunit plugin's junit-10.xsd allows `skipped` on a suite, not on the root.
    _set_counts(root, total, with_skipped=False)
    _set_time(root, total_seconds(report))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return clean_text('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")


def _suite(report: RunReport, stage: StageResult) -> tuple[ET.Element, _Counts]:
    slug = stage_slug(stage)
    suite = ET.Element("testsuite", {"name": slug})
    counts = _Counts()
    if stage.checks:
        for check in stage.checks:
            case, outcome = _check_case(report, slug, check)
            suite.append(case)
            counts += _OUTCOME_COUNTS[outcome]
    else:
        case, outcome = _stage_case(slug, stage)
        suite.append(case)
        counts += _OUTCOME_COUNTS[outcome]
    _set_counts(suite, counts)
    _set_time(suite, timing_seconds(report, "stages", slug))
    return suite, counts


def _check_case(report: RunReport, slug: str, check: CheckResult) -> tuple[ET.Element, str]:
    case = ET.Element("testcase", {"classname": f"aces.{slug}", "name": check.check_id})
    _set_time(case, timing_seconds(report, "checks", check.check_id))
    lines = [finding_line(f) for f in check.findings]
    if check.status is Status.PASS:
        return case, "pass"
    if check.status is Status.FAIL:
        message = plural(len(check.findings), "finding")
        _child(case, "failure", message, Status.FAIL, "\n".join(lines) or check.reason)
        return case, "failure"
    if check.status is Status.NOT_APPLICABLE:
        _skipped(case, check.reason or "not applicable")
        return case, "skipped"
    # ERROR, and any status a check should never have: never shown as a pass.
    reason = check.reason or f"check ended {check.status.value}"
    _child(case, "error", reason, check.status, "\n".join([reason, *lines]))
    return case, "error"


def _stage_case(slug: str, stage: StageResult) -> tuple[ET.Element, str]:
    case = ET.Element("testcase", {"classname": f"aces.{slug}", "name": slug})
    reason = stage.reason or stage.status.value.lower().replace("_", " ")
    if stage.status is Status.PASS:
        return case, "pass"
    if stage.status in (Status.BLOCKED, Status.NOT_RUN, Status.NOT_APPLICABLE):
        _skipped(case, reason)
        return case, "skipped"
    if stage.status is Status.FAIL:
        _child(case, "failure", reason, stage.status, reason)
        return case, "failure"
    _child(case, "error", reason, stage.status, reason)
    return case, "error"


def _child(case: ET.Element, tag: str, message: str, status: Status, text: str) -> None:
    child = ET.SubElement(case, tag, {"message": _clean(message), "type": status.value})
    child.text = _clean(text)


def _skipped(case: ET.Element, reason: str) -> None:
    ET.SubElement(case, "skipped", {"message": _clean(reason)})


def _set_counts(element: ET.Element, counts: _Counts, *, with_skipped: bool = True) -> None:
    element.set("tests", str(counts.tests))
    element.set("failures", str(counts.failures))
    element.set("errors", str(counts.errors))
    if with_skipped:
        element.set("skipped", str(counts.skipped))


def _set_time(element: ET.Element, seconds: float | None) -> None:
    if seconds is not None:
        element.set("time", f"{seconds:.3f}")


def _clean(text: str) -> str:
    """Text XML 1.0 can hold: forbidden control characters become ``\\xNN``."""
    return _INVALID_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
