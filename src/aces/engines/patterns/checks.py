"""Refinements of a rule's capture that a query alone cannot express.

A rule names one of these as its ``check``. Each takes the captured node and
returns the message placeholders when the node is a finding, None when not:

- ``function_lines``: the function spans more lines than the limit (from its
  first line, signature or attribute-free head, to its last), not counting the
  lines inside multi-line string literals (an SQL heredoc, a docstring: text);
- ``magic_number``: a numeric literal that is not an allowed value and that
  nothing names: not a named constant, field default, keyword argument,
  position or unit conversion (``named_numbers`` lists each case). Octal
  literals (``0o644``) are permission bits, which read as they are written, and
  are never magic;
- ``safety_comment``: no ``// SAFETY:`` comment on the lines right above the
  unsafe code or the statement holding it;
- ``ticketless_todo``: a ``TODO`` / ``FIXME`` not followed by ``(TICKET)``;
- ``method_path``: a method named by a path (``Option::unwrap(x)``,
  ``<Option<_>>::unwrap``, ``.map(Result::expect)``) counts when the path's
  qualifier is a type (a type name, a generic or bracketed type, ``Self``, or a
  ``use ... as`` alias of one), not a module (``mymod::unwrap`` is a free
  function); a method call (``x.unwrap()``) always counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node, QueryCursor

from aces.engines.patterns.grammars import query
from aces.engines.patterns.named_numbers import (
    NAMED_CONTEXTS,
    is_square_root,
    is_unit_conversion,
)
from aces.engines.patterns.source import Ranges, SourceFile

Placeholders = dict[str, str]

_RUST_SUFFIX = re.compile(r"(?:[iu](?:8|16|32|64|128|size)|f32|f64)$")
_TYPE_QUALIFIERS = frozenset({"bracketed_type", "generic_type", "generic_type_with_turbofish"})
_USE_ALIASES = "(use_as_clause path: (_) @path alias: (identifier) @alias) @use"
_STATEMENT_PARENTS = frozenset({"block", "source_file", "declaration_list"})
_NEGATION_PARENTS = frozenset({"unary_expression", "unary_operator"})


@dataclass(frozen=True)
class CheckSettings:
    """The policy values the checks read."""

    max_function_lines: int
    allowed_numbers: frozenset[float]
    ticket_pattern: str

    @property
    def todo_pattern(self) -> re.Pattern[str]:
        """``TODO`` or ``FIXME``, with the ticket suffix captured when present."""
        return re.compile(rf"\b(TODO|FIXME)\b(\((?:{self.ticket_pattern})\))?")


@dataclass
class FileFacts:
    """Per-file values the checks compute lazily and share (comment lines)."""

    source: SourceFile
    _comment_rows: dict[int, str] | None = field(default=None)
    _constants: Ranges | None = field(default=None)
    _type_aliases: frozenset[str] | None = field(default=None)

    def type_aliases(self) -> frozenset[str]:
        """Names a ``use ... as name`` gives to a type (the original's last segment is one)."""
        if self._type_aliases is None:
            captures = QueryCursor(query("rust", _USE_ALIASES)).matches(self.source.root)
            names = set()
            for _, found in captures:
                original = self.source.text(found["path"][0]).rsplit("::", 1)[-1]
                if original[:1].isupper():
                    names.add(self.source.text(found["alias"][0]))
            self._type_aliases = frozenset(names)
        return self._type_aliases

    def constant_ranges(self) -> Ranges:
        """Where a literal names a constant (see the module docstring), one query per file."""
        if self._constants is None:
            text = NAMED_CONTEXTS[self.source.language]
            captures = QueryCursor(query(self.source.language, text)).captures(self.source.root)
            nodes = captures.get("constant", [])
            self._constants = Ranges((n.start_byte, n.end_byte) for n in nodes)
        return self._constants

    def comment_rows(self) -> dict[int, str]:
        """0-based row -> text of the comments that end on that row."""
        if self._comment_rows is None:
            rows: dict[int, str] = {}
            stack = [self.source.root]
            while stack:
                node = stack.pop()
                if node.type in ("line_comment", "block_comment"):
                    row = node.end_point.row - (1 if node.end_point.column == 0 else 0)
                    rows[row] = rows.get(row, "") + self.source.text(node)
                elif node.child_count:
                    stack.extend(node.children)
            self._comment_rows = rows
        return self._comment_rows


Refine = Callable[[FileFacts, Node, CheckSettings], Placeholders | None]


def function_lines(facts: FileFacts, node: Node, settings: CheckSettings) -> Placeholders | None:
    """The function's line count when it is over the limit.

    Lines inside a multi-line string literal are text, not code (an SQL migration
    held in a heredoc, a docstring): they are not counted.
    """
    lines = node.end_point.row - node.start_point.row + 1 - _string_lines(node)
    if lines <= settings.max_function_lines:
        return None
    return {
        "name": function_name(facts.source, node),
        "value": str(lines),
        "limit": str(settings.max_function_lines),
    }


_STRING_NODES = frozenset(
    {"string", "charlist", "sigil", "string_literal", "raw_string_literal", "concatenated_string"}
)


def _string_lines(node: Node) -> int:
    """Lines after the first of every outermost multi-line string literal in ``node``."""
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        if current.type in _STRING_NODES:
            count += current.end_point.row - current.start_point.row
        else:
            stack.extend(current.children)
    return count


def function_name(source: SourceFile, node: Node) -> str:
    """The name of a Rust / Python function node or an Elixir ``def`` call."""
    name = node.child_by_field_name("name")
    if name is not None:
        return source.text(name)
    arguments = next((c for c in node.named_children if c.type == "arguments"), None)
    head = arguments.named_children[0] if arguments and arguments.named_children else None
    while head is not None and head.type == "binary_operator":  # def f(x) when guard
        head = head.child_by_field_name("left")
    if head is not None and head.type == "call":
        target = head.child_by_field_name("target")
        return source.text(target) if target is not None else source.text(head)
    return source.text(head) if head is not None else "?"


def magic_number(facts: FileFacts, node: Node, settings: CheckSettings) -> Placeholders | None:
    """The literal's text when it is a magic number."""
    shown = node
    parent = node.parent
    if parent is not None and parent.type in _NEGATION_PARENTS and _negates(facts.source, parent):
        shown = parent
    text = facts.source.text(node)
    if text.lower().startswith("0o"):
        return None
    value = literal_value(text, facts.source.language)
    if value is not None and shown is parent:
        value = -value
    if value is not None and _plain_value(facts, shown, value, settings):
        return None
    if _names_a_constant(facts, node):
        return None
    return {"text": facts.source.text(shown)}


def _plain_value(facts: FileFacts, shown: Node, value: float, settings: CheckSettings) -> bool:
    """Whether the value is allowed by the policy, a unit factor where it converts units, or
    the exponent of a square root."""
    return (
        value in settings.allowed_numbers
        or is_unit_conversion(facts.source, shown, abs(value))
        or is_square_root(facts.source, shown, value)
    )


def literal_value(text: str, language: str) -> float | None:
    """The numeric value of a literal's text, or None when it is not a plain number."""
    plain = text.replace("_", "")
    if language == "rust" and not plain.lower().startswith("0x"):
        plain = _RUST_SUFFIX.sub("", plain)
    elif language == "rust":
        plain = re.sub(r"[iu](?:8|16|32|64|128|size)$", "", plain)
    try:
        return float(int(plain, 0))
    except ValueError:
        pass
    try:
        return float(plain)
    except ValueError:
        return None


def _negates(source: SourceFile, unary: Node) -> bool:
    """Whether a unary node is a minus sign."""
    first = unary.children[0] if unary.children else None
    return first is not None and source.text(first) == "-"


def _names_a_constant(facts: FileFacts, node: Node) -> bool:
    """Whether the literal is (part of) the value of a named constant."""
    return node.start_byte in facts.constant_ranges()


def safety_comment(facts: FileFacts, node: Node, settings: CheckSettings) -> Placeholders | None:
    """Empty placeholders when no ``SAFETY:`` comment stands right above the unsafe code."""
    del settings
    rows = facts.comment_rows()
    anchor = node
    while anchor.parent is not None and anchor.parent.type not in _STATEMENT_PARENTS:
        anchor = anchor.parent
    for start in {node.start_point.row, anchor.start_point.row}:
        row = start - 1
        while row in rows:
            if "SAFETY:" in rows[row]:
                return None
            row -= 1
    return {}


def ticketless_todo(facts: FileFacts, node: Node, settings: CheckSettings) -> Placeholders | None:
    """The first TODO / FIXME of a comment that names no ticket."""
    for match in settings.todo_pattern.finditer(facts.source.text(node)):
        if match.group(2) is None:
            return {"text": match.group(1)}
    return None


def method_path(facts: FileFacts, node: Node, settings: CheckSettings) -> Placeholders | None:
    """Empty placeholders when a method is reached through a type (see the module docstring)."""
    del settings
    if node.type != "scoped_identifier":
        return {}
    qualifier = node.child_by_field_name("path")
    if qualifier is None:
        return None
    if qualifier.type in _TYPE_QUALIFIERS:
        return {}
    last = qualifier.child_by_field_name("name") if qualifier.type == "scoped_identifier" else None
    name = facts.source.text(last if last is not None else qualifier)
    if name[:1].isupper() or name in facts.type_aliases():
        return {}
    return None


CHECK_FUNCTIONS: dict[str, Refine] = {
    "function_lines": function_lines,
    "magic_number": magic_number,
    "method_path": method_path,
    "safety_comment": safety_comment,
    "ticketless_todo": ticketless_todo,
}
