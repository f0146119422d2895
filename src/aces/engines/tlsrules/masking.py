"""Source text with its string literals and comments blanked, for line rules over code.

A line rule reading Python or Rust must judge code, never what the code says in
a string, a regular expression, a docstring or a comment: a rule's own pattern
(``re.compile(r"verify\\s*=\\s*False")``) or a sample line is not the setting it
describes. ``mask_literals`` replaces every character of those nodes (except line
breaks) with a space, so lines and columns stay where they were.
"""

from __future__ import annotations

from tree_sitter import Node

from aces.engines.patterns.grammars import parser

# Node types holding text that is not code, per language.
_LITERALS: dict[str, frozenset[str]] = {
    "python": frozenset({"string", "comment"}),
    "rust": frozenset(
        {"string_literal", "raw_string_literal", "char_literal", "line_comment", "block_comment"}
    ),
}


def maskable(kind: str | None) -> bool:
    """Whether files of ``kind`` are parsed and masked before line rules read them."""
    return kind in _LITERALS


def mask_literals(kind: str, text: str) -> str:
    """``text`` with the strings and comments of ``kind`` blanked (lines and columns kept)."""
    data = text.encode("utf-8")
    root = parser(kind).parse(data).root_node
    ranges = list(_literal_ranges(root, _LITERALS[kind]))
    if not ranges:
        return text
    chars = list(text)
    index = _char_index(text)
    for start, end in ranges:
        for i in range(index[start], index[end]):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _literal_ranges(root: Node, types: frozenset[str]) -> list[tuple[int, int]]:
    """Byte ranges of the outermost literal / comment nodes."""
    out: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in types:
            out.append((node.start_byte, node.end_byte))
            continue
        stack.extend(node.children)
    return out


def _char_index(text: str) -> list[int]:
    """For each byte offset of the UTF-8 text (and its end), the index of its character."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.extend([position] * len(char.encode("utf-8")))
    index.append(len(text))
    return index
