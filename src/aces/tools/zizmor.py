"""The zizmor adapter: audit GitHub Actions workflows offline, read its JSON report.

zizmor (a pinned Python dependency of ACES, ``zizmor==1.32.0``) finds the
security problems of a workflow: dangerous triggers (``pull_request_target``
with a checkout of the PR's head), template injection, excessive permissions,
persisted credentials, unpinned actions, cache poisoning, ... It runs with
``--offline`` (no network, no GitHub token), the ``auditor`` persona (its
default persona hides ``excessive-permissions``), ``--no-config`` and
``--no-ignores``: neither a ``zizmor.yml`` of the repository nor a
``# zizmor: ignore`` comment can silence a finding (no manual exceptions).
A ``template-injection`` zizmor files under its ``Pedantic`` persona expands a
value no attacker chooses (a static matrix entry, an ``env`` constant of the
workflow, a secret): a code smell, not an injection, so it is not returned.

Exit codes: 0 nothing found; 10 to 14 findings (by their highest severity);
3 when no input could be audited. A workflow that is not YAML or does not match
GitHub's workflow schema is skipped with a warning (which does not always name
the file); zizmor logs ``completed <path>`` for each input it audited, so every
input without that line is returned as ``skipped``: the caller reports it as not
audited rather than as clean.
Everything else (another exit code, a signal, output that is not zizmor's JSON
report, a report about a file that was not asked for) is a ``CommandError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aces.errors import ToolError
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    as_int,
    expect_exit,
    reject_truncated,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessResult, ProcessRunner

TOOL = "zizmor"
PINNED_VERSION = "1.32.0"
INSTALL_HINT = f"pip install zizmor=={PINNED_VERSION} (a pinned dependency of ACES)"
EXIT_NO_INPUTS = 3
MAX_FEATURE = 120
EXIT_FINDINGS = frozenset(range(10, 15))
_AUDITED = re.compile(r"\bcompleted (?P<path>.+?)\s*$", re.MULTILINE)
_NO_INPUTS = "no inputs collected"


@dataclass(frozen=True)
class ZizmorReport:
    """What one zizmor run found, and the inputs it could not audit (schema errors)."""

    issues: tuple[LintIssue, ...]
    skipped: tuple[str, ...]


def argv(zizmor: Path, files: Sequence[str]) -> tuple[str, ...]:
    """The command auditing ``files`` (relative to the repository root, where it runs)."""
    flags = ("--offline", "--persona=auditor", "--no-config", "--no-ignores", "--no-progress")
    return (str(zizmor), *flags, "--color=never", "--format=json", "--", *files)


def run(
    runner: ProcessRunner,
    zizmor: Path,
    files: Sequence[str],
    root: Path,
    *,
    timeout: float,
    env: Mapping[str, str],
) -> ZizmorReport:
    """Audit ``files`` under ``root``; ``CommandError`` on anything but a report."""
    command = argv(zizmor, files)
    result = runner.run(command, cwd=root, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT)
    reject_truncated(result)
    audited = {m.group("path") for m in _AUDITED.finditer(result.stderr)}
    skipped = tuple(sorted(set(files) - audited))
    if result.returncode == EXIT_NO_INPUTS and not audited and _NO_INPUTS in result.stderr:
        return ZizmorReport((), skipped)  # no input is a workflow zizmor can read
    expect_exit(result, (0, *sorted(EXIT_FINDINGS)), "zizmor")
    try:
        items = _items(result.stdout)
        issues = _judged(items, frozenset(files) - frozenset(skipped))
    except ToolError as exc:
        raise _error(exc.message, result) from exc
    if result.returncode in EXIT_FINDINGS and not items:
        raise _error(f"exited with {result.returncode} but reported no finding", result)
    if result.returncode == 0 and items:
        raise _error("exited with 0 (nothing found) but reported findings", result)
    return ZizmorReport(issues, skipped)


def _error(message: str, result: ProcessResult) -> CommandError:
    return CommandError(message, argv=result.argv, stdout=result.stdout, stderr=result.stderr)


def parse(text: str, files: frozenset[str]) -> tuple[LintIssue, ...]:
    """zizmor's JSON (v1) report (pure); ``ToolError`` when it is not one about ``files``."""
    return _judged(_items(text), files)


