"""A small Markdown reader: front matter, headings with line numbers, sections.

Only what spec validation needs: ATX (``#``) and setext (``===`` / ``---``)
headings, fenced code blocks and HTML comments (neither may hold a heading),
and YAML front matter at the very top. Every line number is 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_FRONT_MATTER_END = ("---", "...")


@dataclass(frozen=True)
class Heading:
    """A heading: its level (1-6), its text as written and its line."""

    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Section:
    """A heading and its body: the lines after it up to the next heading of the same or a
    higher level, so the body of a section includes its subsections."""

    heading: Heading
    end_line: int

    @property
    def body_start(self) -> int:
        """First line of the body (the line after the heading, or after a setext underline)."""
        return self.heading.line + 1

    def contains(self, line: int) -> bool:
        """True when ``line`` is in the body of this section."""
        return self.heading.line < line <= self.end_line


@dataclass(frozen=True)
class FrontMatter:
    """The raw YAML between the leading ``---`` lines; ``end_line`` is the closing line."""

    text: str
    end_line: int


@dataclass(frozen=True)
class MarkdownDoc:
    """A parsed Markdown document.

    ``visible`` holds every line with HTML comments blanked out; ``code`` holds
    the numbers of lines inside fenced code blocks (fence lines included);
    ``structural`` the lines that are headings, setext underlines or front matter.
    """

    lines: tuple[str, ...]
    visible: tuple[str, ...]
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    front_matter: FrontMatter | None
    code: frozenset[int]
    fences: frozenset[int]
    structural: frozenset[int]

    def text_at(self, line: int) -> str:
        """The visible text of a line (comments removed)."""
        return self.visible[line - 1]

    def content_lines(self, start: int, end: int) -> tuple[tuple[int, str], ...]:
        """Lines ``start..end`` that carry content: not blank, not a heading, not a fence.

        Code inside fenced blocks is content; comment text is not.
        """
        out: list[tuple[int, str]] = []
        for number in range(max(start, 1), min(end, len(self.lines)) + 1):
            if number in self.structural or number in self.fences:
                continue
            text = self.visible[number - 1]
            if text.strip():
                out.append((number, text))
        return tuple(out)

    def section_of(self, heading: Heading) -> Section:
        """The section opened by ``heading``."""
        for section in self.sections:
            if section.heading == heading:
                return section
        raise KeyError(heading)

    @property
    def title_line(self) -> int:
        """Line of the first heading (where document-level findings point), else 1."""
        return self.headings[0].line if self.headings else 1


def parse_markdown(text: str) -> MarkdownDoc:
    """Parse ``text`` into headings, sections, code and comment information."""
    lines = tuple(text.splitlines())
    front_matter = _front_matter(lines)
    first_body_line = front_matter.end_line + 1 if front_matter else 1
    code, fences = _code_lines(lines, first_body_line)
    visible = _strip_comments(lines, code)
    headings, underlines = _headings(lines, visible, code, first_body_line)
    structural = {h.line for h in headings} | underlines
    if front_matter:
        structural |= set(range(1, front_matter.end_line + 1))
    return MarkdownDoc(
        lines=lines,
        visible=visible,
        headings=headings,
        sections=_sections(headings, len(lines)),
        front_matter=front_matter,
        code=frozenset(code),
        fences=frozenset(fences),
        structural=frozenset(structural),
    )


def is_list_item(text: str) -> bool:
    """True when the line opens a Markdown list item (bullet or numbered)."""
    return bool(_LIST_ITEM.match(text))


def _front_matter(lines: tuple[str, ...]) -> FrontMatter | None:
    """YAML front matter: a first line ``---`` and a closing ``---`` (or ``...``)."""
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FRONT_MATTER_END:
            return FrontMatter(text="\n".join(lines[1:index]), end_line=index + 1)
    return None


def _strip_comments(lines: tuple[str, ...], code: set[int]) -> tuple[str, ...]:
    """Every line with the text of HTML comments (possibly multi-line) removed; code lines
    are kept as they are ("<!--" in a code sample opens nothing)."""
    out: list[str] = []
    in_comment = False
    for number, line in enumerate(lines, start=1):
        if number in code and not in_comment:
            out.append(line)
            continue
        kept: list[str] = []
        rest = line
        while rest:
            if in_comment:
                end = rest.find("-->")
                if end < 0:
                    rest = ""
                    continue
                rest = rest[end + 3 :]
                in_comment = False
            else:
                start = rest.find("<!--")
                if start < 0:
                    kept.append(rest)
                    rest = ""
                    continue
                kept.append(rest[:start])
                rest = rest[start + 4 :]
                in_comment = True
        out.append("".join(kept))
    return tuple(out)


def _code_lines(lines: tuple[str, ...], first: int) -> tuple[set[int], set[int]]:
    """Line numbers inside fenced code blocks (an unclosed fence runs to the end) and the
    fence lines themselves."""
    code: set[int] = set()
    fences: set[int] = set()
    opener: str | None = None
    for number in range(first, len(lines) + 1):
        line = lines[number - 1]
        match = _FENCE.match(line)
        if opener is None:
            if match:
                opener = match.group(1)
                code.add(number)
                fences.add(number)
            continue
        code.add(number)
        closing = line.strip()
        if (
            match
            and closing == match.group(1)
            and match.group(1)[0] == opener[0]
            and len(match.group(1)) >= len(opener)
        ):
            fences.add(number)
            opener = None
    return code, fences


def _headings(
    lines: tuple[str, ...], visible: tuple[str, ...], code: set[int], first: int
) -> tuple[tuple[Heading, ...], set[int]]:
    """ATX and setext headings outside code and comments, and the setext underline lines."""
    headings: list[Heading] = []
    underlines: set[int] = set()
    for number in range(first, len(lines) + 1):
        if number in code or visible[number - 1] != lines[number - 1]:
            continue
        line = lines[number - 1]
        atx = _ATX.match(line)
        if atx:
            headings.append(Heading(len(atx.group(1)), (atx.group(2) or "").strip(), number))
            continue
        setext = _SETEXT.match(line)
        if setext and _can_be_setext_text(number - 1, lines, visible, code, first, headings):
            level = 1 if setext.group(1).startswith("=") else 2
            headings.append(Heading(level, lines[number - 2].strip(), number - 1))
            underlines.add(number)
    return tuple(headings), underlines


def _can_be_setext_text(
    number: int,
    lines: tuple[str, ...],
    visible: tuple[str, ...],
    code: set[int],
    first: int,
    headings: list[Heading],
) -> bool:
    """True when line ``number`` is a paragraph line that a setext underline turns into a
    heading (not blank, code, a heading, a list item, a quote or a table row)."""
    if number < first or number in code:
        return False
    text = lines[number - 1]
    if not text.strip() or visible[number - 1] != text:
        return False
    if headings and headings[-1].line == number:
        return False
    stripped = text.lstrip()
    if len(text) - len(stripped) > 3:
        return False
    return not (is_list_item(text) or stripped.startswith((">", "|")))


def _sections(headings: tuple[Heading, ...], last_line: int) -> tuple[Section, ...]:
    """One section per heading, ending before the next heading of the same or higher level."""
    sections: list[Section] = []
    for index, heading in enumerate(headings):
        end = last_line
        for later in headings[index + 1 :]:
            if later.level <= heading.level:
                end = later.line - 1
                break
        sections.append(Section(heading=heading, end_line=end))
    return tuple(sections)
