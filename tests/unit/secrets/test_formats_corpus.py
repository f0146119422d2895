"""A small deterministic slice of the formats benchmark's corpus, scanned as the check does.

The corpus (``benchmarks/secrets_corpus``) is generated from the issuers' published
formats: two tokens of every documented family in neutral places, two random values
in every assignment spelling, and every look-alike. Each family and spelling must
be found at its line by its rule, and no look-alike may be reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.scanner import Hit, scan_buffer

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from secrets_corpus.formats import FAMILIES, Case, cases  # noqa: E402
from secrets_corpus.placements import SPELLINGS, Spelling, column  # noqa: E402
from secrets_corpus.scoring import misses, score  # noqa: E402

MATCHER = Matcher(load_builtin())
CORPUS = cases(seed=3, per_family=2, per_spelling=2)


def scanned(corpus: list[Case]) -> dict[int, tuple[Hit, ...]]:
    hits = {i: scan_buffer(MATCHER, c.text.encode("utf-8"), c.path) for i, c in enumerate(corpus)}
    return {i: h for i, h in hits.items() if h}


HITS = scanned(CORPUS)
TALLIES = score(CORPUS, HITS)


def test_the_slice_covers_every_family_spelling_and_lookalike_kind() -> None:
    assert set(TALLIES["family"].total) == set(FAMILIES)
    assert set(TALLIES["spelling"].total) == {s.name for s in SPELLINGS}
    assert len(TALLIES["lookalike"].total) >= 10


def test_every_family_and_spelling_is_found_and_no_lookalike_is_reported() -> None:
    wrong = [(g, c.name, c.path, rules) for g, t in TALLIES.items() for c, rules in t.wrong]
    assert wrong == []
    assert misses(TALLIES) == []


@pytest.mark.parametrize("spelling", SPELLINGS, ids=[s.name for s in SPELLINGS])
def test_each_spelling_is_reported_at_the_value_by_a_generic_rule(spelling: Spelling) -> None:
    index, case = next((i, c) for i, c in enumerate(CORPUS) if c.name == spelling.name)
    hits = HITS[index]
    assert [(h.line, h.column) for h in hits] == [(case.line, column(spelling, case.index))]
    assert hits[0].rule_id in case.rules
