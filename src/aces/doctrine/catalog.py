"""Load the doctrine catalog (package data) and look clauses up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from aces.errors import DoctrineError

DEFAULT_DOCTRINE = "aces-1.0.0"


@dataclass(frozen=True)
class Clause:
    """One enforceable sentence of the spec: stable id, spec section, stage, wording."""

    id: str
    section: str
    stage: int
    text: str


@dataclass(frozen=True)
class Doctrine:
    """A versioned catalog of clauses, in spec order."""

    version: str
    clauses: tuple[Clause, ...]

    def get(self, clause_id: str) -> Clause | None:
        """The clause with this id, or None."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        return None

    @property
    def ids(self) -> frozenset[str]:
        """Every clause id of the catalog."""
        return frozenset(c.id for c in self.clauses)


def load_doctrine(version: str = DEFAULT_DOCTRINE) -> Doctrine:
    """Read the catalog shipped as ``aces/doctrine/data/<version>.toml``."""
    resource = resources.files("aces.doctrine") / "data" / f"{version}.toml"
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DoctrineError(
            f"unknown doctrine version {version!r}", hint=f"use {DEFAULT_DOCTRINE!r}"
        ) from exc
    clauses = tuple(
        Clause(id=c["id"], section=c["section"], stage=int(c["stage"]), text=c["text"])
        for c in data["clause"]
    )
    if len({c.id for c in clauses}) != len(clauses):
        raise DoctrineError(f"doctrine {version} repeats a clause id")
    return Doctrine(version=data["version"], clauses=clauses)
