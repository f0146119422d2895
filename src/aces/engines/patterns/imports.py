"""Dependencies a source or manifest file declares, with where it declares them.

- Rust: ``use`` trees (flattened: ``use a::{b, c::d}`` is ``a::b`` and ``a::c::d``),
  ``extern crate``, ``mod x;`` declarations and fully-qualified paths in code
  (``reqwest::Client::new()``); ``Cargo.toml`` dependencies (with their ``path``).
- Python: ``import a.b`` and ``from a import b`` (relative forms resolved against
  the file's package).
- Elixir: ``alias`` / ``import`` / ``use`` / ``require`` (``alias A.{B, C}``
  expanded); ``mix.exs`` dependency tuples (with their ``path:``).

Names are normalised to dots (``reqwest::Client`` -> ``reqwest.Client``).
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from aces.engines.patterns.grammars import query
from aces.engines.patterns.source import Ranges, SourceFile, line_of
from aces.engines.patterns.zones import module_files
from aces.errors import InputError


@dataclass(frozen=True)
class Import:
    """One declared dependency: the names it brings in and the files it loads, if known."""

    path: str
    line: int
    shown: str  # as written, for messages
    names: tuple[str, ...]  # dotted names, most specific first
    files: tuple[str, ...] = ()  # workspace files it names directly (mod x; path deps)


_RUST_IMPORTS = """
(use_declaration argument: (_) @use)
(extern_crate_declaration name: (identifier) @crate)
(mod_item name: (identifier) @mod !body)
(scoped_identifier path: (identifier) @root) @scoped
(scoped_type_identifier path: (identifier) @root) @scoped
"""
_PYTHON_IMPORTS = """
(import_statement) @import
(import_from_statement) @from
"""
_ELIXIR_IMPORTS = """
(call target: (identifier) @kind (arguments . [(alias) (dot)] @target)
  (#any-of? @kind "alias" "import" "use" "require"))
"""
_ELIXIR_DEPS = "(tuple . (atom) @dep) @tuple"
_SCOPED = frozenset({"scoped_identifier", "scoped_type_identifier"})
_CARGO_SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")


def source_imports(source: SourceFile) -> list[Import]:
    """The dependencies a parsed source file declares."""
    if source.language == "rust":
        return list(_rust_imports(source))
    if source.language == "python":
        return list(_python_imports(source))
    return list(_elixir_imports(source))


# -- Rust ---------------------------------------------------------------------------------


def _rust_imports(source: SourceFile) -> Iterator[Import]:
    cursor = QueryCursor(query("rust", _RUST_IMPORTS))
    matches = cursor.matches(source.root)
    declarations = Ranges(
        (node.start_byte, node.end_byte)
        for _, captures in matches
        for name in ("use", "crate", "mod")
        for node in captures.get(name, [])
    )
    for _, captures in matches:
        if "use" in captures:
            node = captures["use"][0]
            for name in _use_paths(source, node):
                yield Import(source.path, line_of(node), name, (_dotted(name),))
        elif "crate" in captures:
            node = captures["crate"][0]
            yield Import(source.path, line_of(node), source.text(node), (source.text(node),))
        elif "mod" in captures:
            node = captures["mod"][0]
            decl = node.parent
            if decl is not None:
                files = module_files(source, decl, source.text(node))
                yield Import(source.path, line_of(node), f"mod {source.text(node)}", (), files)
        elif "scoped" in captures and captures["scoped"][0].start_byte not in declarations:
            yield from _scoped_path(source, captures["scoped"][0])


def _scoped_path(source: SourceFile, node: Node) -> Iterator[Import]:
    """A path in code (``reqwest::Client::new``), once per outermost path."""
    while node.parent is not None and node.parent.type in _SCOPED:
        node = node.parent
    text = "".join(source.text(node).split())
    yield Import(source.path, line_of(node), text, (_dotted(text),))


def _use_paths(source: SourceFile, node: Node, prefix: str = "") -> Iterator[str]:
    """The paths a use tree brings in, flattened."""
    kind = node.type
    if kind == "use_as_clause":
        path = node.child_by_field_name("path")
        if path is not None:
            yield from _use_paths(source, path, prefix)
    elif kind == "scoped_use_list":
        path = node.child_by_field_name("path")
        base = _join(prefix, source.text(path)) if path is not None else prefix
        use_list = node.child_by_field_name("list")
        for child in use_list.named_children if use_list is not None else ():
            yield from _use_paths(source, child, base)
    elif kind == "use_list":
        for child in node.named_children:
            yield from _use_paths(source, child, prefix)
    elif kind == "use_wildcard":
        text = source.text(node).removesuffix("*").removesuffix("::")
        yield _join(prefix, text)
    else:
        text = source.text(node)
        yield prefix if text == "self" else _join(prefix, text)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}::{name}" if prefix and name else prefix or name


def _dotted(path: str) -> str:
    return ".".join(part for part in "".join(path.split()).split("::") if part)


def cargo_imports(path: str, text: str) -> list[Import]:
    """The dependencies of a ``Cargo.toml``; InputError when it is not valid TOML."""
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", path=path) from exc
    tables = [manifest.get(section, {}) for section in _CARGO_SECTIONS]
    for target in manifest.get("target", {}).values():
        if isinstance(target, dict):
            tables.extend(target.get(section, {}) for section in _CARGO_SECTIONS)
    found: list[Import] = []
    directory = posixpath.dirname(path)
    for table in tables:
        for name, spec in table.items() if isinstance(table, dict) else ():
            crate = str(spec.get("package", name)) if isinstance(spec, dict) else name
            files: tuple[str, ...] = ()
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                target_dir = posixpath.normpath(posixpath.join(directory, spec["path"]))
                files = (posixpath.join(target_dir, "Cargo.toml"),)
            line = _manifest_line(text, name)
            found.append(Import(path, line, name, (crate.replace("-", "_"), crate), files))
    return found


def crate_name(path: str, text: str) -> str | None:
    """The package name of a ``Cargo.toml`` as code spells it (``-`` -> ``_``), if any."""
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", path=path) from exc
    package = manifest.get("package")
    name = package.get("name") if isinstance(package, dict) else None
    return name.replace("-", "_") if isinstance(name, str) else None


def _manifest_line(text: str, name: str) -> int:
    """The line of a dependency's key in a manifest (1 when it cannot be found)."""
    key = re.escape(name)
    pattern = re.compile(rf'^\s*(?:"{key}"|{key})\s*[=.]|^\s*\[.*dependencies\.{key}\]', re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


# -- Python -------------------------------------------------------------------------------


def _python_imports(source: SourceFile) -> Iterator[Import]:
    cursor = QueryCursor(query("python", _PYTHON_IMPORTS))
    package = python_module(source.path).split(".")
    if not source.path.endswith("__init__.py"):
        package = package[:-1]
    for _, captures in cursor.matches(source.root):
        if "import" in captures:
            node = captures["import"][0]
            for name in node.children_by_field_name("name"):
                module = name.child_by_field_name("name") if name.type == "aliased_import" else name
                text = source.text(module) if module is not None else ""
                yield Import(source.path, line_of(node), f"import {text}", (text,))
        else:
            yield _from_import(source, captures["from"][0], package)


def _from_import(source: SourceFile, node: Node, package: list[str]) -> Import:
    """``from m import a, b``: names ``m.a``, ``m.b`` and ``m``."""
    module_node = node.child_by_field_name("module_name")
    module = _absolute(source.text(module_node), package) if module_node is not None else ""
    names: list[str] = []
    for name in node.children_by_field_name("name"):
        imported = name.child_by_field_name("name") if name.type == "aliased_import" else name
        if imported is not None and module:
            names.append(f"{module}.{source.text(imported)}")
    shown = f"from {source.text(module_node) if module_node else '?'} import ..."
    return Import(source.path, line_of(node), shown, (*names, module) if module else ())


def _absolute(module: str, package: list[str]) -> str:
    """A relative module (``..x``) made absolute against the file's package."""
    level = len(module) - len(module.lstrip("."))
    if level == 0:
        return module
    base = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    rest = module[level:]
    return ".".join([*base, rest] if rest else base)


def python_module(path: str, is_package_dir: set[str] | None = None) -> str:
    """The dotted module name of a file: ``src/pkg/sub/m.py`` -> ``pkg.sub.m`` when packaged.

    Without the set of package directories (those holding ``__init__.py``) the name is
    the path below a leading ``src/``.
    """
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if is_package_dir is None:
        return ".".join(parts[1:] if parts[0] == "src" and len(parts) > 1 else parts)
    directory = posixpath.dirname(path)
    start = len(directory.split("/")) if directory else 0
    while directory and directory in is_package_dir:
        directory = posixpath.dirname(directory)
        start -= 1
    return ".".join(path.removesuffix(".py").removesuffix("/__init__").split("/")[start:])


# -- Elixir -------------------------------------------------------------------------------


def _elixir_imports(source: SourceFile) -> Iterator[Import]:
    cursor = QueryCursor(query("elixir", _ELIXIR_IMPORTS))
    for _, captures in cursor.matches(source.root):
        target = captures["target"][0]
        kind = source.text(captures["kind"][0])
        for name in _elixir_names(source, target):
            yield Import(source.path, line_of(target), f"{kind} {name}", (name,))


def _elixir_names(source: SourceFile, target: Node) -> list[str]:
    """``A.B`` -> [A.B]; ``A.{B, C}`` -> [A.B, A.C]."""
    if target.type == "alias":
        return ["".join(source.text(target).split())]
    left = target.child_by_field_name("left")
    right = target.child_by_field_name("right")
    if left is None or right is None or right.type != "tuple":
        return ["".join(source.text(target).split())]
    base = "".join(source.text(left).split())
    return [f"{base}.{source.text(c)}" for c in right.named_children if c.type == "alias"]


def elixir_modules(source: SourceFile) -> list[str]:
    """The modules a file defines (``defmodule A.B``, nested ones with their parent's prefix)."""
    names: list[str] = []
    stack: list[tuple[Node, str]] = [(source.root, "")]
    while stack:
        node, prefix = stack.pop()
        if node.type == "call":
            target = node.child_by_field_name("target")
            args = next((c for c in node.named_children if c.type == "arguments"), None)
            first = args.named_children[0] if args and args.named_children else None
            if target is not None and source.text(target) == "defmodule" and first is not None:
                prefix = f"{prefix}.{source.text(first)}" if prefix else source.text(first)
                names.append(prefix)
        stack.extend((child, prefix) for child in node.named_children)
    return names


def mix_imports(source: SourceFile) -> list[Import]:
    """The dependency tuples of a parsed ``mix.exs`` (``{:name, ...}`` with its ``path:``)."""
    found: list[Import] = []
    directory = posixpath.dirname(source.path)
    for _, captures in QueryCursor(query("elixir", _ELIXIR_DEPS)).matches(source.root):
        dep = source.text(captures["dep"][0]).lstrip(":")
        text = source.text(captures["tuple"][0])
        match = re.search(r'path:\s*"([^"]+)"', text)
        files: tuple[str, ...] = ()
        if match:
            target = posixpath.normpath(posixpath.join(directory, match.group(1)))
            files = (posixpath.join(target, "mix.exs"),)
        found.append(Import(source.path, line_of(captures["tuple"][0]), f":{dep}", (dep,), files))
    return found
