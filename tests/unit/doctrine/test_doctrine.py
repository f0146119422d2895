"""The doctrine catalog and the traceability matrix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.doctrine.matrix import build_matrix, unknown_clauses
from aces.errors import DoctrineError
from aces.pipeline.registry import StageDef
from aces.stages import STAGES

IDS_DOC = Path(__file__).resolve().parents[4] / "shared" / "design" / "DOCTRINE-IDS.md"


def test_every_check_names_known_clauses() -> None:
    assert unknown_clauses(load_doctrine(), STAGES) == []


def test_an_unknown_clause_is_refused() -> None:
    class Bogus:
        id = "x.bogus"
        clauses = ("spec.nonexistent",)

    stage = StageDef(1, "spec", "Spec", (Bogus(),))  # type: ignore[arg-type]
    with pytest.raises(DoctrineError, match=r"x.bogus: spec.nonexistent"):
        build_matrix(load_doctrine(), (stage,))


def test_catalog_ids_are_unique_and_well_formed() -> None:
    doctrine = load_doctrine()
    ids = [c.id for c in doctrine.clauses]
    assert len(ids) == len(set(ids)) == 106
    assert all(re.fullmatch(r"[a-z]+(\.[a-z0-9-]+)+", i) for i in ids)
    assert all(c.text for c in doctrine.clauses)


@pytest.mark.skipif(not IDS_DOC.exists(), reason="design notes not beside the checkout")
def test_catalog_matches_the_clause_list() -> None:
    text = IDS_DOC.read_text(encoding="utf-8")
    listed = {m for m in re.findall(r"`([a-z]+\.[a-z0-9.\-]+)`", text) if not m.endswith(".md")}
    assert listed == set(load_doctrine().ids)


def test_stages_are_the_twelve_in_order() -> None:
    assert [s.number for s in STAGES] == list(range(1, 13))
    assert [s.name for s in STAGES][:3] == ["spec", "schema", "static"]


def test_matrix_state_follows_checks() -> None:
    rows = {r.clause_id: r for r in build_matrix(load_doctrine(), STAGES)}
    for row in rows.values():
        assert row.state == ("enforced" if row.checks else "not yet")
    assert rows["deploy.canary"].state == "not yet"


def test_every_stage_1_clause_is_enforced() -> None:
    rows = {r.clause_id: r for r in build_matrix(load_doctrine(), STAGES)}
    spec_rows = [r for r in rows.values() if r.clause_id.startswith("spec.")]
    assert len(spec_rows) == 5
    assert {r.clause_id: r.state for r in spec_rows} == dict.fromkeys(
        (r.clause_id for r in spec_rows), "enforced"
    )


def test_registry_names_match_each_stage_module() -> None:
    import importlib

    for stage in STAGES:
        module = importlib.import_module(f"aces.stages.s{stage.number:02d}_{stage.name}")
        assert (module.STAGE.number, module.STAGE.name, module.STAGE.title) == (
            stage.number,
            stage.name,
            stage.title,
        )
        assert stage.checks == module.STAGE.checks
