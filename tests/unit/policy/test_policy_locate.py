"""The locator maps key paths to the lines that define them."""

from __future__ import annotations

import tomllib

import pytest

from aces.policy.locate import locate

DOCUMENT = '''\
# a comment [not.a.table]
title = "x"  # trailing = comment
notes = """
[fake]
key = 1
"""
literal = \'\'\'
[also.fake]
\'\'\'

[thresholds]
core_coverage_percent = 90
"quoted key" = 1
dotted.inner.leaf = 2

[spec]
sections = [
  "a",  # first
  "b",
]
inline = { one = 1, two = { three = 3 } }

[spec.section_synonyms]
invariants = ["x"]

[[allowlist]]
path = "a"

[[allowlist]]
path = "b"
owner = "c"

[[allowlist.notes]]
text = "n"

[allowlist.meta]
k = 1

[[maintainers]]
handle = 'h'
entries = [{ a = 1 },
  { b = 2 }]
'''


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("title",), 2),
        (("notes",), 3),
        (("literal",), 7),
        (("thresholds",), 11),
        (("thresholds", "core_coverage_percent"), 12),
        (("thresholds", "quoted key"), 13),
        (("thresholds", "dotted"), 14),
        (("thresholds", "dotted", "inner", "leaf"), 14),
        (("spec", "sections"), 17),
        (("spec", "sections", 0), 18),
        (("spec", "sections", 1), 19),
        (("spec", "inline", "two", "three"), 21),
        (("spec", "section_synonyms", "invariants"), 24),
        (("allowlist",), 26),
        (("allowlist", 0), 26),
        (("allowlist", 0, "path"), 27),
        (("allowlist", 1), 29),
        (("allowlist", 1, "owner"), 31),
        (("allowlist", 1, "notes", 0, "text"), 34),
        (("allowlist", 1, "meta", "k"), 37),
        (("maintainers", 0, "handle"), 40),
        (("maintainers", 0, "entries", 1, "b"), 42),
    ],
)
def test_each_key_path_maps_to_its_line(path: tuple[str | int, ...], line: int) -> None:
    tomllib.loads(DOCUMENT)  # the locator only ever sees valid TOML
    assert locate(DOCUMENT).line_of(path) == line


def test_text_inside_strings_is_not_a_table() -> None:
    index = locate(DOCUMENT)
    assert ("fake",) not in index.lines
    assert ("also",) not in index.lines


def test_missing_key_falls_back_to_its_table_then_line_one() -> None:
    index = locate(DOCUMENT)
    assert index.line_of(("allowlist", 0, "owner")) == 26
    assert index.line_of(("thresholds", "absent")) == 11
    assert index.line_of(("nowhere", "at", "all")) == 1
    assert index.line_of(()) == 1


def test_text_it_cannot_follow_keeps_what_was_found() -> None:
    index = locate('a = 1\n[b]\nc = "unterminated\n')
    assert index.line_of(("a",)) == 1
    assert index.line_of(("b", "c")) == 3
