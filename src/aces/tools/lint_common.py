"""What the linter adapters share: the issue type, paths and JSON lines.

Each linter adapter (``cargo_fmt``, ``clippy``, ``cargo_deny``, ``mix_format``,
``credo``, ``sobelow``, ``ruff``) has the same slots: ``run`` the program
(found and version-checked by ``aces.tools.resolve``) through the
``ProcessRunner`` and ``parse`` its output, a pure function tested on recorded
output. They all report
``LintIssue`` values; the stage turns those into findings.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aces.errors import ToolError
from aces.tools.process import CommandError, ProcessResult, ProcessRunner, describe_exit

VERSION_TIMEOUT_SECONDS = 60.0
# Linters of a large repository print a lot; a truncated report cannot be trusted.
LINT_MAX_OUTPUT = 64_000_000
# Where a JSON object starts: a brace and a key; "fn main() {" in noise is not one.
_OBJECT_START = re.compile(r'\{\s*"')


@dataclass(frozen=True)
class LintIssue:
    """One problem a linter reported, at a workspace-relative location when it has one."""

    tool: str  # "clippy", "ruff", ...
    code: str  # the linter's own id: "clippy::unwrap_used", "F401", "unformatted"
    message: str
    path: str | None = None  # POSIX, relative to the workspace root
    line: int | None = None
    column: int | None = None
    end_line: int | None = None  # the last line of what the issue is about, when reported
    end_column: int | None = None  # the column just after its end (SARIF's endColumn)
    tool_severity: str = ""  # the linter's own grading ("low", "high"), when it gives one

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by location, then code and message."""
        return (self.path or "", self.line or 0, self.column or 0, self.code, self.message)


def unique_sorted(issues: Sequence[LintIssue]) -> tuple[LintIssue, ...]:
    """Issues without repeats (cargo reports a lint once per target), in location order."""
    return tuple(sorted(set(issues), key=LintIssue.sort_key))


def relative_path(name: str, base: Path, root: Path) -> str | None:
    """``name`` (absolute, or relative to ``base``) relative to ``root``; None when outside."""
    candidate = base / name  # an absolute name replaces base
    absolute = Path(os.path.normpath(candidate))
    for parent in (root, root.resolve()):
        try:
            return absolute.relative_to(parent).as_posix()
        except ValueError:
            continue
    return None


def json_objects(text: str, stream: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSON-lines stream, with their 1-based line numbers.

    A line is an object when it parses as one, or when a JSON object starts
    inside it after a prefix of other output (a wrapper printing on the same
    line). Lines where no object starts (no ``{"``) are noise and skipped. A line that starts an
    object which does not parse is a ``ToolError`` naming the line: a damaged
    record may be a lost diagnostic, so it is never skipped.
    """
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        match = _OBJECT_START.search(line)
        if match is None:
            continue
        try:
            value = json.loads(line[match.start() :])
        except json.JSONDecodeError as exc:
            raise ToolError(
                f"line {number} of {stream} is not a complete JSON record ({exc.msg}): "
                f"{line[:120]!r}",
                hint="run the tool without other programs writing to its output",
            ) from exc
        if isinstance(value, dict):
            yield number, value


def expect_exit(result: ProcessResult, allowed: Sequence[int], what: str) -> None:
    """``CommandError`` naming ``what`` when the exit code is not one of ``allowed``."""
    if result.returncode not in allowed:
        raise CommandError(
            f"{what} failed: {describe_exit(result.returncode)}",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
            truncated=result.truncated,
        )


def reject_truncated(result: ProcessResult) -> None:
    """A truncated output may hide issues: ``CommandError``."""
    if result.truncated:
        raise CommandError(
            "printed more output than ACES keeps; the report would be incomplete",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
            truncated=True,
        )


def as_int(value: object) -> int | None:
    """A positive int from a JSON field, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def mix_report_object(text: str, tool: str) -> dict[str, Any]:
    """The JSON object a mix task printed as its report; mix may print compile lines first."""
    start = text.find("{")
    if start < 0:
        raise ToolError(f"{tool} printed no JSON report")
    try:
        value = json.loads(text[start:])
    except json.JSONDecodeError as exc:
        raise ToolError(f"{tool}'s JSON report does not parse: {exc.msg} at {exc.pos}") from exc
    if not isinstance(value, dict):
        raise ToolError(f"{tool}'s JSON report is not an object")
    return value


def run_mix_report(
    runner: ProcessRunner,
    argv: Sequence[str],
    project: Path,
    root: Path,
    *,
    tool: str,
    parse: Callable[[str, Path, Path], tuple[LintIssue, ...]],
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run a mix task that prints a JSON report in ``project``; issues relative to ``root``.

    Output that is not the report (mix could not start the task: the Hex dependency is
    missing) is a ``CommandError`` showing the command and what it printed.
    """
    result = runner.run(
        tuple(argv), cwd=project, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT
    )
    reject_truncated(result)
    if result.returncode < 0:  # killed by a signal: no report to read
        raise CommandError(
            describe_exit(result.returncode),
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    try:
        return parse(result.stdout, project, root)
    except ToolError as exc:
        raise CommandError(
            exc.message,
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
            hint=f"add {{:{tool}, ...}} to the project's deps and run mix deps.get",
        ) from exc
