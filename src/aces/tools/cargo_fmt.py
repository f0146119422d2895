"""The ``cargo fmt --check`` adapter: every hunk rustfmt would change is an issue.

``cargo fmt --all --check -- --color never`` prints one diff per changed hunk,
headed ``Diff in <file>:<line>:`` (older rustfmt: ``Diff in <file> at line
<line>:``), where the line is the first line of the hunk, context included. The
issue points at the first line that would change. Exit codes: 0 formatted, 1
diffs found (or a file rustfmt cannot parse, reported on stderr as ``error``).

``error[internal]: <what>`` followed by ``--> <file>:<line>:..`` is rustfmt
formatting everything but one line it cannot clean (trailing whitespace left
in a macro call, a line over the width): that line is an issue of its own, and
the diffs of the rest still count. Any other ``error`` is a file rustfmt
could not read, and the check cannot judge it.
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

TOOL = "rustfmt"
CODE = "rustfmt"
MESSAGE = "not formatted as rustfmt formats it"
_INTERNAL = "error[internal]:"
_ARROW = re.compile(r"^\s*--> (?P<path>.+?):(?P<line>\d+)(?::\d+)*\s*$")
_HEADER = re.compile(r"^Diff in (?P<path>.+?)(?::| at line )(?P<line>\d+):\s*$")


def argv(cargo: Path) -> tuple[str, ...]:
    """The check command, run in the directory of the Cargo workspace."""
    return (str(cargo), "fmt", "--all", "--check", "--", "--color", "never")


def run(
    runner: ProcessRunner,
    cargo: Path,
    project: Path,
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run the check in ``project``; issues relative to ``root``."""
    result = runner.run(
        argv(cargo), cwd=project, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT
    )
    reject_truncated(result)
    expect_exit(result, (0, 1), "cargo fmt --check")
    unformattable = internal_errors(result.stderr, project, root)
    errors = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("error") and not line.startswith(_INTERNAL)
    ]
    if errors:
        raise CommandError(
            f"rustfmt cannot format the code: {errors[0][:200]}",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    issues = parse(result.stdout, project, root)
    if result.returncode == 0 and result.stdout.strip():
        raise CommandError(  # formatted code makes rustfmt print nothing
            "exited with 0 (formatted) but printed output ACES cannot read",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    issues = unique_sorted([*issues, *unformattable])
    if result.returncode == 1 and not issues:
        raise CommandError(
            "exited with 1 (unformatted code) but printed no diff ACES can read",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    return issues


def parse(text: str, project: Path, root: Path) -> tuple[LintIssue, ...]:
    """One issue per diff hunk, at its first changed line (pure)."""
    issues: list[LintIssue] = []
    header: tuple[str, int] | None = None
    context = 0
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match is not None:
            header = (match.group("path"), int(match.group("line")))
            context = 0
            continue
        if header is None:
            continue
        if line[:1] in ("-", "+"):
            issues.append(_issue(header[0], header[1] + context, project, root))
            header = None
        else:
            context += 1
    return unique_sorted(issues)


def internal_errors(text: str, project: Path, root: Path) -> tuple[LintIssue, ...]:
    """One issue per ``error[internal]`` of rustfmt's stderr, at the line it names (pure)."""
    issues: list[LintIssue] = []
    what: str | None = None
    for line in text.splitlines():
        if line.startswith(_INTERNAL):
            what = line[len(_INTERNAL) :].strip()
            continue
        match = _ARROW.match(line)
        if what is not None and match is not None:
            message = f"rustfmt cannot format this line: {what}"
            issues.append(
                _issue(match.group("path"), int(match.group("line")), project, root, message)
            )
            what = None
    return unique_sorted(issues)


def _issue(name: str, line: int, project: Path, root: Path, message: str = MESSAGE) -> LintIssue:
    path = relative_path(name, project, root)
    if path is None:
        raise ToolError(f"rustfmt reported a file outside the repository: {name}")
    return LintIssue(TOOL, CODE, message, path, line)
