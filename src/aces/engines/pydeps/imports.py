"""The top-level modules a Python file imports when it runs.

Absolute imports only (relative ones are the package's own). Left out: imports
inside ``if TYPE_CHECKING:`` (never run) and inside a ``try`` whose handler
catches ``ImportError`` / ``ModuleNotFoundError`` (optional by design).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

_OPTIONAL = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


@dataclass(frozen=True, order=True)
class Import:
    """``import top.x`` / ``from top.x import y`` at ``line:column``; ``top`` is the module."""

    line: int
    column: int
    top: str


def runtime_imports(text: str) -> list[Import]:
    """The absolute imports of a module that run unconditionally; [] when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return sorted(_imports(tree.body))


def _imports(body: list[ast.stmt]) -> Iterator[Import]:
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(node.lineno, node.col_offset + 1, alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield Import(node.lineno, node.col_offset + 1, node.module.split(".")[0])
        elif isinstance(node, ast.If) and _type_checking(node.test):
            yield from _imports(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            if not any(_catches_import_error(h) for h in node.handlers):
                yield from _imports(node.body)
            for handler in node.handlers:
                yield from _imports(handler.body)
            yield from _imports(node.orelse)
            yield from _imports(node.finalbody)
        else:
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    yield from _imports(inner)


def _type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in _OPTIONAL for k in kinds)
