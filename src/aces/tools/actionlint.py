"""The actionlint adapter: check GitHub Actions workflows, read its JSON errors.

actionlint (``github.com/rhysd/actionlint`` v1.7.12, built with ``go install``
into ``.tools/bin`` by ``make actionlint``) finds what makes a workflow invalid
or wrong: a job without ``runs-on``, an unknown key, a broken expression, a
``needs`` cycle, an unknown runner label, a bad permission scope. It needs no
network. Its shellcheck and pyflakes integrations are switched off
(``-shellcheck= -pyflakes=``): whether they run would depend on what else is
installed, and the same workflow must get the same verdict everywhere.

The repository's ``.github/actionlint.yaml`` (or ``.yml``) is read by ACES, not by
actionlint: only what describes the repository's runners is kept
(``self-hosted-runner`` labels, ``config-variables``) and passed with
``-config-file``; its ``paths: ... ignore:`` patterns would silence errors, and no
manual exception passes a check. Passing the file also makes the verdict the same
whether or not the tree is a git checkout (where actionlint looks for it).

With ``-format '{{json .}}'`` it prints one JSON array of
``{message, filepath, line, column, end_column, kind}``. Exit codes: 0 no
problem, 1 problems found; anything else (2 bad command line, 3 fatal), a
signal, output that is not that array, or a report about a file that was not
asked for is a ``CommandError``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from aces.errors import InputError, ToolError
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


CONFIG_FILES = (".github/actionlint.yaml", ".github/actionlint.yml")
# What a configuration may say: facts about the repository's runners and variables.
KEPT_KEYS = ("self-hosted-runner", "config-variables")


def argv(actionlint: Path, config: Path, files: Sequence[str]) -> tuple[str, ...]:
    """The command checking ``files`` (relative to the repository root, where it runs)."""
    flags = ("-no-color", "-shellcheck=", "-pyflakes=", "-config-file", str(config))
    return (str(actionlint), *flags, "-format", "{{json .}}", "--", *files)


def runner_config(root: Path) -> str:
    """The repository's actionlint configuration without anything that silences an error.

    ``InputError`` naming the file when it is not a YAML mapping.
    """
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file():
            return _kept(name, path.read_text(encoding="utf-8", errors="replace"))
    return ""


def _kept(name: str, text: str) -> str:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{name} is not valid YAML: {exc}", path=name) from exc
    if data is None:
        return ""
    if not isinstance(data, dict):
        raise InputError(
            f"{name} is not an actionlint configuration (a mapping)",
            path=name,
            hint="see https://github.com/rhysd/actionlint/blob/main/docs/config.md",
        )
    kept = {key: data[key] for key in KEPT_KEYS if key in data}
    return yaml.safe_dump(kept, sort_keys=True) if kept else ""


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
    with tempfile.TemporaryDirectory(prefix="aces-actionlint-") as scratch:
        config = Path(scratch) / "actionlint.yaml"
        config.write_text(runner_config(root), encoding="utf-8")
        command = argv(actionlint, config, files)
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
