"""Stage definitions: the ordered tuple of the 12 stages and their checks.

The stage modules (``aces.stages``) build ``StageDef`` values; the pipeline, the
doctrine matrix, ``aces explain`` and the CI generators all read the same tuple,
so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from aces.pipeline.check import Check


@dataclass(frozen=True)
class StageDef:
    """One of the 12 stages: its number, short name, title and checks."""

    number: int
    name: str
    title: str
    checks: tuple[Check, ...] = ()

    @property
    def slug(self) -> str:
        """``s01-spec`` style identifier used by CI jobs and file names."""
        return f"s{self.number:02d}-{self.name}"


def find_check(stages: tuple[StageDef, ...], check_id: str) -> Check | None:
    """The check with this id, if any stage has one."""
    for stage in stages:
        for check in stage.checks:
            if check.id == check_id:
                return check
    return None


def resolve_stage(stages: tuple[StageDef, ...], token: str) -> StageDef:
    """A stage by number (``3``), name (``static``) or slug (``s03-static``)."""
    from aces.errors import InputError

    wanted = token.strip().lower()
    for stage in stages:
        if wanted in (str(stage.number), stage.name, stage.slug, f"{stage.number:02d}"):
            return stage
    names = ", ".join(f"{s.number}|{s.name}" for s in stages)
    raise InputError(f"unknown stage {token!r}", hint=f"use one of {names}")
