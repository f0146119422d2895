"""Hold the line: in a PR, stage 3 judges the code the change adds, and counts the rest.

In PR mode (a Change with a base) a stage 3 finding on a file the change does
not touch, or on an unchanged line of a touched file, is existing debt: it is
counted in one non-blocking note per check ("N findings of existing debt
outside the change (not blocking)"), while findings on changed lines and in
added files fail as always. ``[patterns] debt = "block"`` makes debt block;
a whole-tree run (no base) judges everything. Linters that can run file by file
are given only the changed files (``changed_only``); the others run whole and
their findings are filtered here.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from collections.abc import Iterable, Iterator

from aces.model import Finding, Severity
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.workspace.changed_lines import ChangedLines

BLOCK = "block"
DEBT_RULE = "debt"


def holding(ctx: RunContext) -> ChangedLines | None:
    """The changed lines when debt is held (PR mode, not ``debt = "block"``), else None."""
    if ctx.change.whole_tree or ctx.policy.patterns.debt == BLOCK:
        return None
    return ctx.memo.get("stage3.changed_lines", lambda: ChangedLines.of(ctx.change))


def changed_only(ctx: RunContext, files: Iterable[str]) -> tuple[str, ...]:
    """The files worth scanning: the changed ones while debt is held, else all of them."""
    lines = holding(ctx)
    return tuple(f for f in files if lines is None or lines.file_changed(f))


def scope_key(ctx: RunContext) -> str:
    """What of the Change a held check's result depends on ('' when every finding is judged)."""
    lines = holding(ctx)
    if lines is None:
        return ""
    material = repr(sorted(lines.files.items()))
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def debt_note(check: Check, count: int) -> Finding:
    """The one non-blocking finding that counts a check's existing debt."""
    noun = "finding" if count == 1 else "findings"
    return check.finding(
        f"{count} {noun} of existing debt outside the change (not blocking)",
        rule_id=f"{check.id}.{DEBT_RULE}",
        help='Fix them in their own change; [patterns] debt = "block" makes them block.',
        key=DEBT_RULE,
        severity=Severity.NOTE,
    )


def hold_the_line(check: Check, ctx: RunContext, found: Iterable[Finding]) -> Iterator[Finding]:
    """The findings on changed lines, then one note counting the blocking ones elsewhere."""
    lines = holding(ctx)
    if lines is None:
        yield from found
        return
    debt = 0
    for finding in found:
        if lines.touches(finding.location):
            yield finding
        elif finding.severity.blocks:
            debt += 1
    if debt:
        yield debt_note(check, debt)


class HoldsTheLine(Check):
    """A stage 3 check whose findings outside a PR's changed lines are counted as debt."""

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """The findings of ``judge`` on the change, and the debt note."""
        yield from hold_the_line(self, ctx, self.judge(ctx))

    @abstractmethod
    def judge(self, ctx: RunContext) -> Iterable[Finding]:
        """Every finding of the check, on whatever files it scanned."""
