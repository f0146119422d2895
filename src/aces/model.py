"""The result model: findings, check / stage results and the run report.

Everything here is plain, immutable data. Reporters, gates and the exit code are
pure functions of a ``RunReport``; ``RunReport.to_dict()`` is the versioned JSON
form (``REPORT_SCHEMA_VERSION``, documented in ``docs/report-schema.md``).
Everything outside the ``timing`` block is deterministic for the same inputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

REPORT_SCHEMA_VERSION = "1.0"


class Status(StrEnum):
    """Outcome of a check or a stage."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    BLOCKED = "BLOCKED"
    NOT_RUN = "NOT_RUN"

    @property
    def blocks(self) -> bool:
        """True when this outcome stops a merge (fail closed)."""
        return self in (Status.FAIL, Status.ERROR, Status.BLOCKED)


class Severity(StrEnum):
    """How a finding is shown and whether it blocks.

    ERROR and WARNING block. NOTE is information: it is reported (every format
    shows it) but never fails its check; a check uses it only where the policy
    says a kind of finding is not a violation (a fake value in a test fixture).
    """

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def blocks(self) -> bool:
        """True for a finding that fails its check (every severity but NOTE)."""
        return self is not Severity.NOTE


class Verdict(StrEnum):
    """The verdict of a whole run, mapped one-to-one to the exit code."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"

    @property
    def exit_code(self) -> int:
        """0 pass, 1 doctrine violated, 2 cannot verify."""
        return {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.ERROR: 2}[self]


@dataclass(frozen=True, order=True)
class Location:
    """A place in the repository: a POSIX path relative to the root, 1-based line/column."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form, with absent coordinates left out."""
        out: dict[str, Any] = {"path": self.path}
        for key in ("line", "column", "end_line", "end_column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Finding:
    """One violation of a clause, at a place, with a way to fix it.

    The fingerprint leaves line numbers out so that a baseline survives edits
    above the finding; ``key`` lets a rule say what identifies its finding
    when the message alone is not enough.
    """

    rule_id: str
    clauses: tuple[str, ...]
    message: str
    location: Location | None = None
    severity: Severity = Severity.ERROR
    help: str = ""
    key: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable identity of the finding, without line numbers."""
        path = self.location.path if self.location else ""
        material = "\x1f".join((self.rule_id, path, self.key or self.message))
        # surrogateescape: a file name that is not UTF-8 hashes as its own bytes.
        return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by place, then rule, then message: the report order."""
        loc = self.location
        return (
            loc.path if loc else "",
            (loc.line or 0) if loc else 0,
            (loc.column or 0) if loc else 0,
            self.rule_id,
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "clauses": list(self.clauses),
            "message": self.message,
            "severity": self.severity.value,
            "fingerprint": self.fingerprint,
        }
        if self.location is not None:
            out["location"] = self.location.to_dict()
        if self.help:
            out["help"] = self.help
        return out


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check; ``reason`` explains ERROR and NOT_APPLICABLE."""

    check_id: str
    stage: int
    clauses: tuple[str, ...]
    status: Status
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    tools: tuple[tuple[str, str], ...] = ()
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``cached`` is timing-like and kept out of it)."""
        out: dict[str, Any] = {
            "id": self.check_id,
            "stage": self.stage,
            "clauses": list(self.clauses),
            "status": self.status.value,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.reason:
            out["reason"] = self.reason
        if self.tools:
            out["tools"] = dict(self.tools)
        return out


@dataclass(frozen=True)
class StageResult:
    """The outcome of one of the 12 stages."""

    number: int
    name: str
    title: str
    status: Status
    checks: tuple[CheckResult, ...] = ()
    reason: str = ""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of every check of the stage, in report order."""
        return tuple(f for check in self.checks for f in check.findings)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "number": self.number,
            "name": self.name,
            "title": self.title,
            "status": self.status.value,
            "checks": [c.to_dict() for c in self.checks],
        }
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class ChangeSummary:
    """What the report says about the Change it verified."""

    base: str | None
    head: str | None
    whole_tree: bool
    changed_files: tuple[str, ...] = ()
    classes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    base_rule: str = ""  # the rule of docs/change.md that chose the base
    roles: tuple[tuple[str, int], ...] = ()  # workspace files classified test, fixture, ...
    nested_projects: tuple[str, ...] = ()  # directories with their own aces.toml, left out

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "base": self.base,
            "base_rule": self.base_rule,
            "head": self.head,
            "whole_tree": self.whole_tree,
            "changed_files": list(self.changed_files),
            "classes": {name: list(paths) for name, paths in self.classes},
            "roles": dict(self.roles),
        }
        if self.nested_projects:
            out["nested_projects"] = list(self.nested_projects)
        return out


@dataclass(frozen=True)
class RuleInfo:
    """What a rule (a check id, or a finer rule id of a check) is: the SARIF rule metadata."""

    rule_id: str
    title: str
    clauses: tuple[str, ...]
    help: str = ""
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.rule_id,
            "title": self.title,
            "clauses": list(self.clauses),
            "help": self.help,
            "description": self.description,
        }


@dataclass(frozen=True)
class RunReport:
    """Everything a run established; the single input of reporters and gates."""

    aces_version: str
    doctrine_version: str
    policy_source: str
    policy_version: str
    stages: tuple[StageResult, ...]
    verdict: Verdict
    selected_stages: tuple[int, ...] = ()
    change: ChangeSummary | None = None
    notes: tuple[str, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    timing: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        """Every check result, in stage then id order."""
        return tuple(c for s in self.stages for c in s.checks)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of the run."""
        return tuple(f for s in self.stages for f in s.findings)

    def to_dict(self, *, with_timing: bool = True) -> dict[str, Any]:
        """The versioned JSON form; ``timing`` is the only non-deterministic block."""
        out: dict[str, Any] = {
            "schema_version": REPORT_SCHEMA_VERSION,
            "aces_version": self.aces_version,
            "doctrine_version": self.doctrine_version,
            "policy": {"source": self.policy_source, "version": self.policy_version},
            "verdict": self.verdict.value,
            "exit_code": self.verdict.exit_code,
            "selected_stages": list(self.selected_stages),
            "change": self.change.to_dict() if self.change else None,
            "notes": list(self.notes),
            "stages": [s.to_dict() for s in self.stages],
            "rules": [r.to_dict() for r in self.rules],
        }
        if with_timing:
            out["timing"] = self.timing
        return out


def compute_verdict(stages: tuple[StageResult, ...], *, partial_allowed: bool) -> Verdict:
    """FAIL when a violation is known, ERROR when anything could not be verified.

    A stage that did not run (blocked, or not selected) is never a pass: unless
    the user asked for a subset with ``--stage``, it makes the verdict ERROR.
    """
    statuses = {s.status for s in stages}
    if Status.FAIL in statuses:
        return Verdict.FAIL
    if Status.ERROR in statuses or Status.BLOCKED in statuses:
        return Verdict.ERROR
    if Status.NOT_RUN in statuses and not partial_allowed:
        return Verdict.ERROR
    if not stages:
        return Verdict.ERROR
    return Verdict.PASS
