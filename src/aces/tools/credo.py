"""The credo adapter: ``mix credo --strict --format json``; every issue fails.

credo is a Hex package the Mix project lists as a dependency, run through mix.
Its JSON report is one object ``{"issues": [...]}``; each issue has ``check``
(``Credo.Check.Readability.ModuleDoc``), ``category``, ``message``,
``filename`` (relative to the project), ``line_no`` and ``column``. credo's exit
status is a bit mask of the categories with issues, so any exit code is accepted
when the report parses; output that is not the report (mix could not start
credo: the dependency is missing) is ERROR.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aces.errors import ToolError
from aces.tools.lint_common import (
    LintIssue,
    as_int,
    mix_report_object,
    relative_path,
    run_mix_report,
    unique_sorted,
)
from aces.tools.process import ProcessRunner

TOOL = "credo"
_CHECK_PREFIX = "Credo.Check."


def argv(mix: Path) -> tuple[str, ...]:
    """The credo command, run in the directory of the Mix project."""
    return (str(mix), "credo", "--strict", "--format", "json")


def run(
    runner: ProcessRunner,
    mix: Path,
    project: Path,
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run credo in ``project``; issues relative to ``root``."""
    return run_mix_report(
        runner, argv(mix), project, root, tool=TOOL, parse=parse, timeout=timeout, env=env
    )


def parse(text: str, project: Path, root: Path) -> tuple[LintIssue, ...]:
    """The issues of credo's JSON report (pure); ``ToolError`` when it is not one."""
    report = mix_report_object(text, TOOL)
    issues = report.get("issues")
    if not isinstance(issues, list):
        raise ToolError("credo's JSON report has no list of issues")
    return unique_sorted([_issue(item, project, root) for item in issues])


def _issue(item: object, project: Path, root: Path) -> LintIssue:
    if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
        raise ToolError(f"credo reported an issue without a file: {str(item)[:200]}")
    check = str(item.get("check", "unknown")).removeprefix(_CHECK_PREFIX)
    path = relative_path(item["filename"], project, root)
    if path is None:
        raise ToolError(f"credo reported a file outside the repository: {item['filename']}")
    message = str(item.get("message", "")).strip()
    return LintIssue(
        TOOL, check, message, path, as_int(item.get("line_no")), as_int(item.get("column"))
    )
