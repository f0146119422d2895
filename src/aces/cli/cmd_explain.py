"""``aces explain <check-or-clause-id>``: what is enforced, why, and how to fix it."""

from __future__ import annotations

import argparse
import inspect
from typing import Any

from aces.doctrine.catalog import load_doctrine
from aces.doctrine.matrix import build_matrix
from aces.errors import InputError
from aces.pipeline.check import Check
from aces.pipeline.registry import StageDef
from aces.stages import STAGES


def add_parser(sub: Any) -> None:
    """Register the ``explain`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "explain", help="explain a check, a rule or a doctrine clause"
    )
    parser.add_argument("id", help="a check id, rule id or clause id (e.g. spec.sections)")
    parser.set_defaults(func=handle)


def explain(identifier: str, stages: tuple[StageDef, ...] = STAGES) -> str:
    """The explanation text for a check, a finer rule id, or a clause id."""
    doctrine = load_doctrine()
    checks = {c.id: c for s in stages for c in s.checks}
    check = checks.get(identifier) or _check_of_rule(identifier, checks)
    if check is not None:
        return _explain_check(check, identifier, doctrine.get)
    clause = doctrine.get(identifier)
    if clause is not None:
        row = next(r for r in build_matrix(doctrine, stages) if r.clause_id == identifier)
        lines = [
            f"{clause.id} (ACES 1.0.0 section {clause.section}"
            + (f", stage {clause.stage})" if clause.stage else ")"),
            f"  {clause.text}",
            "",
            f"state: {row.state}",
        ]
        for check_id in row.checks:
            lines.append(f"  enforced by {check_id}: {checks[check_id].title}")
        if not row.checks:
            lines.append("  no check enforces this clause yet: stages without checks are ERROR")
        return "\n".join(lines) + "\n"
    known = sorted(set(checks) | doctrine.ids)
    import difflib

    close = difflib.get_close_matches(identifier, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "run 'aces doctrine' to list clause ids"
    raise InputError(f"unknown check or clause id {identifier!r}", hint=hint)


def _check_of_rule(rule_id: str, checks: dict[str, Check]) -> Check | None:
    """A finer rule id such as ``spec.sections.missing`` belongs to ``spec.sections``."""
    parts = rule_id.split(".")
    while len(parts) > 1:
        parts.pop()
        found = checks.get(".".join(parts))
        if found is not None:
            return found
    return None


def _explain_check(check: Check, asked: str, clause_of: Any) -> str:
    lines = [f"{check.id}: {check.title} (stage {check.stage})"]
    if asked != check.id:
        lines[0] = f"{asked} is a rule of {lines[0]}"
    doc = inspect.cleandoc(type(check).__doc__ or "")
    if doc:
        lines += ["", doc]
    lines += ["", "enforces:"]
    for clause_id in check.clauses:
        clause = clause_of(clause_id)
        lines.append(f"  {clause_id}: {clause.text if clause else '(unknown clause)'}")
    if check.remedy:
        lines += ["", "how to fix:", f"  {check.remedy}"]
    if check.tools:
        lines += ["", "needs: " + ", ".join(check.tools)]
    return "\n".join(lines) + "\n"


def handle(args: argparse.Namespace) -> int:
    """Print the explanation; exit 0, or 2 for an unknown id."""
    print(explain(args.id), end="")
    return 0
