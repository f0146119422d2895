"""The public surface of a Python module: exported names and their signatures."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

SYNTAX_ERROR = ("<does not parse>",)


def is_public_module(path: str) -> bool:
    """Whether no directory or module name on the path is private (``_name``)."""
    parts = PurePosixPath(path).parts
    stem = PurePosixPath(path).stem
    private = [p for p in (*parts[:-1], stem) if p.startswith("_") and p != "__init__"]
    return not private


def python_surface(path: str, text: str | None) -> tuple[str, ...]:
    """Sorted signatures of the module's public names (empty for a missing file).

    A module that does not parse has an unknowable surface, which differs from any.
    """
    if text is None:
        return ()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return (*SYNTAX_ERROR, text)
    exported = _dunder_all(tree)
    package = PurePosixPath(path).name == "__init__.py"
    out: list[str] = [f"__all__ = {sorted(exported)}"] if exported is not None else []
    for node in tree.body:
        for name, signature in _top_level(node, package):
            if exported is not None and name not in exported:
                continue
            if exported is None and name.startswith("_"):
                continue
            out.append(signature)
    return tuple(sorted(out))


def _dunder_all(tree: ast.Module) -> set[str] | None:
    """The literal ``__all__`` of a module, or None when it defines none."""
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                if isinstance(value, ast.List | ast.Tuple):
                    return {
                        e.value
                        for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    }
    return None


def _top_level(node: ast.stmt, package: bool) -> list[tuple[str, str]]:
    """(name, signature) of what one top-level statement defines."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [(node.name, _function(node))]
    if isinstance(node, ast.ClassDef):
        return [(node.name, _class(node))]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [(node.target.id, f"{node.target.id}: {ast.unparse(node.annotation)}")]
    if isinstance(node, ast.Assign):
        return [(t.id, t.id) for t in node.targets if isinstance(t, ast.Name)]
    if package and isinstance(node, ast.ImportFrom):
        source = "." * node.level + (node.module or "")
        return [
            (alias.asname or alias.name, f"from {source} import {alias.name} as {alias.asname}")
            for alias in node.names
        ]
    return []


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """``def name(args) -> returns`` with its decorators, body left out."""
    kind = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    decorators = "".join(f"@{ast.unparse(d)} " for d in node.decorator_list)
    return f"{decorators}{kind} {node.name}({ast.unparse(node.args)}){returns}"


def _class(node: ast.ClassDef) -> str:
    """A class's bases, decorators, public methods and fields."""
    bases = ", ".join(ast.unparse(b) for b in [*node.bases, *node.keywords])
    members: list[str] = []
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            if not item.name.startswith("_") or item.name == "__init__":
                members.append(_function(item))
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if not item.target.id.startswith("_"):
                members.append(f"{item.target.id}: {ast.unparse(item.annotation)}")
        elif isinstance(item, ast.Assign):
            members.extend(
                t.id for t in item.targets if isinstance(t, ast.Name) and not t.id.startswith("_")
            )
    decorators = "".join(f"@{ast.unparse(d)} " for d in node.decorator_list)
    return f"{decorators}class {node.name}({bases}) {{{'; '.join(members)}}}"
