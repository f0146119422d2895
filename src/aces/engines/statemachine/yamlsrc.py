"""Reading the YAML node tree with positions: typed accessors that raise ``MachineError``.

The file is composed (not loaded) so every value keeps its line and column; scalars are
interpreted here with the few YAML 1.1 rules the format needs (ints, booleans).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from aces.engines.statemachine.expr import Locator
from aces.engines.statemachine.model import MachineError

_INT = re.compile(r"[-+]?[0-9]+")
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "on", "On"}
_FALSE = {"false", "False", "FALSE", "no", "No", "off", "Off"}


class Source:
    """One machine file: its path, text and the errors it can raise at a node."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()

    def error(self, node: yaml.Node | None, message: str, hint: str | None = None) -> MachineError:
        """A ``MachineError`` at ``node`` (the file start when None)."""
        line, column = position(node)
        return MachineError(message, path=self.path, line=line, column=column, hint=hint)

    def compose(self) -> yaml.Node:
        """The root node; YAML syntax errors become ``MachineError`` with their position."""
        try:
            root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = exc.problem or exc.context or "invalid YAML"
            raise MachineError(
                f"YAML syntax error: {problem}", path=self.path, line=line, column=column
            ) from None
        except yaml.YAMLError as exc:
            raise MachineError(f"YAML error: {exc}", path=self.path, line=1, column=1) from None
        if root is None:
            raise MachineError("the file is empty", path=self.path, line=1, column=1)
        return root

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
        """The (key, value) pairs of a mapping with unique scalar keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        seen: set[str] = set()
        pairs: list[tuple[yaml.ScalarNode, yaml.Node]] = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.error(key, f"keys of {what} must be plain names")
            if key.value in seen:
                raise self.error(key, f"duplicate key '{key.value}' in {what}")
            seen.add(key.value)
            pairs.append((key, value))
        return pairs

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        """The items of a sequence."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def string(self, node: yaml.Node, what: str) -> str:
        """A non-empty string scalar."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, f"{what} must be a string")
        if not node.value.strip():
            raise self.error(node, f"{what} must not be empty")
        return str(node.value)

    def expression(self, node: yaml.Node, what: str) -> str:
        """The text of an expression scalar (any scalar: ``true`` is an expression too)."""
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise self.error(node, f"{what} must be an expression string")
        return str(node.value)

    def integer(self, node: yaml.Node, what: str) -> int:
        """An integer scalar."""
        if isinstance(node, yaml.ScalarNode) and _INT.fullmatch(node.value) and not node.style:
            return int(node.value)
        raise self.error(node, f"{what} must be an integer")

    def strings(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        """A list of strings (a single string is a list of one), each with its node."""
        if isinstance(node, yaml.ScalarNode):
            return [(self.string(node, what), node)]
        return [
            (self.string(item, f"each item of {what}"), item) for item in self.sequence(node, what)
        ]

    def locator(self, node: yaml.Node) -> Locator:
        """Maps positions inside a scalar's text to positions in the file."""
        start = node.start_mark
        style = getattr(node, "style", None)
        if style in ("|", ">"):
            indent = self._block_indent(start.line + 1)
            return lambda line, col: (start.line + line + 1, indent + col + 1)
        shift = 1 if style in ("'", '"') else 0

        def locate(line: int, col: int) -> tuple[int, int]:
            if line == 1:
                return start.line + 1, start.column + 1 + shift + col
            return start.line + line, col + 1

        return locate

    def _block_indent(self, first: int) -> int:
        for text in self.lines[first:]:
            if text.strip():
                return len(text) - len(text.lstrip())
        return 0


def position(node: yaml.Node | None) -> tuple[int, int]:
    """1-based (line, column) of a node."""
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def boolean(node: yaml.Node) -> bool | None:
    """The boolean a scalar spells, or None."""
    if not isinstance(node, yaml.ScalarNode) or node.style:
        return None
    if node.value in _TRUE:
        return True
    if node.value in _FALSE:
        return False
    return None


def items(source: Source, node: yaml.Node, what: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping."""
    for key, value in source.mapping(node, what):
        yield str(key.value), key, value
