"""JUnit XML: one ``<testsuite>`` per stage, one ``<testcase>`` per check.

Suites are named by stage slug (``s01-spec``), test cases have the class name
``aces.<slug>`` and the check id as name. FAIL is a ``<failure>`` listing the
findings one per line, ERROR an ``<error>`` with the reason, NOT_APPLICABLE a
``<skipped>`` with the reason. A stage without check results (blocked, not
run, not implemented) is one test case named after the stage, so it shows in
every JUnit viewer.

The file is valid against both schemas its readers use: the Jenkins xunit
plugin's ``junit-10.xsd`` and the Apache Ant JUnit format (what ``junitreport``
aggregates). So ``<testsuites>`` carries no attribute (Ant allows none; the
totals are the sums of the suites), and every suite has ``package``, ``id``,
``hostname``, ``time`` and, when the run recorded its start, ``timestamp``, and
holds ``<properties>``, its test cases, ``<system-out>`` and ``<system-err>``.
There is no clock in the output: ``time`` comes from ``report.timing``
(``stages[slug]``, ``checks[id]``) and is ``0.000`` where the run measured none
(a stage that did not run); ``timestamp`` is ``timing.started_at`` in UTC; the
host name is always ``localhost``, which the Ant format names for an unknown host.
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
)
from aces.report.outbound import clean_report, clean_text

# Characters XML 1.0 cannot carry at all (tool output may contain ANSI escapes).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# RFC 3339 in UTC as the run records it; Ant wants the same without a time zone.
_UTC_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|\+00:00)")
PACKAGE = "aces"
HOSTNAME = "localhost"


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
    # Ant's format allows no attribute on the root; readers sum the suites.
    root = ET.Element("testsuites")
    for index, stage in enumerate(report.stages):
        root.append(_suite(report, stage, index))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return clean_text('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")


def _suite(report: RunReport, stage: StageResult, index: int) -> ET.Element:
    slug = stage_slug(stage)
    suite = ET.Element("testsuite", {"name": slug})
    ET.SubElement(suite, "properties").extend(_properties(report, stage))
    counts = _Counts()
    if stage.checks:
        for check in stage.checks:
            case, outcome = _check_case(report, slug, check)
            suite.append(case)
            counts += _OUTCOME_COUNTS[outcome]
    else:
        case, outcome = _stage_case(report, slug, stage)
        suite.append(case)
        counts += _OUTCOME_COUNTS[outcome]
    ET.SubElement(suite, "system-out")
    ET.SubElement(suite, "system-err")
    _set_counts(suite, counts)
    _set_time(suite, timing_seconds(report, "stages", slug))
    stamp = _timestamp(report)
    if stamp is not None:
        suite.set("timestamp", stamp)
    suite.set("hostname", HOSTNAME)
    suite.set("package", PACKAGE)
    suite.set("id", str(index))
    return suite


def _properties(report: RunReport, stage: StageResult) -> list[ET.Element]:
    """What the suite was judged against and how the stage ended."""
    values = (
        ("aces.version", report.aces_version),
        ("aces.doctrine", report.doctrine_version),
        ("aces.policy", report.policy_source),
        ("aces.verdict", report.verdict.value),
        ("aces.stage.status", stage.status.value),
    )
    return [ET.Element("property", {"name": k, "value": _clean(v)}) for k, v in values]


def _timestamp(report: RunReport) -> str | None:
    """``timing.started_at`` as Ant writes it (UTC, no zone), when the run recorded it."""
    started = report.timing.get("started_at")
    match = _UTC_STAMP.fullmatch(started) if isinstance(started, str) else None
    return match.group(1) if match else None


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


def _stage_case(report: RunReport, slug: str, stage: StageResult) -> tuple[ET.Element, str]:
    case = ET.Element("testcase", {"classname": f"aces.{slug}", "name": slug})
    _set_time(case, timing_seconds(report, "stages", slug))
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


def _set_counts(element: ET.Element, counts: _Counts) -> None:
    element.set("tests", str(counts.tests))
    element.set("failures", str(counts.failures))
    element.set("errors", str(counts.errors))
    element.set("skipped", str(counts.skipped))


def _set_time(element: ET.Element, seconds: float | None) -> None:
    """Seconds with three decimals; ``0.000`` where nothing was measured (Ant requires it)."""
    element.set("time", f"{seconds or 0.0:.3f}")


def _clean(text: str) -> str:
    """Text XML 1.0 can hold: forbidden control characters become ``\\xNN``."""
    return _INVALID_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
