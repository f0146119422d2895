"""The ruff adapter: ``ruff check`` and ``ruff format --check``, both read as JSON.

ruff is a pinned Python dependency of ACES: it is looked for in the
repository's ``.tools/``, on PATH, then beside the interpreter running ACES (the
virtual environment's ``bin``), so an ACES run from its venv never lacks it.
It runs on the workspace's hand-written Python files, each with the repository's
configuration that applies to it, passed explicitly, else ACES's default with the
project's Python version, and with the doctrine's required rules added on top
(``aces.tools.ruff_config``), never writing a cache into the repository
(``--no-cache``).

Both commands print a JSON array of violations (``code``, ``message``,
``filename``, ``location.row`` / ``.column``); ``ruff format --check`` reports
``code`` ``unformatted``. A syntax error has no code (``syntax-error``). Exit
codes: 0 clean, 1 violations, 2 ruff could not run (ERROR).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

from aces.errors import ToolError
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    as_int,
    expect_exit,
    reject_truncated,
    relative_path,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessRunner
from aces.tools.ruff_config import REQUIRED_RULES, RuffSetup

TOOL = "ruff"
SYNTAX_ERROR = "syntax-error"
# Paths per invocation: keeps the command line far below the system's limit.
CHUNK = 1000


def config_args(setup: RuffSetup, root: Path, *, formatting: bool = False) -> tuple[str, ...]:
    """How ruff gets its configuration: the project's file, else ACES's default.

    The project's file is passed with ``--config`` (no discovery, so no file above
    the repository is read); the default is ``--isolated`` with only the target
    version set, and for the formatter the project's black settings (``ruff_config``
    explains both). The linter does not take black's line length: the project's
    import sorter (isort's black profile) wraps imports at its own.
    """
    target = setup.target_version
    if setup.config is None:
        black = setup.settings if formatting else ()
        settings = (*((f"target-version = '{target}'",) if target else ()), *black)
        return ("--isolated", *(arg for s in settings for arg in ("--config", s)))
    pinned = ("--target-version", target) if target else ()
    return ("--config", str(root / setup.config), *pinned)


def check_argv(ruff: Path, setup: RuffSetup, root: Path) -> tuple[str, ...]:
    """``ruff check`` in JSON, the doctrine's required rules added to the project's selection."""
    head = (str(ruff), "check", "--no-cache", "--output-format=json", "--force-exclude")
    required = f"--extend-select={','.join(REQUIRED_RULES)}"
    return (*head, *config_args(setup, root), required)


def format_argv(ruff: Path, setup: RuffSetup, root: Path) -> tuple[str, ...]:
    """``ruff format --check`` in JSON."""
    head = (str(ruff), "format", "--check", "--no-cache", "--output-format=json")
    return (*head, "--force-exclude", *config_args(setup, root, formatting=True))


def run(
    runner: ProcessRunner,
    base_argv: tuple[str, ...],
    files: Sequence[str],
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
    cwd: str = "",
) -> tuple[LintIssue, ...]:
    """Run ``base_argv -- files`` in ``root / cwd`` (in chunks); issues relative to ``root``.

    ruff resolves a configuration's relative settings (``src``, which tells
    first-party imports apart; ``exclude``) from the directory it runs in, so it
    runs in the directory of the configuration it is given, as if it had found it.
    """
    issues: list[LintIssue] = []
    where = root / cwd if cwd else root
    names = [posixpath.relpath(f, cwd) if cwd else f for f in files]
    for start in range(0, len(names), CHUNK):
        command = (*base_argv, "--", *names[start : start + CHUNK])
        result = runner.run(
            command, cwd=where, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT
        )
        reject_truncated(result)
        expect_exit(result, (0, 1), f"ruff {base_argv[1]}")
        try:
            found = parse(result.stdout, root, where)
        except ToolError as exc:
            raise CommandError(
                exc.message, argv=result.argv, stdout=result.stdout, stderr=result.stderr
            ) from exc
        if result.returncode == 1 and not found:
            raise CommandError(
                "exited with 1 but reported no violation ACES can read",
                argv=result.argv,
                stdout=result.stdout,
                stderr=result.stderr,
            )
        issues.extend(found)
    return unique_sorted(issues)


def parse(text: str, root: Path, base: Path | None = None) -> tuple[LintIssue, ...]:
    """The violations of ruff's JSON output (pure); ``ToolError`` when it is not that."""
    try:
        items = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise ToolError(f"ruff's JSON output does not parse: {exc.msg} at {exc.pos}") from exc
    if not isinstance(items, list):
        raise ToolError("ruff's JSON output is not a list of violations")
    return unique_sorted([_issue(item, root, base or root) for item in items])


def _issue(item: object, root: Path, base: Path) -> LintIssue:
    if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
        raise ToolError(f"ruff reported a violation without a file: {str(item)[:200]}")
    path = relative_path(item["filename"], base, root)
    if path is None:
        raise ToolError(f"ruff reported a file outside the repository: {item['filename']}")
    location = item.get("location")
    row = as_int(location.get("row")) if isinstance(location, dict) else None
    column = as_int(location.get("column")) if isinstance(location, dict) else None
    end = item.get("end_location")
    end_row = as_int(end.get("row")) if isinstance(end, dict) else None
    # ruff's end column is the one after the last character, as SARIF's endColumn.
    end_column = as_int(end.get("column")) if isinstance(end, dict) else None
    code = item.get("code")
    message = str(item.get("message", "")).strip()
    return LintIssue(
        TOOL,
        code if isinstance(code, str) else SYNTAX_ERROR,
        message,
        path,
        row,
        column,
        end_row,
        end_column,
    )
