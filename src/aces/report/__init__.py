"""Reporters: pure functions from a ``RunReport`` to text.

Each output format is one module: ``json_report`` (the versioned JSON report),
``sarif`` (SARIF 2.1.0 for code scanning), ``junit`` (JUnit XML), ``markdown``
(PR comment / step summary), ``github`` (workflow-command annotations) and
``console`` (live progress and the final summary). ``writers`` puts the file
formats in an output directory. None of them decides the exit code: that is
``RunReport.verdict.exit_code``.
"""

from __future__ import annotations

from aces.report.json_report import render_json
from aces.report.junit import render_junit
from aces.report.markdown import render_markdown
from aces.report.sarif import render_sarif
from aces.report.writers import write_reports

__all__ = ["render_json", "render_junit", "render_markdown", "render_sarif", "write_reports"]
