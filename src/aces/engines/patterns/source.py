"""One parsed source file: the bytes, the tree, and helpers to locate nodes.

Every native stage 3 analysis (patterns, complexity, layers) reads the same
``SourceFile``, so each file is parsed once per run.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Node, Tree

from aces.engines.patterns.grammars import parser
from aces.errors import InputError

_LANGUAGE_NAMES = {"rust": "Rust", "python": "Python", "elixir": "Elixir"}


@dataclass(frozen=True)
class SourceFile:
    """A file of one language, parsed."""

    path: str
    language: str
    data: bytes
    tree: Tree

    @property
    def root(self) -> Node:
        """The root node of the tree."""
        return self.tree.root_node

    def text(self, node: Node) -> str:
        """The source text of ``node``."""
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def parse_source(path: str, language: str, data: bytes) -> SourceFile:
    """Parse ``data``; InputError naming the file and line when it does not parse.

    A file the grammar cannot read would hide every pattern in it, so it cannot be
    verified (fail closed) rather than passed.
    """
    tree = parser(language).parse(data)
    if tree.root_node.has_error:
        line = first_error_line(tree.root_node)
        raise InputError(
            f"line {line}: does not parse as {_LANGUAGE_NAMES.get(language, language)}",
            path=path,
            hint="fix the syntax error; the forbidden-pattern scan reads every file",
        )
    return SourceFile(path, language, data, tree)


def first_error_line(root: Node) -> int:
    """The 1-based line of the first ERROR or MISSING node below ``root``."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node.start_point.row + 1
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return root.start_point.row + 1


def line_of(node: Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_point.row + 1


def column_of(node: Node, data: bytes) -> int:
    """The 1-based column, in characters, where ``node`` starts in ``data``."""
    line_start = data.rfind(b"\n", 0, node.start_byte) + 1
    return len(data[line_start : node.start_byte].decode("utf-8", "replace")) + 1


class Ranges:
    """A union of byte ranges ``[start, end)``, for membership tests in O(log n).

    Looking a node's context up by walking its ancestors costs the depth of the tree per
    node, which is quadratic on deeply nested code (a chain of thousands of ``else if``);
    ranges gathered once per file by a query do not.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(spans):
            if starts and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        self._starts = starts
        self._ends = ends

    def __contains__(self, byte: object) -> bool:
        if not isinstance(byte, int):
            return False
        i = bisect_right(self._starts, byte) - 1
        return i >= 0 and byte < self._ends[i]


def place_of(data: bytes, byte: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of offset ``byte`` in ``data``."""
    line_start = data.rfind(b"\n", 0, byte) + 1
    column = len(data[line_start:byte].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, byte) + 1, column
