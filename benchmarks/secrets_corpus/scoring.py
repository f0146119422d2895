"""Score a scan of the formats corpus: recall per family and per spelling, look-alike FPs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from secrets_corpus.formats import Case

from aces.engines.secrets.scanner import Hit

TARGETS: dict[str, float] = {"family": 0.95, "spelling": 0.90}
MAX_LOOKALIKE_FP = 0.02


@dataclass
class Tally:
    """Found / total per name of one group, and the cases that went wrong."""

    found: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    wrong: list[tuple[Case, tuple[str, ...]]] = field(default_factory=list)

    def add(self, case: Case, ok: bool, rules: tuple[str, ...]) -> None:
        """Count one case; keep it (with the rules that fired) when it went wrong."""
        self.total[case.name] = self.total.get(case.name, 0) + 1
        self.found[case.name] = self.found.get(case.name, 0) + int(ok)
        if not ok:
            self.wrong.append((case, rules))

    def rate(self, name: str) -> float:
        """found / total of one name."""
        return self.found.get(name, 0) / self.total[name]

    def overall(self) -> float:
        """found / total over every name."""
        return sum(self.found.values()) / max(sum(self.total.values()), 1)


def is_found(case: Case, hits: Iterable[Hit]) -> bool:
    """Whether a rule of the case reports the case's line."""
    return any(h.rule_id in case.rules and h.line == case.line for h in hits)


def score(cases: list[Case], hits: Mapping[int, tuple[Hit, ...]]) -> dict[str, Tally]:
    """A tally per group; for a look-alike ``found`` counts the cases with any finding."""
    tallies = {"family": Tally(), "spelling": Tally(), "lookalike": Tally()}
    for index, case in enumerate(cases):
        got = hits.get(index, ())
        rules = tuple(sorted({h.rule_id for h in got}))
        if case.group == "lookalike":
            tallies["lookalike"].add(case, not got, rules)
        else:
            tallies[case.group].add(case, is_found(case, got), rules)
    return tallies


def misses(tallies: dict[str, Tally]) -> list[str]:
    """Every target the scan misses, in words (empty: all met)."""
    out = [
        f"{group} {name}: {tallies[group].rate(name):.1%} < {target:.0%}"
        for group, target in TARGETS.items()
        for name in sorted(tallies[group].total)
        if tallies[group].rate(name) < target
    ]
    fp_rate = 1.0 - tallies["lookalike"].overall()
    if fp_rate > MAX_LOOKALIKE_FP:
        out.append(f"look-alike false positives: {fp_rate:.1%} > {MAX_LOOKALIKE_FP:.0%}")
    return out
