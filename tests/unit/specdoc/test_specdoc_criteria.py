"""Acceptance criteria extraction: IDs, spec-kit scenarios, bindings."""

from __future__ import annotations

from aces.engines.specdoc.document import parse_spec
from aces.policy.schema import SpecPolicy

SYNONYMS = SpecPolicy().section_synonyms


def criteria(text: str) -> list[tuple[str | None, int, list[str], int]]:
    """(id, line, reference texts, bad reference count) of every criterion."""
    found = parse_spec("specs/x.md", text).criteria(SYNONYMS)
    assert found is not None
    return [(c.id, c.line, [r.text for r in c.refs], len(c.bad_refs)) for c in found]


def test_plain_section_items_with_ids_and_bindings() -> None:
    text = """# X
## Acceptance criteria
- **AC-1**: first
  Verified by: `tests/a.py::t1`
- AC-002 second
  - verified by: tests/a.py::t2, tests/a.py::t3
- [AC-3] third, **Verified by**: tests/a.py::t4
1. AC-4: numbered. Verified by: rust: crate::m::t
## Failure modes
- AC-9 not a criterion here
"""
    assert criteria(text) == [
        ("AC-1", 3, ["tests/a.py::t1"], 0),
        ("AC-002", 5, ["tests/a.py::t2", "tests/a.py::t3"], 0),
        ("AC-3", 7, ["tests/a.py::t4"], 0),
        ("AC-4", 8, ["rust: crate::m::t"], 0),
    ]


def test_items_without_id_or_binding_are_still_criteria() -> None:
    text = "## Acceptance Criteria\n- it works\n- **AC-2** bound to nothing\n"
    assert criteria(text) == [(None, 2, [], 0), ("AC-2", 3, [], 0)]


def test_binding_list_continues_over_lines_after_a_comma() -> None:
    text = (
        "## Acceptance criteria\n- AC-1 x\n  Verified by: tests/a.py::t1,\n  tests/a.py::t2\n"
        "  tests/a.py::t3 is prose\n"
    )
    assert criteria(text) == [("AC-1", 2, ["tests/a.py::t1", "tests/a.py::t2"], 0)]


def test_malformed_binding_is_kept_as_bad_reference() -> None:
    assert criteria("## Acceptance criteria\n- AC-1 x. Verified by: the unit tests\n") == [
        ("AC-1", 2, [], 3)
    ]


def test_code_block_items_are_not_criteria() -> None:
    text = "## Acceptance criteria\n```\n- not an item\n```\n- AC-1 item\n"
    assert criteria(text) == [("AC-1", 5, [], 0)]


def test_spec_kit_scenarios_get_derived_ids_and_narrative_is_ignored() -> None:
    text = """# Feature Specification: X
## User Scenarios & Testing *(mandatory)*
### User Story 1 - Send (Priority: P1)
- narrative bullet, not a criterion
**Acceptance Scenarios**:
1. **Given** a, **When** b, **Then** c
   Verified by: tests/a.py::t1
2. **Given** d, **Then** e
### User Story 2 - Receive (Priority: P2)
**Acceptance Scenarios**:
1. **Given** f, **Then** g
### Edge Cases
- What happens when x? It fails.
"""
    assert criteria(text) == [
        ("US1-AS1", 6, ["tests/a.py::t1"], 0),
        ("US1-AS2", 8, [], 0),
        ("US2-AS1", 11, [], 0),
    ]


def test_acceptance_scenarios_heading_numbers_items_by_block() -> None:
    text = "## Acceptance Scenarios\n1. Given a then b\n2. AC-7 explicit\n- bullet\n"
    assert criteria(text) == [("US1-AS1", 2, [], 0), ("AC-7", 3, [], 0), (None, 4, [], 0)]


def test_no_acceptance_section_gives_none() -> None:
    assert parse_spec("s.md", "# X\n## Invariants\n- y\n").criteria(SYNONYMS) is None


def test_empty_acceptance_section_gives_no_criteria() -> None:
    assert parse_spec("s.md", "# X\n## Acceptance criteria\nprose only\n").criteria(SYNONYMS) == ()
