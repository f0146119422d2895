"""Test and startup zones, resolved across the whole project.

A rule may not apply in some zones: ``unwrap()`` is allowed in startup code and
in tests. A zone is either a whole file or a span of one:

- whole files: paths matched by the policy's test and startup globs (``tests/**``,
  ``build.rs``, ...), and every Rust file that is a module of test code: a file
  declared by ``#[cfg(test)] mod x;`` (``x.rs`` or ``x/mod.rs`` next to the
  declaring module), and every module such a file declares in turn. A Rust file
  of a Cargo crate is judged by the build, not by the test globs: its test
  targets (``tests/``, ``benches/`` at the crate root, ``[[test]]`` paths) are
  test code, and a file under its ``src/`` is library code unless a test module
  declares it, even in a directory named ``tests`` (``cargo_targets``);
- spans: Rust ``#[cfg(test)]`` items and ``#[test]`` functions, the body of a
  top-level ``fn main``, Python's ``if __name__ == "__main__":`` block, and any
  item directly below a comment holding a startup marker of the policy
  (``// aces:startup``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from aces.engines.patterns.cargo_targets import CargoTargets
from aces.engines.patterns.grammars import query
from aces.engines.patterns.source import SourceFile
from aces.workspace.globs import GlobMatcher

TEST = "test"
STARTUP = "startup"
Span = tuple[int, int, str]

_RUST_ZONES = """
(attribute_item) @attr
(function_item name: (identifier) @main (#eq? @main "main"))
(line_comment) @comment
(block_comment) @comment
"""
_RUST_MODS = "(mod_item name: (identifier) @name !body) @decl"
_PYTHON_ZONES = """
(if_statement
  condition: (comparison_operator (identifier) @name (string) @value)
  (#eq? @name "__name__")) @main
(comment) @comment
"""
_ELIXIR_ZONES = "(comment) @comment"
_COMMENT_TYPES = frozenset({"line_comment", "block_comment", "comment"})
_SKIPPED_BEFORE_ITEM = frozenset({"attribute_item", "decorator", *_COMMENT_TYPES})


@dataclass(frozen=True)
class Zones:
    """The zones of one file: zones of the whole file and zones of byte spans."""

    whole: frozenset[str] = frozenset()
    spans: tuple[Span, ...] = ()

    def at(self, byte: int) -> frozenset[str]:
        """The zones holding the byte at offset ``byte``."""
        inside = {zone for start, end, zone in self.spans if start <= byte < end}
        return self.whole | inside if inside else self.whole


@dataclass(frozen=True)
class ZoneSettings:
    """What the policy says about zones."""

    test_globs: tuple[str, ...]
    startup_globs: tuple[str, ...]
    startup_markers: tuple[str, ...]


class ZoneResolver:
    """Resolves zones with the policy's globs compiled once."""

    def __init__(self, settings: ZoneSettings) -> None:
        self.settings = settings
        self._tests = GlobMatcher(settings.test_globs)
        self._startups = GlobMatcher(settings.startup_globs)

    def resolve(
        self, sources: Mapping[str, SourceFile], targets: CargoTargets | None = None
    ) -> dict[str, Zones]:
        """The zones of every parsed file, resolving Rust test modules project-wide."""
        markers = self.settings.startup_markers
        spans = {path: file_spans(src, markers) for path, src in sources.items()}
        layout = targets or CargoTargets()
        test_files = {path for path, src in sources.items() if self._is_test(src, layout)}
        test_files |= rust_test_modules(sources, spans, test_files)
        out: dict[str, Zones] = {}
        for path in sources:
            whole = {TEST} if path in test_files else set()
            if self._startups.match(path):
                whole.add(STARTUP)
            out[path] = Zones(frozenset(whole), spans[path])
        return out

    def _is_test(self, source: SourceFile, targets: CargoTargets) -> bool:
        """Whether a whole file is test code by where it lies (before module declarations)."""
        if source.language == "rust":
            if targets.is_test_target(source.path):
                return True
            if targets.is_crate_source(source.path):
                return False  # a library module, whatever its directory is called
        return self._tests.match(source.path)


def resolve_zones(
    sources: Mapping[str, SourceFile],
    settings: ZoneSettings,
    targets: CargoTargets | None = None,
) -> dict[str, Zones]:
    """The zones of every parsed file, resolving Rust test modules project-wide."""
    return ZoneResolver(settings).resolve(sources, targets)


def file_spans(source: SourceFile, markers: tuple[str, ...]) -> tuple[Span, ...]:
    """The zone spans inside one file."""
    if source.language == "rust":
        return _rust_spans(source, markers)
    if source.language == "python":
        return _python_spans(source, markers)
    comments = _captures(source, _ELIXIR_ZONES).get("comment", [])
    return tuple(sorted(_marker_spans(source, comments, markers)))


# -- Rust ---------------------------------------------------------------------------------


def _rust_spans(source: SourceFile, markers: tuple[str, ...]) -> tuple[Span, ...]:
    """``#[cfg(test)]`` / ``#[test]`` items, ``fn main`` bodies and marked items."""
    found = _captures(source, _RUST_ZONES)
    spans: list[Span] = []
    for attr in found.get("attr", []):
        if is_test_attribute(source.text(attr)):
            item = next_item(attr)
            if item is not None:
                spans.append((item.start_byte, item.end_byte, TEST))
    for name in found.get("main", []):
        function = name.parent
        outer = function.parent if function is not None else None
        if function is not None and outer is not None and outer.type == "source_file":
            spans.append((function.start_byte, function.end_byte, STARTUP))
    spans.extend(_marker_spans(source, found.get("comment", []), markers))
    return tuple(sorted(spans))


def is_test_attribute(text: str) -> bool:
    """``#[cfg(test)]``, ``#[cfg(all(test, ...))]``, ``#[test]``, ``#[tokio::test]``, ..."""
    inner = "".join(text.split()).removeprefix("#[").removesuffix("]")
    if inner == "test" or inner.endswith("::test"):
        return True
    if inner == "cfg(test)":
        return True
    if inner.startswith("cfg(all(") and inner.endswith("))"):
        return "test" in inner[len("cfg(all(") : -2].split(",")
    return False


def next_item(node: Node) -> Node | None:
    """The item an attribute or comment stands above (skipping attributes and comments)."""
    sibling = node.next_named_sibling
    while sibling is not None and sibling.type in _SKIPPED_BEFORE_ITEM:
        sibling = sibling.next_named_sibling
    return sibling


def rust_test_modules(
    sources: Mapping[str, SourceFile],
    spans: Mapping[str, tuple[Span, ...]],
    test_files: set[str],
) -> set[str]:
    """Rust files that are test code because a test module declares them (to a fixed point)."""
    declared: dict[str, list[tuple[str, bool]]] = {}
    for path, source in sources.items():
        if source.language == "rust":
            declared[path] = list(_module_declarations(source, spans[path]))
    found: set[str] = set()
    pending = [target for decls in declared.values() for target, in_test in decls if in_test] + [
        target for path in test_files for target, _ in declared.get(path, [])
    ]
    while pending:
        target = pending.pop()
        if target in found or target not in sources:
            continue
        found.add(target)
        pending.extend(child for child, _ in declared.get(target, []))
    return found


def _module_declarations(source: SourceFile, spans: tuple[Span, ...]) -> Iterable[tuple[str, bool]]:
    """(file the declaration names, whether it sits in test code) per ``mod x;``."""
    zones = Zones(frozenset(), spans)
    for decl in _captures(source, _RUST_MODS).get("decl", []):
        name_node = decl.child_by_field_name("name")
        if name_node is None:
            continue
        in_test = TEST in zones.at(decl.start_byte) or _has_test_attribute(source, decl)
        for target in module_files(source, decl, source.text(name_node)):
            yield target, in_test


def _has_test_attribute(source: SourceFile, item: Node) -> bool:
    """Whether a ``#[cfg(test)]`` attribute stands right above ``item``."""
    sibling = item.prev_named_sibling
    while sibling is not None and sibling.type in _SKIPPED_BEFORE_ITEM:
        if sibling.type == "attribute_item" and is_test_attribute(source.text(sibling)):
            return True
        sibling = sibling.prev_named_sibling
    return False


def module_files(source: SourceFile, decl: Node, name: str) -> tuple[str, ...]:
    """The files ``mod name;`` may load: ``#[path]``, else ``name.rs`` / ``name/mod.rs``."""
    directory = posixpath.dirname(source.path)
    explicit = _path_attribute(source, decl)
    if explicit is not None:
        return (posixpath.normpath(posixpath.join(directory, explicit)),)
    stem = posixpath.basename(source.path).removesuffix(".rs")
    owns_dir = stem in ("lib", "main", "mod", "build") or directory.endswith("/bin")
    base = directory if owns_dir else posixpath.join(directory, stem)
    base = posixpath.join(base, *_inline_modules(decl))
    return (
        posixpath.normpath(posixpath.join(base, f"{name}.rs")),
        posixpath.normpath(posixpath.join(base, name, "mod.rs")),
    )


def _path_attribute(source: SourceFile, decl: Node) -> str | None:
    """The value of a ``#[path = "..."]`` attribute above ``decl``, if any."""
    sibling = decl.prev_named_sibling
    while sibling is not None and sibling.type in _SKIPPED_BEFORE_ITEM:
        inner = "".join(source.text(sibling).split()).removeprefix("#[").removesuffix("]")
        if inner.startswith("path=") and inner.endswith('"'):
            return inner[len('path="') : -1]
        sibling = sibling.prev_named_sibling
    return None


def _inline_modules(decl: Node) -> list[str]:
    """Names of the inline ``mod a { ... }`` blocks around ``decl``, outermost first."""
    names: list[str] = []
    node = decl.parent
    while node is not None:
        if node.type == "mod_item":
            name = node.child_by_field_name("name")
            if name is not None and name.text is not None:
                names.append(name.text.decode("utf-8", "replace"))
        node = node.parent
    return names[::-1]


# -- Python and markers -------------------------------------------------------------------


def _python_spans(source: SourceFile, markers: tuple[str, ...]) -> tuple[Span, ...]:
    """``if __name__ == "__main__":`` blocks and marked definitions."""
    found = _captures(source, _PYTHON_ZONES)
    spans: list[Span] = [
        (block.start_byte, block.end_byte, STARTUP)
        for block in found.get("main", [])
        if "__main__" in source.text(block).split(":", 1)[0]
    ]
    spans.extend(_marker_spans(source, found.get("comment", []), markers))
    return tuple(sorted(spans))


def _marker_spans(
    source: SourceFile, comments: Iterable[Node], markers: tuple[str, ...]
) -> list[Span]:
    """Items right below a comment holding a startup marker."""
    spans: list[Span] = []
    for comment in comments:
        text = source.text(comment)
        if markers and any(marker in text for marker in markers):
            item = next_item(comment)
            if item is not None:
                spans.append((item.start_byte, item.end_byte, STARTUP))
    return spans


def _captures(source: SourceFile, text: str) -> dict[str, list[Node]]:
    """Captures of the query ``text`` on the file's tree."""
    return QueryCursor(query(source.language, text)).captures(source.root)
