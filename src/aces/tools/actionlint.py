"""The actionlint adapter: check GitHub Actions workflows, read its JSON errors.

actionlint (``github.com/rhysd/actionlint`` v1.7.12, built with ``go install``
into ``.tools/bin`` by ``make actionlint``) finds what makes a workflow invalid
or wrong: a job without ``runs-on``, an unknown key, a broken expression, a
``needs`` cycle, an unknown runner label, a bad permission scope. It needs no
network. Its shellcheck and pyflakes integrations are switched off
(``-shellcheck= -pyflakes=``): whether they run would depend on what else is
installed, and the same workflow must get the same verdict everywhere.

With ``-format '{{json .}}'`` it prints one JSON array of
``{message, filepath, line, column, end_column, kind}``. Exit codes: 0 no
problem, 1 problems found; anything else (2 bad command line, 3 fatal), a
signal, output that is not that array, or a report about a file that was not
asked for is a ``CommandError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from aces.errors import ToolError
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    as_int,
    expect_exit,
    reject_truncated,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessRunner

TOOL = "actionlint"
PINNED_VERSION = "1.7.12"
MODULE = "github.com/rhysd/actionlint/cmd/actionlint"
INSTALL_HINT = (
    f"make actionlint (GOBIN=$PWD/.tools/bin go install {MODULE}@v{PINNED_VERSION}; "
    "needs Go >= 1.21 from https://go.dev/dl; Debian 12's golang-go is too old)"
)
EXIT_PROBLEMS = 1


def argv(actionlint: Path, files: Sequence[str]) -> tuple[str, ...]:
    """The command checking ``files`` (relative to the repository root, where it runs)."""
    flags = ("-no-color", "-shellcheck=", "-pyflakes=", "-format", "{{json .}}")
    return (str(actionlint), *flags, "--", *files)


def run(
    runner: ProcessRunner,
    actionlint: Path,
    files: Sequence[str],
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Check ``files`` under ``root``; ``CommandError`` on anything but a report."""
    command = argv(actionlint, files)
    result = runner.run(command, cwd=root, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT)
    reject_truncated(result)
    expect_exit(result, (0, EXIT_PROBLEMS), "actionlint")
    try:
        issues = parse(result.stdout, frozenset(files))
    except ToolError as exc:
        raise CommandError(
            exc.message, argv=result.argv, stdout=result.stdout, stderr=result.stderr
        ) from exc
    if (result.returncode == EXIT_PROBLEMS) != bool(issues):
        raise CommandError(
            f"exited with {result.returncode} but reported {len(issues)} problem(s)",
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    return issues


def parse(text: str, files: frozenset[str]) -> tuple[LintIssue, ...]:
    """actionlint's JSON array (pure); ``ToolError`` when it is not one about ``files``."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError(f"actionlint's JSON output does not parse: {exc.msg} at {exc.pos}") from exc
    if not isinstance(items, list):
        raise ToolError("actionlint's JSON output is not a list of errors")
    return unique_sorted([_issue(item, files) for item in items])


def _issue(item: object, files: frozenset[str]) -> LintIssue:
    if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
        raise ToolError(f"actionlint reported an error without a kind: {str(item)[:200]}")
    path = item.get("filepath")
    if not isinstance(path, str) or path not in files:
        raise ToolError(f"actionlint reported a file it was not asked to check: {path!r}")
    line = as_int(item.get("line"))
    if line is None:
        raise ToolError(f"actionlint's {item['kind']} error in {path} has no line")
    message = str(item.get("message", "")).strip()
    return LintIssue(TOOL, item["kind"], message, path, line, as_int(item.get("column")))
