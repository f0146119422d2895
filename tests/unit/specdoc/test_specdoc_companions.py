"""Bindings of spec-kit tasks.md / plan.md lines (should-bind / should-not-bind tables)."""

from __future__ import annotations

import pytest

from aces.engines.specdoc import Criterion
from aces.engines.specdoc.companions import bindings_for, companion_paths, read_companion

BINDS = [
    pytest.param(
        "- [ ] T010 [P] [US1] Contract test for POST /rooms in tests/contract/test_rooms.py\n",
        "US1-AS1",
        ("file", "tests/contract/test_rooms.py"),
        id="story-tagged-test-task",
    ),
    pytest.param(
        "## Phase 3: User Story 2 - Refuse\n\n"
        "- [X] T011 Integration test in `tests/test_refuse.py`\n",
        "US2-AS1",
        ("file", "tests/test_refuse.py"),
        id="story-from-heading",
    ),
    pytest.param(
        "- AC-2 Verified by: `tests/test_x.py::test_y`\n",
        "AC-2",
        ("python", "tests/test_x.py"),
        id="verified-by-with-id",
    ),
    pytest.param(
        "- [ ] T012 [US1] Unit test for the decoder in crates/core/tests/decode.rs\n",
        "US1-AS2",
        ("file", "crates/core/tests/decode.rs"),
        id="rust-test-file",
    ),
]

NO_BINDING = [
    pytest.param(
        "- [ ] T020 [US1] Implement the decoder in src/decoder.py\n", id="implementation-task"
    ),
    pytest.param(
        "```text\ntests/\n  test_rooms.py [US1] test\n```\n", id="project-structure-in-code"
    ),
    pytest.param("- [ ] T030 Write tests in tests/test_a.py\n", id="no-story-no-id"),
    pytest.param("Run the tests in tests/test_a.py for [US1]\n", id="prose-not-a-task"),
]


def _criteria() -> list[Criterion]:
    return [
        Criterion("US1-AS1", 3, "a"),
        Criterion("US1-AS2", 4, "b"),
        Criterion("US2-AS1", 8, "c"),
        Criterion("AC-2", 9, "d"),
    ]


@pytest.mark.parametrize(("text", "criterion", "ref"), BINDS)
def test_line_binds(text: str, criterion: str, ref: tuple[str, str]) -> None:
    bindings = read_companion("specs/001-x/tasks.md", text)
    by_line = bindings_for(_criteria(), bindings)
    line = next(c.line for c in _criteria() if c.id == criterion)
    assert [(r.kind, r.file) for b in by_line[line] for r in b.refs] == [ref]


@pytest.mark.parametrize("text", NO_BINDING)
def test_line_does_not_bind(text: str) -> None:
    bindings = read_companion("specs/001-x/tasks.md", text)
    assert all(not named for named in bindings_for(_criteria(), bindings).values())


def test_companions_only_of_spec_kit_specs() -> None:
    assert companion_paths("specs/001-x/spec.md") == (
        "specs/001-x/plan.md",
        "specs/001-x/tasks.md",
    )
    assert companion_paths("specs/feature.md") == ()
