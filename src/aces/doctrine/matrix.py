"""The traceability matrix: clause -> checks -> state (enforced / not yet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aces.doctrine.catalog import Doctrine
from aces.errors import DoctrineError
from aces.pipeline.registry import StageDef


@dataclass(frozen=True)
class MatrixRow:
    """One clause and the checks that enforce it."""

    clause_id: str
    section: str
    stage: int
    text: str
    checks: tuple[str, ...]

    @property
    def state(self) -> str:
        """``enforced`` when at least one check names the clause, else ``not yet``."""
        return "enforced" if self.checks else "not yet"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "clause": self.clause_id,
            "section": self.section,
            "stage": self.stage,
            "text": self.text,
            "checks": list(self.checks),
            "state": self.state,
        }


def unknown_clauses(doctrine: Doctrine, stages: tuple[StageDef, ...]) -> list[str]:
    """``check-id: clause`` for every clause a check names that the doctrine lacks."""
    known = doctrine.ids
    return sorted(
        f"{check.id}: {clause}"
        for stage in stages
        for check in stage.checks
        for clause in check.clauses
        if clause not in known
    )


def build_matrix(doctrine: Doctrine, stages: tuple[StageDef, ...]) -> tuple[MatrixRow, ...]:
    """One row per clause, in doctrine order; raises on a check naming an unknown clause."""
    unknown = unknown_clauses(doctrine, stages)
    if unknown:
        raise DoctrineError("checks name clauses the doctrine lacks: " + ", ".join(unknown))
    by_clause: dict[str, list[str]] = {}
    for stage in stages:
        for check in stage.checks:
            for clause in check.clauses:
                by_clause.setdefault(clause, []).append(check.id)
    return tuple(
        MatrixRow(c.id, c.section, c.stage, c.text, tuple(sorted(by_clause.get(c.id, ()))))
        for c in doctrine.clauses
    )
