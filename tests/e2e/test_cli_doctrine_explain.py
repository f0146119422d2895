"""``aces doctrine`` and ``aces explain`` through the real CLI."""

from __future__ import annotations

import json

from tests.e2e.helpers import run_aces


def test_doctrine_json_lists_every_clause_with_its_state() -> None:
    done = run_aces("doctrine", "--format", "json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["total"] == 106
    states = {row["clause"]: row["state"] for row in data["clauses"]}
    assert states["spec.sections"] == "enforced"
    assert states["deploy.rollback"] == "not yet"
    assert data["enforced"] == sum(1 for s in states.values() if s == "enforced")


def test_explain_a_finer_rule_names_its_check_clause_and_remedy() -> None:
    done = run_aces("explain", "spec.sections.missing")
    assert done.returncode == 0
    assert done.stdout.startswith("spec.sections.missing is a rule of spec.sections")
    assert "spec.sections: acceptance criteria" in done.stdout
    assert "how to fix:" in done.stdout


def test_explain_unknown_id_suggests() -> None:
    done = run_aces("explain", "spec.sectons")
    assert done.returncode == 2
    assert "did you mean 'spec.sections'?" in done.stderr
