"""GitLab Code Quality: every finding an issue GitLab's format accepts, errors never hidden."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.unit.report.conformance import codequality_errors

from aces.model import CheckResult, Finding, Location, RunReport, Severity, StageResult, Status
from aces.report.codequality import CHECK_ERROR_NAME, render_codequality


def _issues(report: RunReport) -> list[dict[str, object]]:
    issues: list[dict[str, object]] = json.loads(render_codequality(report))
    return issues


def test_every_finding_is_a_valid_issue(failing_report: RunReport) -> None:
    issues = _issues(failing_report)
    assert codequality_errors(issues) == []
    names = [i["check_name"] for i in issues]
    assert names == [
        "schema.no-field-rename",
        "schema.reserved-tags",
        "schema.reserved-tags",
        "sm.tests-updated",
        CHECK_ERROR_NAME,
        CHECK_ERROR_NAME,
    ]
    # The check that errored, then the stage that ended ERROR without a check.
    assert "could not verify lint.python: ruff 0.17.6" in str(issues[4]["description"])
    assert "could not verify s05-unit: not implemented" in str(issues[5]["description"])


def test_location_line_and_fallbacks(failing_report: RunReport) -> None:
    issues = _issues(failing_report)
    assert issues[0]["location"] == {"path": "proto/envelope.proto", "lines": {"begin": 12}}
    assert issues[1]["location"] == {"path": "proto/envelope.proto", "lines": {"begin": 30}}
    # A whole-file finding starts at line 1; one without a place lands on the policy file.
    assert issues[2]["location"] == {"path": "proto/kind.proto", "lines": {"begin": 1}}
    assert issues[3]["location"] == {"path": "aces.toml", "lines": {"begin": 1}}


def test_severity_and_help(failing_report: RunReport) -> None:
    issues = _issues(failing_report)
    assert [i["severity"] for i in issues] == [
        "major",
        "major",
        "minor",
        "major",
        "blocker",
        "blocker",
    ]
    assert issues[0]["content"] == {
        "body": "Keep the name of a field number; add a new field instead."
    }
    assert "(s02-schema)" in str(issues[0]["description"])


def test_check_that_could_not_verify_is_a_blocker(error_report: RunReport) -> None:
    issues = _issues(error_report)
    assert codequality_errors(issues) == []
    assert len(issues) == 1
    assert issues[0]["severity"] == "blocker"
    assert "could not verify lint.python" in str(issues[0]["description"])
    # ANSI escapes of tool output never reach the widget.
    assert "\x1b" not in render_codequality(error_report)


def test_passing_report_is_an_empty_array(passing_report: RunReport) -> None:
    assert render_codequality(passing_report) == "[]\n"


def test_repeated_findings_keep_distinct_stable_fingerprints(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    make_check: Callable[..., CheckResult],
) -> None:
    def report(first_line: int) -> RunReport:
        findings = tuple(
            Finding("lint.python", ("lint.python",), "E501 line too long", Location("a.py", n))
            for n in (first_line, first_line + 5)
        )
        check = make_check("lint.python", 3, Status.FAIL, findings)
        return make_report((make_stage(3, Status.FAIL, (check,)),))

    before, after = _issues(report(10)), _issues(report(40))
    assert codequality_errors(before) == []
    assert before[0]["fingerprint"] != before[1]["fingerprint"]
    # Lines moved: the identities stay.
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]


def test_security_findings_are_critical(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    make_check: Callable[..., CheckResult],
) -> None:
    leak = Finding(
        "sec.secrets.aws",
        ("sec.no-secrets",),
        "AWS access key ghp_abcdefghijklmnopqrstuvwxyz0123456789 in config",
        Location("config/app.env", 3, 7, 3, 27),
    )
    note = Finding(
        "sec.secrets.aws",
        ("sec.no-secrets",),
        "test fixture",
        Location("t.env", 1),
        severity=Severity.NOTE,
    )
    check = make_check("sec.secrets", 7, Status.FAIL, (leak, note))
    issues = _issues(make_report((make_stage(7, Status.FAIL, (check,)),)))
    assert codequality_errors(issues) == []
    assert [i["severity"] for i in issues] == ["critical", "info"]
    assert issues[0]["categories"] == ["Security"]
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in json.dumps(issues)


def test_same_report_same_bytes(failing_report: RunReport) -> None:
    assert render_codequality(failing_report) == render_codequality(failing_report)


def test_validator_rejects_what_gitlab_rejects() -> None:
    bad = [
        {
            "description": "x",
            "check_name": "r",
            "fingerprint": "f",
            "severity": "high",
            "location": {"path": "/abs.py", "lines": {"begin": 0}},
        },
        {
            "description": "y",
            "check_name": "r",
            "fingerprint": "f",
            "severity": "minor",
            "location": {"path": "a.py"},
        },
    ]
    errors = codequality_errors(bad)
    assert any("'high' is not one of" in e for e in errors)
    assert any("fingerprint repeated: f" in e for e in errors)
    assert len(errors) >= 4
