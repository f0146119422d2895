"""The console summary and the Markdown say in one line how many files had each role."""

from __future__ import annotations

import dataclasses

from aces.model import ChangeSummary, RunReport
from aces.report.console import render_console_summary
from aces.report.markdown import render_markdown

ROLES = (("docs", 12), ("fixture", 1104), ("test", 40))
LINE = "roles: 12 docs, 1,104 fixture, 40 test (the rest product)"


def with_roles(report: RunReport, roles: tuple[tuple[str, int], ...]) -> RunReport:
    change = report.change or ChangeSummary(base=None, head=None, whole_tree=True)
    return dataclasses.replace(report, change=dataclasses.replace(change, roles=roles))


def test_console_summary_counts_the_roles(passing_report: RunReport) -> None:
    lines = render_console_summary(with_roles(passing_report, ROLES)).splitlines()
    assert lines[2] == LINE
    assert render_console_summary(with_roles(passing_report, ROLES)) == render_console_summary(
        with_roles(passing_report, ROLES)
    )


def test_markdown_counts_the_roles(passing_report: RunReport) -> None:
    text = render_markdown(with_roles(passing_report, ROLES))
    assert f"\n\n{LINE}\n\n" in text
    assert text.count("roles:") == 1


def test_no_roles_no_line(passing_report: RunReport) -> None:
    assert "roles:" not in render_console_summary(with_roles(passing_report, ()))
    assert "roles:" not in render_markdown(with_roles(passing_report, ()))
