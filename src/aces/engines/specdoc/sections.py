"""Required sections of a spec: recognising them by heading, and telling real content from
placeholders and template text left in.

A heading is recognised as a required section when its normalised text equals
one of the section's synonyms (normalised the same way). Normalisation is
case-insensitive and ignores numbering (``3.``, ``2.1``, ``IV.``), emoji and
other symbols, emphasis markers and trailing parentheses such as
``(mandatory)`` or ``(Priority: P1)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aces.engines.specdoc.markdown import Heading, MarkdownDoc

_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_LEADING_SYMBOLS = re.compile(r"^[^\w§]+")
_NUMBERING = re.compile(
    r"^(?:§\s*)?(?:(?:\d+(?:\.\d+)*[.)]?|[ivxlcdm]+[.)]|[a-z][.)])\s+)+", re.IGNORECASE
)
_NOT_WORD = re.compile(r"[^\w&/]+")
_LIST_MARKER = re.compile(r"^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+)?(?:\[[ xX]\]\s+)?")
# Template text left in: a bracketed phrase that is not a link, e.g. "[Describe the flow]",
# "[NEEDS CLARIFICATION: auth method?]". A range like "[0, 1 MiB]" starts with a digit.
_TEMPLATE_BRACKET = re.compile(r"\[[A-Za-z][^\[\]]*\s[^\[\]]*\](?![(\[:])")
_ACTION_REQUIRED = re.compile(r"action\s+required", re.IGNORECASE)
_NEEDS_CLARIFICATION = re.compile(r"\[\s*needs\s+clarification", re.IGNORECASE)
_EDGE_PUNCTUATION = " \t*_`.:;,!?'\""
# Placeholders that state an absence may carry a reason ("N/A: no network surface"),
# which makes the line real content; every other placeholder never does ("TODO: write").
ABSENCE_MARKERS: tuple[str, ...] = ("n/a", "none", "not applicable", "na")


class SectionState(StrEnum):
    """Whether a required section is there with content."""

    PRESENT = "present"
    MISSING = "missing"
    PLACEHOLDER = "placeholder"


@dataclass(frozen=True)
class SectionStatus:
    """The state of one required section and the headings recognised as it."""

    name: str
    state: SectionState
    headings: tuple[Heading, ...] = ()

    @property
    def line(self) -> int | None:
        """Line of the first heading recognised as this section."""
        return self.headings[0].line if self.headings else None


def normalize_heading(text: str) -> str:
    """Heading text reduced to lower-case words for comparison with synonyms."""
    value = text.replace("*", " ").replace("`", " ").strip()
    previous = None
    while previous != value:
        previous = value
        value = _TRAILING_PAREN.sub("", value).strip()
    value = _LEADING_SYMBOLS.sub("", value)
    value = _NUMBERING.sub("", value + " ").strip()
    value = _NOT_WORD.sub(" ", value.replace("_", " ").replace("-", " ")).strip()
    return " ".join(value.lower().split())


def match_sections(
    doc: MarkdownDoc, synonyms: Mapping[str, Sequence[str]]
) -> dict[str, tuple[Heading, ...]]:
    """Required section name -> the headings of ``doc`` recognised as it, in document order."""
    wanted = {
        name: {normalize_heading(s) for s in names} | {normalize_heading(name)}
        for name, names in synonyms.items()
    }
    found: dict[str, tuple[Heading, ...]] = {}
    for name, normalised in wanted.items():
        found[name] = tuple(h for h in doc.headings if normalize_heading(h.text) in normalised)
    return found


def section_statuses(
    doc: MarkdownDoc,
    required: Sequence[str],
    synonyms: Mapping[str, Sequence[str]],
    placeholders: Sequence[str],
) -> tuple[SectionStatus, ...]:
    """The state of every required section, in the order of ``required``."""
    table = {name: tuple(synonyms.get(name, ())) for name in required}
    matches = match_sections(doc, table)
    statuses: list[SectionStatus] = []
    for name in required:
        headings = matches[name]
        if not headings:
            statuses.append(SectionStatus(name, SectionState.MISSING))
        elif all(_is_placeholder_section(doc, h, placeholders) for h in headings):
            statuses.append(SectionStatus(name, SectionState.PLACEHOLDER, headings))
        else:
            statuses.append(SectionStatus(name, SectionState.PRESENT, headings))
    return tuple(statuses)


def unresolved_markers(doc: MarkdownDoc) -> tuple[int, ...]:
    """Lines (outside code and comments) that still hold ``[NEEDS CLARIFICATION ...]``."""
    return tuple(
        number
        for number, text in enumerate(doc.visible, start=1)
        if number not in doc.code and _NEEDS_CLARIFICATION.search(text)
    )


def _is_placeholder_section(
    doc: MarkdownDoc, heading: Heading, placeholders: Sequence[str]
) -> bool:
    """True when the section body (subsections included) has no real content."""
    section = doc.section_of(heading)
    body = doc.content_lines(section.body_start, section.end_line)
    return all(is_placeholder_line(text, placeholders) for _, text in body)


def is_placeholder_line(text: str, placeholders: Sequence[str]) -> bool:
    """True when a line holds no real content: a placeholder, template text or a marker."""
    if _ACTION_REQUIRED.search(text) or _NEEDS_CLARIFICATION.search(text):
        return True
    if _TEMPLATE_BRACKET.search(text):
        return True
    norm = _LIST_MARKER.sub("", text, count=1).strip(_EDGE_PUNCTUATION).lower()
    norm = " ".join(norm.split())
    if not norm:
        return True
    tokens = {p.strip().lower() for p in placeholders if p.strip()}
    if norm in tokens:
        return True
    return any(_starts_with_placeholder(norm, token) for token in tokens)


def _starts_with_placeholder(norm: str, token: str) -> bool:
    """A line opening with a placeholder: an absence marker needs no reason to be content,
    any other marker ("TODO: ...") keeps the line a placeholder whatever follows."""
    if not norm.startswith(token) or len(norm) == len(token):
        return False
    separator = norm[len(token)]
    if separator.isalnum() or (token[-1].isalnum() is False and separator in "/-"):
        return False
    rest = norm[len(token) :].strip(" :-—–()[],.;")
    if token in ABSENCE_MARKERS:
        return not any(ch.isalnum() for ch in rest)
    # "TODO: x", "TBD - later", "FIXME(x)"; but "todo list handling" is a sentence.
    return separator in ":-—–(["
