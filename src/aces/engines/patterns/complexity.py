"""Cyclomatic complexity and nesting depth per function, from the tree-sitter parse.

Cyclomatic complexity is 1 plus one per decision: ``if`` / ``elif`` / ``else if``,
loops (``while``, ``for``; not an unconditional ``loop``), each ``&&`` / ``||``
(``and`` / ``or``), each ``except`` clause, each conditional expression and
comprehension clause, and each further arm of a ``match`` / ``case`` / ``cond``
(an n-arm match adds n - 1). Nesting depth is the deepest stack of control
blocks (conditionals, loops, matches, ``try`` / ``with``, closures in Rust) inside
the function; an ``else if`` / ``elif`` continues its chain at the same depth.
A nested function is measured on its own and adds nothing to its parent.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from aces.engines.patterns.checks import function_name
from aces.engines.patterns.source import SourceFile, column_of, line_of


@dataclass(frozen=True)
class FunctionMetrics:
    """What one function measures."""

    name: str
    line: int
    column: int
    start_byte: int
    cyclomatic: int
    nesting: int
    end_line: int = 0  # the function's last line (0: unknown)


@dataclass(frozen=True)
class _Grammar:
    """Node types that matter to the metrics in one language."""

    functions: frozenset[str]
    decisions: frozenset[str]
    nesting: frozenset[str]
    boolean_operators: frozenset[str]
    arm: str  # the node type of one arm of a multi-way branch
    arm_groups: frozenset[str]  # the node types holding arms


_GRAMMARS = {
    "rust": _Grammar(
        functions=frozenset({"function_item"}),
        decisions=frozenset({"if_expression", "while_expression", "for_expression"}),
        nesting=frozenset(
            {
                "if_expression",
                "while_expression",
                "for_expression",
                "loop_expression",
                "match_expression",
                "closure_expression",
            }
        ),
        boolean_operators=frozenset({"&&", "||"}),
        arm="match_arm",
        arm_groups=frozenset({"match_block"}),
    ),
    "python": _Grammar(
        functions=frozenset({"function_definition"}),
        decisions=frozenset(
            {
                "if_statement",
                "elif_clause",
                "for_statement",
                "while_statement",
                "except_clause",
                "conditional_expression",
                "for_in_clause",
                "if_clause",
            }
        ),
        nesting=frozenset(
            {
                "if_statement",
                "for_statement",
                "while_statement",
                "try_statement",
                "with_statement",
                "match_statement",
            }
        ),
        boolean_operators=frozenset({"and", "or"}),
        arm="case_clause",
        arm_groups=frozenset({"block"}),
    ),
    "elixir": _Grammar(
        functions=frozenset({"def", "defp", "defmacro", "defmacrop"}),
        decisions=frozenset({"if", "unless", "for", "with"}),
        nesting=frozenset({"if", "unless", "for", "with", "case", "cond", "receive", "try", "fn"}),
        boolean_operators=frozenset({"and", "or", "&&", "||"}),
        arm="stab_clause",
        arm_groups=frozenset({"do_block", "anonymous_function", "rescue_block", "else_block"}),
    ),
}


@dataclass
class _Frame:
    """The running measure of one function."""

    name: str
    node: Node
    cyclomatic: int = 1
    nesting: int = 0


def measure(source: SourceFile) -> list[FunctionMetrics]:
    """The metrics of every function of a parsed file, in source order."""
    grammar = _GRAMMARS.get(source.language)
    if grammar is None:
        return []
    frames: list[_Frame] = []
    stack: list[tuple[Node, _Frame | None, int]] = [(source.root, None, 0)]
    while stack:
        node, frame, depth = stack.pop()
        kind = _kind(source, node)
        if kind in grammar.functions:
            frame = _Frame(function_name(source, node), node)
            frames.append(frame)
            depth = 0
        elif frame is not None:
            frame.cyclomatic += _decisions(source, node, kind, grammar)
            if kind in grammar.nesting and not _continues_chain(node):
                depth += 1
                frame.nesting = max(frame.nesting, depth)
        stack.extend((child, frame, depth) for child in reversed(node.children))
    return sorted((_metrics(f, source.data) for f in frames), key=lambda m: m.start_byte)


def _metrics(frame: _Frame, data: bytes) -> FunctionMetrics:
    node = frame.node
    return FunctionMetrics(
        frame.name,
        line_of(node),
        column_of(node, data),
        node.start_byte,
        frame.cyclomatic,
        frame.nesting,
        node.end_point[0] + 1,
    )


def _kind(source: SourceFile, node: Node) -> str:
    """The node's type; for an Elixir call, the name it calls (``def``, ``case``)."""
    if source.language == "elixir":
        if node.type == "call":
            target = node.child_by_field_name("target")
            if target is not None and target.type == "identifier":
                return source.text(target)
        if node.type == "anonymous_function":
            return "fn"
    return node.type


def _decisions(source: SourceFile, node: Node, kind: str, grammar: _Grammar) -> int:
    """How many decisions ``node`` adds."""
    if kind in grammar.decisions:
        return 1
    if node.type in ("binary_expression", "boolean_operator", "binary_operator"):
        operator = node.child_by_field_name("operator")
        if operator is not None and source.text(operator) in grammar.boolean_operators:
            return 1
        return 0
    if node.type in grammar.arm_groups:
        arms = sum(1 for child in node.named_children if child.type == grammar.arm)
        return max(arms - 1, 0)
    return 0


def _continues_chain(node: Node) -> bool:
    """Whether ``node`` is the ``if`` of an ``else if`` (same depth as its chain)."""
    parent = node.parent
    return node.type == "if_expression" and parent is not None and parent.type == "else_clause"
