"""GitHub workflow-command annotations: exact lines, escaping and per-step caps."""

from __future__ import annotations

from collections.abc import Callable

from aces.model import CheckResult, Finding, Location, RunReport, Severity, StageResult, Status
from aces.report.github import escape_data, escape_property, render_annotations


def test_exact_lines(failing_report: RunReport) -> None:
    text, omitted = render_annotations(failing_report)
    assert omitted == 0
    assert text.splitlines() == [
        "::error file=proto/envelope.proto,line=12,endLine=12,col=3,endColumn=20,"
        "title=schema.no-field-rename [schema.no-field-rename%2C principle.contracts]"
        "::field 2 of Envelope was renamed from tenant to tenant_id"
        "%0AKeep the name of a field number; add a new field instead.",
        "::error file=proto/envelope.proto,line=30,title=schema.reserved-tags "
        "[schema.reserved-tags]::removed field 7 of Envelope is not reserved"
        '%0AAdd `reserved 7;` and `reserved "room";` to Envelope.',
        "::warning file=proto/kind.proto,title=schema.reserved-tags [schema.reserved-tags]"
        "::enum Kind lost value 3 without reserving it",
        "::error title=sm.tests-updated [sm.tests-updated]"
        "::state machine session changed without a changed test"
        "%0AChange or add a test under tests/ that exercises the changed transitions.",
        "::error title=aces lint.python%3A could not verify::ruff 0.17.6 required, found none",
        "::error title=aces s05-unit%3A could not verify::not implemented: stage 5 has no check",
    ]
    assert text.endswith("\n")


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_property_escaping_in_paths(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    finding = Finding("spec.sections", ("spec.sections",), "50% done", Location("a,b:c.md", 2))
    check = CheckResult("spec.sections", 1, ("spec.sections",), Status.FAIL, (finding,))
    text, _ = render_annotations(make_report((make_stage(1, Status.FAIL, (check,)),)))
    assert text == (
        "::error file=a%2Cb%3Ac.md,line=2,title=spec.sections [spec.sections]::50%25 done\n"
    )


def _report(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    errors: int,
    warnings: int,
    notes: int,
) -> RunReport:
    def findings(count: int, severity: Severity) -> list[Finding]:
        return [
            Finding(
                "lint.python",
                ("lint.python",),
                f"{severity.value} {i}",
                Location("a.py", i + 1),
                severity,
            )
            for i in range(count)
        ]

    all_findings = (
        findings(errors, Severity.ERROR)
        + findings(warnings, Severity.WARNING)
        + findings(notes, Severity.NOTE)
    )
    check = CheckResult("lint.python", 3, ("lint.python",), Status.FAIL, tuple(all_findings))
    return make_report((make_stage(3, Status.FAIL, (check,)),))


def test_per_step_caps(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    text, omitted = render_annotations(_report(make_report, make_stage, 14, 12, 3))
    lines = text.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert sum(line.startswith("::notice ") for line in lines) == 3
    assert omitted == 4 + 2
    assert lines[9].endswith("::error 9") and lines[10].endswith("::warning 0")


def test_per_job_cap(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _report(make_report, make_stage, 14, 12, 3)
    text, omitted = render_annotations(report, per_step=100, per_job=20)
    assert len(text.splitlines()) == 20
    assert omitted == 29 - 20


def test_passing_report_has_none(passing_report: RunReport) -> None:
    assert render_annotations(passing_report) == ("", 0)
