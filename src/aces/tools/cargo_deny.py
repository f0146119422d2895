"""The cargo-deny adapter: advisories, bans, licenses and sources, read as JSON.

``cargo deny --format json check`` writes one JSON record per line on stderr.
``{"type": "diagnostic", "fields": {...}}`` records carry ``severity``
(``error``, ``warning``, ``note``, ``help``), ``code`` (``vulnerability``,
``banned``, ``rejected``, ...), ``message``, ``labels`` and ``graphs`` whose
first entry names the crate (``{"Krate": {"name", "version"}}``);
``{"type": "summary"}`` closes the run and ``{"type": "log"}`` records carry
cargo-deny's own messages (``level`` ``ERROR`` when it could not check). Errors
and warnings are issues (warnings are errors); notes and help are not. The issue
points at the crate's entry in ``Cargo.lock`` when the crate is named, else at
``Cargo.toml``. Exit codes: 0 clean, 1 issues; anything else, or a non-zero exit
without an error diagnostic, is ERROR. It fetches the advisory database, so it is
not run with ``--offline``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aces.tools.catalog import get_tool
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    expect_exit,
    find_tool,
    json_objects,
    reject_truncated,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessRunner

TOOL = "cargo-deny"
_ISSUE_SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class DenyOutput:
    """What one cargo-deny run said: issues, its own error logs, and whether it summarised."""

    issues: tuple[LintIssue, ...]
    errors: tuple[str, ...]
    summarised: bool


@dataclass(frozen=True)
class CargoFiles:
    """Where a Cargo project's files are (relative to the workspace root) and the lock text."""

    manifest: str  # "Cargo.toml" or "crates/x/Cargo.toml"
    lock: str | None  # "Cargo.lock" when present
    lock_text: str = ""


def find(search: Sequence[Path]) -> Path:
    """The cargo-deny executable on ``search`` (``ToolError`` when missing)."""
    find_tool(get_tool("cargo"), search)
    return find_tool(get_tool("cargo-deny"), search)


def argv(deny: Path) -> tuple[str, ...]:
    """The check command, run in the directory of the Cargo workspace."""
    return (str(deny), "--format", "json", "check")


def run(
    runner: ProcessRunner,
    deny: Path,
    project: Path,
    files: CargoFiles,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> tuple[LintIssue, ...]:
    """Run cargo-deny in ``project``; the issues, or ERROR when it could not check."""
    result = runner.run(
        argv(deny), cwd=project, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT
    )
    reject_truncated(result)
    expect_exit(result, (0, 1), "cargo deny check")
    output = parse(result.stderr, files)
    failed = result.returncode != 0 and not output.issues
    if output.errors or failed or not output.summarised:
        why = output.errors[0] if output.errors else "no summary and no diagnostic ACES can read"
        raise CommandError(
            f"cargo deny could not check the dependencies: {why}",
            argv=result.argv,
            stderr=result.stderr,
        )
    return output.issues


def parse(text: str, files: CargoFiles) -> DenyOutput:
    """The records of ``--format json`` output (pure)."""
    issues: list[LintIssue] = []
    errors: list[str] = []
    summarised = False
    for _, record in json_objects(text, "cargo-deny's output"):
        fields = record.get("fields")
        if not isinstance(fields, dict):
            continue
        kind = record.get("type")
        if kind == "summary":
            summarised = True
        elif kind == "log" and str(fields.get("level", "")).upper() == "ERROR":
            errors.append(str(fields.get("message", "")).strip())
        elif kind == "diagnostic" and fields.get("severity") in _ISSUE_SEVERITIES:
            issues.append(_issue(fields, files))
    return DenyOutput(unique_sorted(issues), tuple(errors), summarised)


def _issue(fields: dict[str, Any], files: CargoFiles) -> LintIssue:
    code = fields.get("code")
    message = str(fields.get("message", "")).strip()
    crate = _crate(fields.get("graphs"))
    if crate is not None:
        message = f"{crate[0]} {crate[1]}: {message}"
        line = lock_line(files.lock_text, crate[0], crate[1])
        if files.lock is not None and line is not None:
            return LintIssue(TOOL, str(code or "diagnostic"), message, files.lock, line)
    return LintIssue(TOOL, str(code or "diagnostic"), message, files.manifest, 1)


def _crate(graphs: object) -> tuple[str, str] | None:
    """(name, version) of the crate a diagnostic is about, from its first graph."""
    if not isinstance(graphs, list) or not graphs or not isinstance(graphs[0], dict):
        return None
    krate = graphs[0].get("Krate")
    if not isinstance(krate, dict) or not isinstance(krate.get("name"), str):
        return None
    return str(krate["name"]), str(krate.get("version", ""))


def lock_line(lock_text: str, name: str, version: str) -> int | None:
    """The line of ``name = "<name>"`` in the ``[[package]]`` of that version (pure)."""
    lines = lock_text.splitlines()
    wanted_name, wanted_version = f'name = "{name}"', f'version = "{version}"'
    for index, line in enumerate(lines):
        if line.strip() != wanted_name:
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if not version or following == wanted_version:
            return index + 1
    return None
