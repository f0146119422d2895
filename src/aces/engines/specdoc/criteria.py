"""Acceptance criteria: finding them in a spec, with their IDs and bindings.

Criteria are the list items of the sections recognised as acceptance criteria
(subsections recognised as another required section, such as spec-kit's
"Edge Cases" inside "User Scenarios & Testing", are left out):

* an item that opens with an ID (``AC-1``, ``**AC-001**:``, ``[AC-2]``) is a
  criterion with that ID;
* a numbered item of an "Acceptance Scenarios" block (a heading or a label line
  ``**Acceptance Scenarios**:``) without its own ID gets ``US<story>-AS<n>``,
  where ``<story>`` is the number of the enclosing "User Story N" heading (or
  the block's ordinal when there is none) and ``<n>`` the item's number;
* in a plain acceptance-criteria section every other item is a criterion with no
  ID; in the spec-kit container section "User Scenarios & Testing" other items
  are narrative and are not criteria.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aces.engines.specdoc.bindings import BINDING_LINE, BadRef, TestRef, parse_binding
from aces.engines.specdoc.markdown import Heading, MarkdownDoc, Section
from aces.engines.specdoc.sections import normalize_heading

CONTAINER_HEADINGS: frozenset[str] = frozenset(
    {"user scenarios & testing", "user scenarios and testing", "user scenarios testing"}
)
SCENARIO_LABEL = "acceptance scenarios"
_ITEM = re.compile(r"^(\s*)(?:([-*+])|(\d{1,9})[.)])\s+(.*)$")
_ID = re.compile(r"^[*_\[\s]*([A-Z][A-Z0-9]*-\d+(?:\.\d+)*)\b[*_\]]*\s*(?:[:.)\-—–]|\s|$)")
_STORY = re.compile(r"\buser\s+story\s+(\d+)\b", re.IGNORECASE)
_LABEL = re.compile(r"^\s*[*_]{0,2}([^*_:]+?)[*_]{0,2}\s*:?[*_]{0,2}\s*:?\s*$")


@dataclass(frozen=True)
class Criterion:
    """One acceptance criterion: its ID (None when it has none), line, text and bindings."""

    id: str | None
    line: int
    text: str
    refs: tuple[TestRef, ...] = ()
    bad_refs: tuple[BadRef, ...] = ()
    derived_id: bool = False

    @property
    def bound(self) -> bool:
        """True when the criterion names at least one test (well-formed or not)."""
        return bool(self.refs or self.bad_refs)


@dataclass
class _Item:
    """A list item being collected."""

    indent: int
    line: int
    number: int | None
    lines: list[str]
    in_scenarios: bool
    story: int | None
    block: int


@dataclass
class _Block:
    """State of the walk through one acceptance section."""

    container: bool
    story: int | None = None
    ordinal: int = 0
    in_scenarios: bool = False
    block_id: int = 0


def extract_criteria(
    doc: MarkdownDoc, headings: Sequence[Heading], excluded: Sequence[Heading]
) -> tuple[Criterion, ...]:
    """Criteria of the acceptance sections ``headings`` of ``doc``; the sections of
    ``excluded`` headings (other required sections nested inside) are skipped."""
    skip: set[int] = set()
    for heading in excluded:
        section = doc.section_of(heading)
        skip.update(range(heading.line, section.end_line + 1))
    seen: set[int] = set()
    out: list[Criterion] = []
    for heading in headings:
        section = doc.section_of(heading)
        if heading.line in seen:
            continue
        seen.update(range(heading.line, section.end_line + 1))
        out.extend(_criteria_of(doc, section, skip))
    return tuple(out)


def _criteria_of(doc: MarkdownDoc, section: Section, skip: set[int]) -> list[Criterion]:
    """Walk one acceptance section line by line and collect its criteria."""
    name = normalize_heading(section.heading.text)
    state = _Block(container=name in CONTAINER_HEADINGS)
    if name == SCENARIO_LABEL:
        _open_scenarios(state)
    items: list[_Item] = []
    current: _Item | None = None
    for number in range(section.body_start, section.end_line + 1):
        if number in skip:
            current = None
            continue
        heading = _heading_at(doc, number)
        if heading is not None:
            current = None
            _enter_heading(state, heading)
            continue
        if number in doc.structural:
            continue
        current = _step(doc, number, state, items, current)
    return [c for c in (_criterion(item, state) for item in items) if c is not None]


def _step(
    doc: MarkdownDoc, number: int, state: _Block, items: list[_Item], current: _Item | None
) -> _Item | None:
    """Consume one body line; return the list item now being collected."""
    text = doc.text_at(number)
    if number in doc.code:
        if current is not None and number not in doc.fences:
            current.lines.append(text)
        return current
    if not text.strip():
        return current
    item = _ITEM.match(text)
    if item and (current is None or len(item.group(1)) <= current.indent):
        number_text = item.group(3)
        new = _Item(
            indent=len(item.group(1)),
            line=number,
            number=int(number_text) if number_text else None,
            lines=[item.group(4)],
            in_scenarios=state.in_scenarios,
            story=state.story,
            block=state.block_id,
        )
        items.append(new)
        return new
    if current is not None and (item or text[:1].isspace()):
        current.lines.append(text)
        return current
    label = _LABEL.match(text)
    if label and normalize_heading(label.group(1)) == SCENARIO_LABEL:
        _open_scenarios(state)
    else:
        state.in_scenarios = False
    return None


def _open_scenarios(state: _Block) -> None:
    """Start an "Acceptance Scenarios" block."""
    state.in_scenarios = True
    state.ordinal += 1
    state.block_id = state.ordinal


def _enter_heading(state: _Block, heading: Heading) -> None:
    """Track the user story number and scenario blocks across subsection headings."""
    story = _STORY.search(heading.text)
    if story:
        state.story = int(story.group(1))
    if normalize_heading(heading.text) == SCENARIO_LABEL:
        _open_scenarios(state)
    else:
        state.in_scenarios = False


def _criterion(item: _Item, state: _Block) -> Criterion | None:
    """The criterion an item is, or None for a narrative item of a container section."""
    text = " ".join(" ".join(item.lines).split())
    refs, bad = _bindings(item.lines)
    explicit = _ID.match(item.lines[0])
    if explicit:
        return Criterion(explicit.group(1), item.line, text, refs, bad)
    if item.in_scenarios and item.number is not None:
        story = item.story if item.story is not None else item.block
        return Criterion(f"US{story}-AS{item.number}", item.line, text, refs, bad, True)
    if state.container and not item.in_scenarios:
        return None
    return Criterion(None, item.line, text, refs, bad)


def _bindings(lines: Sequence[str]) -> tuple[tuple[TestRef, ...], tuple[BadRef, ...]]:
    """Every reference of every ``Verified by:`` line of an item."""
    refs: list[TestRef] = []
    bad: list[BadRef] = []
    for index, line in enumerate(lines):
        match = BINDING_LINE.search(line)
        if match:
            text = match.group(1).strip()
            # a list ending with a comma goes on over the next lines
            for follow in lines[index + 1 :]:
                if not text.rstrip().endswith((",", ";")):
                    break
                text = f"{text} {follow.strip()}"
            found, wrong = parse_binding(text.strip().strip("*_"))
            refs.extend(found)
            bad.extend(wrong)
            if not found and not wrong:
                bad.append(BadRef("", "'Verified by:' names no test"))
    return tuple(refs), tuple(bad)


def _heading_at(doc: MarkdownDoc, line: int) -> Heading | None:
    """The heading on ``line``, if any."""
    for heading in doc.headings:
        if heading.line == line:
            return heading
    return None
