"""Console: live progress lines (plain when not a terminal) and the end-of-run summary."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from aces.model import CheckResult, Finding, Location, RunReport, StageResult, Status
from aces.pipeline.observer import Observer
from aces.report.console import (
    ConsoleObserver,
    duration_text,
    print_console_summary,
    render_console_summary,
)


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=terminal,
        color_system="standard" if terminal else None,
        width=40,
    )
    return console, buffer


def _replay(observer: Observer, report: RunReport) -> None:
    for stage in report.stages[:6]:
        observer.stage_started(stage.number, stage.title, len(stage.checks))
        for check in stage.checks:
            observer.check_finished(check)
        observer.stage_finished(stage)


def test_progress_is_plain_lines_off_a_terminal(failing_report: RunReport) -> None:
    console, buffer = _console(terminal=False)
    _replay(ConsoleObserver(console), failing_report)
    output = buffer.getvalue()
    assert "\x1b" not in output and "\r" not in output
    assert output.splitlines() == [
        "stage  1 Specification Validation: 1 check",
        "stage  1 s01-spec PASS, 0 findings",
        "stage  2 Schema & State Machine Validation: 4 checks",
        "    FAIL schema.no-field-rename: 1 finding",
        "    FAIL schema.reserved-tags: 2 findings",
        "    FAIL sm.tests-updated: 1 finding",
        "stage  2 s02-schema FAIL, 4 findings",
        "stage  3 Static Analysis & Code Quality: 2 checks",
        "    ERROR lint.python: ruff 0.17.6 required, found none",
        "    NOT_APPLICABLE lint.rust: no Cargo.toml",
        "stage  3 s03-static ERROR, 0 findings",
        "stage  4 Build & Artifact Consistency: 1 check",
        "    NOT_APPLICABLE build.repro: nothing to build",
        "stage  4 s04-build NOT_APPLICABLE, 0 findings",
        "stage  5 Unit Test Verification: 0 checks",
        "stage  5 s05-unit ERROR, 0 findings: not implemented: stage 5 has no check",
        "stage  6 Integration & Topology Tests: 0 checks",
        "stage  6 s06-integration BLOCKED, 0 findings: blocked by stage 2",
    ]


def test_progress_is_coloured_on_a_terminal(failing_report: RunReport) -> None:
    console, buffer = _console(terminal=True)
    _replay(ConsoleObserver(console), failing_report)
    output = buffer.getvalue()
    assert "\x1b[1;31mFAIL\x1b[0m" in output
    assert "\x1b[1;32mPASS\x1b[0m" in output


def test_markup_in_messages_is_not_interpreted(
    failing_report: RunReport,
) -> None:
    console, buffer = _console(terminal=False)
    observer = ConsoleObserver(console)
    check = failing_report.stages[2].checks[0]
    observer.check_finished(
        type(check)(check.check_id, 3, check.clauses, check.status, (), "[bold]x[/]")
    )
    assert buffer.getvalue() == "    ERROR lint.python: [bold]x[/]\n"


def test_summary_text(failing_report: RunReport) -> None:
    written = (Path("out/report.json"), Path("out/report.sarif"))
    assert render_console_summary(failing_report, written) == (
        "ACES 0.1.0 - doctrine aces-1.0.0\n"
        "policy: aces.toml 3\n"
        "\n"
        "stage              status          findings  reason\n"
        "s01-spec           PASS                   0\n"
        "s02-schema         FAIL                   4  checks: schema.no-field-rename, "
        "schema.reserved-tags, sm.tests-updated\n"
        "s03-static         ERROR                  0  checks: lint.python\n"
        "s04-build          NOT_APPLICABLE         0  nothing to build\n"
        "s05-unit           ERROR                  0  not implemented: stage 5 has no check\n"
        "s06-integration    BLOCKED                0  blocked by stage 2\n"
        "s07-security       BLOCKED                0  blocked by stage 2\n"
        "s08-performance    BLOCKED                0  blocked by stage 2\n"
        "s09-chaos          BLOCKED                0  blocked by stage 2\n"
        "s10-observability  BLOCKED                0  blocked by stage 2\n"
        "s11-compatibility  BLOCKED                0  blocked by stage 2\n"
        "s12-deploy         NOT_RUN                0  not selected\n"
        "\n"
        "findings (4):\n"
        "  proto/envelope.proto:12:3  schema.no-field-rename  "
        "field 2 of Envelope was renamed from tenant to tenant_id\n"
        "      help: Keep the name of a field number; add a new field instead.\n"
        "  proto/envelope.proto:30  schema.reserved-tags  "
        "removed field 7 of Envelope is not reserved\n"
        '      help: Add `reserved 7;` and `reserved "room";` to Envelope.\n'
        "  proto/kind.proto  schema.reserved-tags  enum Kind lost value 3 without reserving it\n"
        "  (no location)  sm.tests-updated  "
        "state machine session changed without a changed test\n"
        "      help: Change or add a test under tests/ that exercises the changed transitions.\n"
        "\n"
        "could not verify:\n"
        "  s03-static lint.python: ruff 0.17.6 required, found none\n"
        "  s05-unit: not implemented: stage 5 has no check\n"
        "\n"
        "verdict: FAIL: doctrine violated (exit 1) in 12.5s\n"
        "reports: out/report.json, out/report.sarif\n"
    )


def test_printed_summary_matches_text(passing_report: RunReport) -> None:
    console, buffer = _console(terminal=False)
    print_console_summary(console, passing_report)
    assert buffer.getvalue() == render_console_summary(passing_report)
    assert buffer.getvalue().endswith("verdict: PASS: doctrine satisfied (exit 0) in 12.5s\n")


def test_help_is_printed_once_per_rule(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    def finding(rule: str, i: int, help_text: str) -> Finding:
        return Finding(
            rule, ("lint.python",), f"problem {i}", Location(f"m{i:04d}.py", 1), help=help_text
        )

    findings = tuple(finding("E501", i, "Shorten the line.") for i in range(1509))
    findings += (
        finding("E501", 2000, "Wrap the string."),
        finding("F401", 2001, "Shorten the line."),
    )
    findings += (finding("E501", 2002, "Shorten   the\nline."),)
    check = CheckResult("lint.python", 3, ("lint.python",), Status.FAIL, findings)
    text = render_console_summary(make_report((make_stage(3, Status.FAIL, (check,)),)))
    assert text.count("  E501  problem ") == 1511
    lines = text.splitlines()
    helps = [(lines[i - 1].split()[0], line) for i, line in enumerate(lines) if "help:" in line]
    # Each distinct help of each rule once, under the first finding that has it.
    assert helps == [
        ("m0000.py:1", "      help: Shorten the line."),
        ("m2000.py:1", "      help: Wrap the string."),
        ("m2001.py:1", "      help: Shorten the line."),
    ]


def test_summary_without_timing_has_no_duration(
    make_report: Callable[..., RunReport], passing_report: RunReport
) -> None:
    report = make_report(passing_report.stages, timing={})
    assert render_console_summary(report).endswith("verdict: PASS: doctrine satisfied (exit 0)\n")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.04, "0.0s"), (12.46, "12.5s"), (59.94, "59.9s"), (185.2, "3m 05s"), (3723.0, "1h 02m 03s")],
)
def test_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
