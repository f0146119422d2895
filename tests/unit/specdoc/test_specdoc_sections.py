"""Required sections: heading normalisation, synonyms and placeholder detection."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.markdown import parse_markdown
from aces.engines.specdoc.sections import (
    SectionState,
    is_placeholder_line,
    normalize_heading,
    section_statuses,
    unresolved_markers,
)
from aces.policy.schema import DEFAULT_PLACEHOLDERS, SpecPolicy

POLICY = SpecPolicy()


@pytest.mark.parametrize(
    ("heading", "normalised"),
    [
        ("Acceptance Criteria", "acceptance criteria"),
        ("3. Security Implications", "security implications"),
        ("2.1 Failure Modes", "failure modes"),
        ("IV. Invariants", "invariants"),
        ("🔒 Security", "security"),
        ("⚡ 5. Performance constraints (required)", "performance constraints"),
        ("User Scenarios & Testing *(mandatory)*", "user scenarios & testing"),
        ("Success Criteria *(mandatory)*", "success criteria"),
        ("Edge-Cases:", "edge cases"),
        ("**Invariants**", "invariants"),
        ("Idempotency", "idempotency"),
    ],
)
def test_normalize_heading(heading: str, normalised: str) -> None:
    assert normalize_heading(heading) == normalised


PLACEHOLDER_LINES = [
    "TBD",
    "- TBD",
    "TODO: write the failure modes",
    "N/A",
    "n/a.",
    "None",
    "-",
    "...",
    "FIXME(alice) later",
    "[Describe the failure handling here]",
    "- **FR-001**: System MUST [specific capability, e.g. create accounts]",
    "[NEEDS CLARIFICATION: auth method not specified]",
    "ACTION REQUIRED: fill in this section",
    "* [ ] TBD",
]
CONTENT_LINES = [
    "N/A: no network surface",
    "N/A — the feature stores nothing",
    "None of the tenants can read another tenant's rooms.",
    "Todo list handling is out of scope.",
    "Routing is O(1) in the number of rooms.",
    "payload bytes in [0, 1 MiB]",
    "See [the envelope spec](specs/001-envelope/spec.md).",
    "- [x] reviewed by security",
]


@pytest.mark.parametrize("line", PLACEHOLDER_LINES)
def test_placeholder_lines_are_flagged(line: str) -> None:
    assert is_placeholder_line(line, DEFAULT_PLACEHOLDERS)


@pytest.mark.parametrize("line", CONTENT_LINES)
def test_content_lines_are_not_flagged(line: str) -> None:
    assert not is_placeholder_line(line, DEFAULT_PLACEHOLDERS)


def test_placeholders_come_from_the_policy() -> None:
    assert not is_placeholder_line("TODO: later", ("tbd",))
    assert is_placeholder_line("pending", ("pending",))


def statuses(text: str) -> dict[str, tuple[SectionState, int | None]]:
    doc = parse_markdown(text)
    found = section_statuses(doc, POLICY.sections, POLICY.section_synonyms, POLICY.placeholders)
    return {s.name: (s.state, s.line) for s in found}


COMPLETE = """# Feature
## Acceptance criteria
- AC-1: works
## Failure modes
- crash: restart
## Security implications
N/A: no network surface
## Performance constraints
O(1)
## Invariants
- never two owners
"""


def test_complete_spec_has_every_section_present() -> None:
    found = {name: state for name, (state, _) in statuses(COMPLETE).items()}
    assert found == dict.fromkeys(POLICY.sections, SectionState.PRESENT)


def test_missing_section_is_reported_missing() -> None:
    text = COMPLETE.replace("## Invariants\n- never two owners\n", "")
    assert statuses(text)["invariants"] == (SectionState.MISSING, None)


@pytest.mark.parametrize(
    "body",
    ["TBD", "", "<!-- ACTION REQUIRED: fill this -->", "- N/A", "[Describe the invariants]"],
)
def test_placeholder_section_points_at_its_heading(body: str) -> None:
    text = COMPLETE.replace("- never two owners", body)
    assert statuses(text)["invariants"] == (SectionState.PLACEHOLDER, 10)


def test_subsection_content_counts_for_the_parent() -> None:
    text = COMPLETE.replace(
        "## Invariants\n- never two owners", "## Invariants\n### Ownership\n- one"
    )
    assert statuses(text)["invariants"][0] is SectionState.PRESENT


def test_spec_kit_headings_are_recognised() -> None:
    text = """# Feature Specification: X
## User Scenarios & Testing *(mandatory)*
### User Story 1 - Y (Priority: P1)
1. **Given** a, **When** b, **Then** c
### Edge Cases
- What happens when the link drops? The session closes.
## Success Criteria *(mandatory)*
- **SC-001**: p99 under 5 ms
## 🔒 Security
Tokens are verified.
## 5. Invariants (mandatory)
- closed is terminal
"""
    found = statuses(text)
    assert found["acceptance_criteria"] == (SectionState.PRESENT, 2)
    assert found["failure_modes"] == (SectionState.PRESENT, 5)
    assert found["performance_constraints"] == (SectionState.PRESENT, 7)
    assert found["security_implications"] == (SectionState.PRESENT, 9)
    assert found["invariants"] == (SectionState.PRESENT, 11)


def test_a_heading_inside_code_does_not_count() -> None:
    text = COMPLETE.replace("## Invariants", "```\n## Invariants\n```")
    assert statuses(text)["invariants"][0] is SectionState.MISSING


def test_unresolved_markers_outside_code_and_comments() -> None:
    doc = parse_markdown(
        "# T\n[NEEDS CLARIFICATION: who?]\n```\n[NEEDS CLARIFICATION: code]\n```\n"
        "<!-- [NEEDS CLARIFICATION: comment] -->\n"
    )
    assert unresolved_markers(doc) == (2,)
