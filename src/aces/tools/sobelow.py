"""The sobelow adapter: ``mix sobelow --config --format json``; every finding fails.

sobelow (a Hex package, the security linter of Phoenix code) is run through mix
with the project's ``.sobelow-conf``. Its JSON report is
``{"findings": {"high_confidence": [...], "medium_confidence": [...],
"low_confidence": [...]}, "total_findings": n, "sobelow_version": "..."}``; each
finding has ``type`` (``SQL.Query: SQL injection``), ``file`` and ``line``. Every
confidence level counts: a low-confidence finding is a warning, and warnings are
errors. Output that is not the report is ERROR.
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

TOOL = "sobelow"
CONFIDENCES: tuple[str, ...] = ("high_confidence", "medium_confidence", "low_confidence")


def argv(mix: Path) -> tuple[str, ...]:
    """The sobelow command, run in the directory of the Mix project."""
    return (str(mix), "sobelow", "--config", "--format", "json")


def run(
    runner: ProcessRunner,
    mix: Path,
    project: Path,
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run sobelow in ``project``; issues relative to ``root``."""
    return run_mix_report(
        runner, argv(mix), project, root, tool=TOOL, parse=parse, timeout=timeout, env=env
    )


def parse(text: str, project: Path, root: Path) -> tuple[LintIssue, ...]:
    """The findings of sobelow's JSON report (pure); ``ToolError`` when it is not one."""
    findings = mix_report_object(text, TOOL).get("findings")
    if not isinstance(findings, dict):
        raise ToolError("sobelow's JSON report has no findings object")
    issues: list[LintIssue] = []
    for confidence in CONFIDENCES:
        items = findings.get(confidence, [])
        if not isinstance(items, list):
            raise ToolError(f"sobelow's {confidence} findings are not a list")
        issues.extend(_issue(item, confidence, project, root) for item in items)
    return unique_sorted(issues)


def _issue(item: object, confidence: str, project: Path, root: Path) -> LintIssue:
    if not isinstance(item, dict) or not isinstance(item.get("file"), str):
        raise ToolError(f"sobelow reported a finding without a file: {str(item)[:200]}")
    kind = str(item.get("type", "unknown"))
    code = kind.split(":", 1)[0].strip() or "unknown"
    path = relative_path(item["file"], project, root)
    if path is None:
        raise ToolError(f"sobelow reported a file outside the repository: {item['file']}")
    level = confidence.replace("_", " ")
    return LintIssue(TOOL, code, f"{kind} ({level})", path, as_int(item.get("line")))
