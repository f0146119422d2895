"""Stage 1: the bindings a spec-kit spec's ``tasks.md`` and ``plan.md`` give its criteria.

Read by ``spec.verifiable-criteria``: a criterion named by a task or a plan line
(by ID or story tag) is bound, and every test that line names must exist
(``spec.verifiable-criteria.missing-test`` at the task's line) and be readable
(``.bad-binding``). The notation is ``aces.engines.specdoc.companions``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from aces.engines.specdoc import Criterion, TestIndex
from aces.engines.specdoc.companions import (
    CompanionBinding,
    bindings_for,
    companion_paths,
    read_companion,
)
from aces.model import Finding, Location
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext

__all__ = ["CompanionView", "companion_findings", "companion_paths", "companion_view"]


@dataclass(frozen=True)
class CompanionView:
    """Criterion line -> the companion bindings naming it, and every binding used."""

    by_line: dict[int, tuple[CompanionBinding, ...]]
    used: tuple[CompanionBinding, ...]

    def bound(self, criterion: Criterion) -> bool:
        """Whether a task or plan line binds the criterion."""
        return bool(self.by_line.get(criterion.line))


def companion_view(ctx: RunContext, spec_path: str, criteria: Sequence[Criterion]) -> CompanionView:
    """The bindings of the spec's companions that name at least one of its criteria."""
    bindings: list[CompanionBinding] = []
    for path in companion_paths(spec_path):
        if ctx.workspace.exists(path):
            bindings.extend(read_companion(path, ctx.workspace.read_text(path)))
    by_line = bindings_for(criteria, bindings)
    used = {b for named in by_line.values() for b in named}
    return CompanionView(by_line, tuple(sorted(used, key=lambda b: (b.path, b.line))))


def companion_findings(check: Check, view: CompanionView, index: TestIndex) -> Iterator[Finding]:
    """Tests named by task and plan lines that do not exist or cannot be read."""
    for binding in view.used:
        where = Location(binding.path, binding.line)
        label = binding.task or f"{binding.path}:{binding.line}"
        targets = ", ".join([*binding.ids, *(f"[US{s}]" for s in binding.stories)])
        targets = targets or f"User Story {binding.heading_story}"
        for bad in binding.bad_refs:
            yield check.finding(
                f"{label} binds {targets}: cannot read binding {bad.text!r}: {bad.reason}",
                where,
                rule_id="spec.verifiable-criteria.bad-binding",
                key=f"{binding.path}\x1f{label}\x1f{bad.text}",
            )
        for ref in binding.refs:
            result = index.lookup(ref)
            if not result.found:
                yield check.finding(
                    f"{label} binds {targets} to {ref.text}, which does not exist: {result.reason}",
                    where,
                    rule_id="spec.verifiable-criteria.missing-test",
                    key=f"{binding.path}\x1f{label}\x1f{ref.text}",
                )
