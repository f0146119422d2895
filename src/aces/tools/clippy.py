"""The clippy adapter: ``cargo clippy`` in JSON, pedantic and nursery; every warning counts.

``cargo clippy --workspace --all-targets --message-format=json --offline
[--locked] -- -W clippy::pedantic -W clippy::nursery`` prints one
JSON record per line on stdout: ``compiler-message`` records carry a rustc
diagnostic (``level``, ``code.code``, ``message``, ``spans`` with
``is_primary``), and a final ``build-finished`` record says whether the build
succeeded. A lint diagnostic (``clippy::...`` or a rustc lint such as
``unused_variables``) is an issue; a hard compiler error (code ``E0425``, or no
code at all) means the code does not build and nothing can be verified: ERROR
with the message. Non-JSON lines (a wrapper's noise) are skipped; a damaged
record, a missing ``build-finished`` or a failed build without diagnostics is
ERROR. cargo reports a lint once per target (lib, lib test): repeats are merged.
Warnings are not denied (``-D warnings``): a denied lint fails its crate, and cargo
then never checks the crates that depend on it; each warning is an issue all the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aces.tools.cargo_failure import cargo_setup_cause
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    as_int,
    expect_exit,
    json_objects,
    reject_truncated,
    relative_path,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessResult, ProcessRunner

TOOL = "clippy"
LINT_ARGS: tuple[str, ...] = ("-W", "clippy::pedantic", "-W", "clippy::nursery")
_HARD_ERROR_CODE = re.compile(r"^E\d{4}$")
# Summary lines rustc adds after the diagnostics; they carry no code and no span.
_SUMMARY = re.compile(r"^(aborting due to|\d+ warnings? emitted|could not compile)")
_DIAGNOSTIC_LEVELS = ("error", "warning")


@dataclass(frozen=True)
class ClippyOutput:
    """What one clippy run said: lint issues, build errors, and whether the build finished."""

    issues: tuple[LintIssue, ...]
    build_errors: tuple[str, ...]
    finished: bool  # a build-finished record was seen
    success: bool  # what that record said


def argv(cargo: Path, *, locked: bool) -> tuple[str, ...]:
    """The clippy command, run in the directory of the Cargo workspace."""
    flags = ("--offline", "--locked") if locked else ("--offline",)
    return (
        str(cargo),
        "clippy",
        "--workspace",
        "--all-targets",
        "--message-format=json",
        *flags,
        "--",
        *LINT_ARGS,
    )


def run(
    runner: ProcessRunner,
    cargo: Path,
    project: Path,
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run clippy in ``project``; the lint issues, or ERROR when it cannot verify."""
    locked = (project / "Cargo.lock").is_file()
    result = runner.run(
        argv(cargo, locked=locked),
        cwd=project,
        timeout=timeout,
        env=env,
        max_output=LINT_MAX_OUTPUT,
    )
    reject_truncated(result)
    expect_exit(result, (0, 101), "cargo clippy")
    return verdict(result, parse(result.stdout, project, root))


def verdict(result: ProcessResult, output: ClippyOutput) -> tuple[LintIssue, ...]:
    """The issues of a run, or ``CommandError`` when the run did not verify the code."""
    if output.build_errors:
        shown = "; ".join(output.build_errors[:3])
        more = f" (and {len(output.build_errors) - 3} more)" if len(output.build_errors) > 3 else ""
        raise _error(result, f"the code does not build: {shown}{more}")
    if not output.finished:  # cargo's own reason first, when it could not start the build
        said = cargo_setup_cause(result.stderr)
        raise _error(result, said or "stopped before cargo's build-finished record")
    if not output.success and not output.issues:
        raise _error(result, "the build failed without a diagnostic ACES can read")
    return output.issues


def _error(result: ProcessResult, message: str) -> CommandError:
    return CommandError(message, argv=result.argv, stdout="", stderr=result.stderr)


def parse(text: str, project: Path, root: Path) -> ClippyOutput:
    """The records of ``--message-format=json`` output (pure)."""
    issues: list[LintIssue] = []
    errors: list[str] = []
    finished = success = False
    for _, record in json_objects(text, "clippy's output"):
        reason = record.get("reason")
        if reason == "build-finished":
            finished, success = True, record.get("success") is True
        elif reason == "compiler-message":
            message = record.get("message")
            if isinstance(message, dict):
                _diagnostic(message, project, root, issues, errors)
    return ClippyOutput(unique_sorted(issues), tuple(dict.fromkeys(errors)), finished, success)


def _diagnostic(
    message: dict[str, Any],
    project: Path,
    root: Path,
    issues: list[LintIssue],
    errors: list[str],
) -> None:
    """Sort one rustc diagnostic into a lint issue, a build error, or nothing."""
    level = message.get("level")
    text = str(message.get("message", "")).strip()
    if level not in _DIAGNOSTIC_LEVELS or _SUMMARY.match(text):
        return
    code_field = message.get("code")
    code = code_field.get("code") if isinstance(code_field, dict) else None
    path, line, column = primary_location(message.get("spans"), project, root)
    end_line, end_column = _one_line_end(message.get("spans"), project, root, line)
    if not isinstance(code, str) or _HARD_ERROR_CODE.match(code):
        if level == "error":
            where = f"{path}:{line}: " if path else ""
            errors.append(f"{where}{text}" + (f" [{code}]" if isinstance(code, str) else ""))
            return
        code = "warnings"
    issues.append(LintIssue(TOOL, code, text, path, line, column, end_line, end_column))


def primary_location(
    spans: object, project: Path, root: Path
) -> tuple[str | None, int | None, int | None]:
    """The file, line and column of the primary span, followed out of macros into the repo."""
    found = _primary_span(spans, project, root)
    if found is None:
        return None, None, None
    path, span = found
    return path, as_int(span.get("line_start")), as_int(span.get("column_start"))


def _one_line_end(
    spans: object, project: Path, root: Path, line: int | None
) -> tuple[int | None, int | None]:
    """The end of a primary span that stays on its line (rustc's column_end is exclusive,
    as SARIF's endColumn); a span over several lines keeps only its start."""
    found = _primary_span(spans, project, root)
    if found is None or line is None or as_int(found[1].get("line_end")) != line:
        return None, None
    return line, as_int(found[1].get("column_end"))


def _primary_span(spans: object, project: Path, root: Path) -> tuple[str, dict[str, Any]] | None:
    """The primary span in a repository file, and that file's path."""
    if not isinstance(spans, list):
        return None
    primary = [s for s in spans if isinstance(s, dict) and s.get("is_primary") is True]
    span: Any = primary[0] if primary else None
    while isinstance(span, dict):
        path = relative_path(str(span.get("file_name", "")), project, root)
        if path is not None and span.get("file_name"):
            return path, span
        expansion = span.get("expansion")
        span = expansion.get("span") if isinstance(expansion, dict) else None
    return None
