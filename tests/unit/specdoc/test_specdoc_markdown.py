"""Markdown reader: headings (ATX, setext), code blocks, comments, front matter, sections."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.markdown import parse_markdown


def headings(text: str) -> list[tuple[int, str, int]]:
    """(level, text, line) of every heading of ``text``."""
    return [(h.level, h.text, h.line) for h in parse_markdown(text).headings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Title", [(1, "Title", 1)]),
        ("## Failure modes ##", [(2, "Failure modes", 1)]),
        ("   ### Indented three", [(3, "Indented three", 1)]),
        ("Setext one\n==========", [(1, "Setext one", 1)]),
        ("Intro\n\nSetext two\n---", [(2, "Setext two", 3)]),
        ("###### Six", [(6, "Six", 1)]),
        ("# A\ntext\n## B", [(1, "A", 1), (2, "B", 3)]),
    ],
)
def test_headings_are_found_with_their_lines(
    text: str, expected: list[tuple[int, str, int]]
) -> None:
    assert headings(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "#hashtag is not a heading",
        "    # four spaces is code",
        "####### seven hashes",
        "```\n# inside a fence\n```",
        "~~~python\n# comment in code\n~~~",
        "<!-- \n# inside a comment\n-->",
        "\n---\n",  # a thematic break after a blank line
        "- item\n---",  # a list item is not setext text
        "---\ntitle: x\n---",  # front matter, not a setext heading
    ],
)
def test_not_headings(text: str) -> None:
    assert headings(text) == []


def test_unclosed_fence_runs_to_the_end() -> None:
    assert headings("# Before\n```\n# after\n## also after") == [(1, "Before", 1)]


def test_front_matter_is_read_and_its_lines_are_structural() -> None:
    doc = parse_markdown("---\ncovers: [a]\n---\n# Title\nbody")
    assert doc.front_matter is not None
    assert doc.front_matter.text == "covers: [a]"
    assert doc.front_matter.end_line == 3
    assert [h.line for h in doc.headings] == [4]
    assert doc.content_lines(1, 5) == ((5, "body"),)


def test_sections_include_subsections_and_stop_at_same_level() -> None:
    doc = parse_markdown("# T\n## A\na\n### A1\nx\n## B\nb\n")
    ends = {s.heading.text: s.end_line for s in doc.sections}
    assert ends == {"T": 7, "A": 5, "A1": 5, "B": 7}


def test_content_lines_skip_comments_blanks_and_fences_but_keep_code() -> None:
    doc = parse_markdown("# T\n<!-- hidden -->\n\n```\ncode\n```\ntext <!-- c --> more")
    assert doc.content_lines(2, 7) == ((5, "code"), (7, "text  more"))


def test_title_line_is_the_first_heading() -> None:
    assert parse_markdown("---\na: 1\n---\n\n# Title").title_line == 5
    assert parse_markdown("no heading").title_line == 1


def test_comment_opener_inside_code_opens_nothing() -> None:
    text = "# A\n```html\n<!-- sample\n```\n## B\n"
    assert headings(text) == [(1, "A", 1), (2, "B", 5)]
