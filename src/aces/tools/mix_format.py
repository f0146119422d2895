"""The ``mix format --check-formatted`` adapter: every unformatted file is an issue.

In a Mix project, ``mix format --check-formatted`` exits 1 and prints (on
stderr) ``mix format failed due to --check-formatted.`` then ``The following
files are not formatted:`` and one bullet per file (``  * lib/a.ex``; newer
Elixir versions use ``•`` and add a diff after ``lib/a.ex:``). Each listed file
is one issue at its first line. Exit 0 is clean; exit 1 with no file listed, or
any other exit code (a broken ``.formatter.exs``), is ERROR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from aces.errors import ToolError
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    expect_exit,
    reject_truncated,
    relative_path,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessRunner

TOOL = "mix-format"
CODE = "unformatted"
MESSAGE = "not formatted as mix format formats it"
_HEADER = "The following files are not formatted"
_BULLET = re.compile(r"^\s*[*•]\s+(?P<path>\S.*?):?\s*$")


def argv(mix: Path) -> tuple[str, ...]:
    """The check command, run in the directory of the Mix project."""
    return (str(mix), "format", "--check-formatted")


def run(
    runner: ProcessRunner,
    mix: Path,
    project: Path,
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run the check in ``project``; issues relative to ``root``."""
    result = runner.run(
        argv(mix), cwd=project, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT
    )
    reject_truncated(result)
    expect_exit(result, (0, 1), "mix format --check-formatted")
    issues = parse(result.stdout + "\n" + result.stderr, project, root)
    if result.returncode == 1 and not issues:
        raise CommandError(
            "exited with 1 but listed no unformatted file ACES can read",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    return issues


def parse(text: str, project: Path, root: Path) -> tuple[LintIssue, ...]:
    """One issue per file listed after the header (pure)."""
    issues: list[LintIssue] = []
    listing = False
    for line in text.splitlines():
        if line.startswith(_HEADER):
            listing = True
            continue
        match = _BULLET.match(line) if listing else None
        if match is None:
            continue
        path = relative_path(match.group("path"), project, root)
        if path is None:
            raise ToolError(f"mix format listed a file outside the repository: {line.strip()}")
        issues.append(LintIssue(TOOL, CODE, MESSAGE, path, 1))
    return unique_sorted(issues)