def _items(text: str) -> list[object]:
    """The findings of zizmor's JSON report, unread; ``ToolError`` when it is not one."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError(f"zizmor's JSON report does not parse: {exc.msg} at {exc.pos}") from exc
    if not isinstance(items, list):
        raise ToolError("zizmor's JSON report is not a list of findings")
    return items


def _judged(items: Sequence[object], files: frozenset[str]) -> tuple[LintIssue, ...]:
    """Every finding but the static expansions, each read strictly."""
    return unique_sorted([_issue(item, files) for item in items if not _static_expansion(item)])


def _static_expansion(item: object) -> bool:
    """A template expansion zizmor knows no attacker controls: its ``Pedantic`` persona."""
    if not isinstance(item, dict) or item.get("ident") != "template-injection":
        return False
    determinations = item.get("determinations")
    persona = determinations.get("persona") if isinstance(determinations, dict) else None
    return persona == "Pedantic"


def _issue(item: object, files: frozenset[str]) -> LintIssue:
    """One finding at its primary location (zizmor's rows are 0-based)."""
    if not isinstance(item, dict) or not isinstance(item.get("ident"), str):
        raise ToolError(f"zizmor reported a finding without an audit id: {str(item)[:200]}")
    primary = [loc for loc in _locations(item) if loc["symbolic"].get("kind") == "Primary"]
    if not primary:
        raise ToolError(f"zizmor's {item['ident']} finding has no primary location")
    where = primary[0]
    path = _path(where["symbolic"].get("key"))
    if path not in files:
        raise ToolError(f"zizmor reported a file it was not asked to audit: {path!r}")
    span = where["concrete"].get("location")
    point = span.get("start_point") if isinstance(span, dict) else None
    end = span.get("end_point") if isinstance(span, dict) else None
    if not isinstance(point, dict) or not isinstance(end, dict):
        raise ToolError(f"zizmor's {item['ident']} finding in {path} has no span")
    row, column = _one_based(point.get("row")), _one_based(point.get("column"))
    end_row = _one_based(end.get("row"))
    if row is None:
        raise ToolError(f"zizmor's {item['ident']} finding in {path} has no line")
    annotation = str(where["symbolic"].get("annotation", "")).strip()
    desc = str(item.get("desc", "")).strip()
    message = f"{desc}: {annotation}" if annotation else desc
    quoted = _flagged(where)
    if quoted:
        message += f" (`{quoted}`)"
    grading = item.get("determinations")
    severity = grading.get("severity") if isinstance(grading, dict) else None
    return LintIssue(
        TOOL,
        item["ident"],
        message,
        path,
        row,
        column,
        end_row,
        tool_severity=severity.lower() if isinstance(severity, str) else "",
    )


def _flagged(where: Mapping[str, Any]) -> str:
    """What a location flags, as written: the fragment of a value (the expression of a
    template injection, whose value may be a whole script), else the first line of the
    feature (a ``uses:`` line); '' when there is none or it is too long to quote."""
    kind = where["symbolic"].get("feature_kind")
    sub = kind.get("Subfeature") if isinstance(kind, dict) else None
    fragment = sub.get("fragment") if isinstance(sub, dict) else None
    raw = fragment.get("Raw") if isinstance(fragment, dict) else None
    lines = str(raw if isinstance(raw, str) else where["concrete"].get("feature", ""))
    first = lines.strip().splitlines()[:1]
    return first[0] if first and len(first[0]) <= MAX_FEATURE else ""


def _locations(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    locations = item.get("locations")
    if not isinstance(locations, list) or not all(
        isinstance(loc, dict)
        and isinstance(loc.get("symbolic"), dict)
        and isinstance(loc.get("concrete"), dict)
        for loc in locations
    ):
        raise ToolError(f"zizmor's {item.get('ident')} finding has malformed locations")
    return locations


def _path(key: object) -> str:
    """The workflow path of a location key (``{"Local": {"verbatim_path": ...}}``)."""
    local = key.get("Local") if isinstance(key, dict) else None
    path = local.get("verbatim_path") if isinstance(local, dict) else None
    if not isinstance(path, str):
        raise ToolError(f"zizmor reported a location outside the repository: {str(key)[:200]}")
    return path


def _one_based(value: object) -> int | None:
    """zizmor's 0-based row / column as a 1-based number."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return as_int(value + 1)
