"""Code written inside Rust macros, parsed as code so the forbidden-pattern rules read it.

tree-sitter leaves the tokens of a macro unparsed: the body of a ``macro_rules!``
rule and the arguments of an invocation (``println!("{}", x.unwrap())``) are
flat token trees, so a query never sees an ``unwrap()`` written there. Each such
token tree is cut out, its metavariables made identifiers of the same length
(``$e`` -> ``_e``, repetition markers blanked), wrapped so it parses as a block
or as call arguments, and parsed again, recursively. Because every substitution
keeps the length, a node of the expansion maps back to the original file by a
fixed offset.

A ``macro_rules!`` body is code only where the macro is invoked: ``MacroIndex``
resolves, across the project, where each macro is invoked (through ``use ... as``
renames, ``$crate::`` / ``crate::`` paths, and from the bodies of other macros)
and in which zones; a ``#[macro_export]`` macro counts as invoked from library
code. Macros are matched by name project-wide, which can only add invocations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tree_sitter import Node, QueryCursor

from aces.engines.patterns.grammars import parser, query
from aces.engines.patterns.source import SourceFile
from aces.engines.patterns.zones import Zones

ZoneSet = frozenset[str]
Call = tuple[str, ZoneSet, str | None]

_TOKEN_TREES = """
(macro_definition name: (identifier) @name (macro_rule right: (token_tree) @body))
(macro_invocation macro: (_) @macro (token_tree) @arguments)
"""
_EXPORTED = "((attribute_item) @attr . (macro_definition name: (identifier) @name))"
_ALIASES = "(use_as_clause path: (_) @path alias: (identifier) @alias)"
_WRAPPERS = {
    "body": (b"fn __aces_macro_body__() {\n", b"\n}\n"),
    "arguments": (b"fn __aces_macro_args__() { __aces__(", b"); }\n"),
}
# Macros that expand macros that expand macros...: deeper nesting is not followed.
MAX_DEPTH = 8


@dataclass(frozen=True)
class Expansion:
    """The content of one token tree, parsed; ``offset`` maps its bytes to the file's."""

    source: SourceFile
    offset: int
    owner: str | None  # the macro_rules! whose body holds it; None in ordinary code

    def original(self, byte: int) -> int:
        """The byte of the original file that ``byte`` of the expansion stands for."""
        return byte + self.offset


@dataclass
class MacroIndex:
    """The expansions of every Rust file and the zones each macro is invoked in."""

    expansions: dict[str, list[Expansion]] = field(default_factory=dict)
    live: dict[str, set[ZoneSet]] = field(default_factory=dict)

    @classmethod
    def build(cls, sources: Iterable[SourceFile], zones: Mapping[str, Zones]) -> MacroIndex:
        """Expand every Rust file and resolve where each macro is invoked, project-wide."""
        index = cls()
        calls: list[Call] = []
        aliases: dict[str, str] = {}
        for source in sources:
            if source.language != "rust":
                continue
            expanded = expand_file(source)
            index.expansions[source.path] = expanded
            aliases.update(_aliases(source))
            calls.extend(_calls(source, expanded, zones.get(source.path, Zones())))
        index.live = _live_zones(calls, aliases)
        return index

    def invoked_outside(self, macro: str, exempt: Iterable[str]) -> bool:
        """Whether ``macro`` is invoked somewhere none of the ``exempt`` zones covers."""
        excluded = set(exempt)
        return any(not (zone & excluded) for zone in self.live.get(macro, ()))


def expand_file(source: SourceFile) -> list[Expansion]:
    """Every macro body and argument list of a file, parsed, nested ones included."""
    out: list[Expansion] = []
    pending: list[tuple[Expansion, int]] = [(Expansion(source, 0, None), 0)]
    while pending:
        outer, depth = pending.pop()
        if depth >= MAX_DEPTH:
            continue
        for kind, node, macro in _token_trees(outer.source):
            owner = macro if kind == "body" else outer.owner
            inner = _expand(outer, node, kind, owner)
            out.append(inner)
            pending.append((inner, depth + 1))
    return out


def _calls(source: SourceFile, expanded: list[Expansion], zones: Zones) -> list[Call]:
    """(macro, zones of the call, macro whose body holds the call) of one file."""
    calls: list[Call] = []
    for tree in [Expansion(source, 0, None), *expanded]:
        for name, byte in _invocations(tree.source):
            calls.append((name, zones.at(tree.original(byte)), tree.owner))
    calls.extend((name, zones.at(byte), None) for name, byte in _exported(source))
    return calls


def _token_trees(source: SourceFile) -> Iterable[tuple[str, Node, str | None]]:
    """(kind, token tree, defined macro name) of each body and argument list in one tree."""
    for _, found in QueryCursor(query("rust", _TOKEN_TREES)).matches(source.root):
        if "body" in found:
            yield "body", found["body"][0], source.text(found["name"][0])
        elif "arguments" in found:
            yield "arguments", found["arguments"][0], None


def _expand(outer: Expansion, tree: Node, kind: str, owner: str | None) -> Expansion:
    """Parse the content of one token tree (its delimiters left out)."""
    base = tree.start_byte + 1
    data = bytearray(outer.source.data[base : tree.end_byte - 1])
    for start, end, filler in _substitutions(tree):
        data[start - base : end - base] = filler * (end - start)
    prefix, suffix = _WRAPPERS[kind]
    text = prefix + bytes(data) + suffix
    parsed = SourceFile(outer.source.path, "rust", text, parser("rust").parse(text))
    return Expansion(parsed, outer.offset + base - len(prefix), owner)


def _substitutions(tree: Node) -> list[tuple[int, int, bytes]]:
    """Byte spans to overwrite so metavariables read as identifiers of the same length."""
    spans: list[tuple[int, int, bytes]] = []
    stack = list(tree.children)
    while stack:
        node = stack.pop()
        if node.type == "metavariable":
            spans.append((node.start_byte, node.start_byte + 1, b"_"))
        elif node.type == "token_repetition":
            # `$( ... ) sep op`: drop the `$`, keep the group, drop separator and operator
            spans.append((node.start_byte, node.start_byte + 1, b" "))
            closing = [c for c in node.children if c.type == ")"]
            if closing:
                spans.append((closing[-1].end_byte, node.end_byte, b" "))
        stack.extend(node.children)
    return spans


def _invocations(source: SourceFile) -> Iterable[tuple[str, int]]:
    """(invoked macro's last path segment, byte) of each invocation in one tree."""
    found = QueryCursor(query("rust", _TOKEN_TREES)).captures(source.root)
    for node in found.get("macro", []):
        yield source.text(node).rsplit("::", 1)[-1], node.start_byte


def _exported(source: SourceFile) -> Iterable[tuple[str, int]]:
    """(name, byte) of each ``#[macro_export]`` macro: other crates may invoke it."""
    for _, found in QueryCursor(query("rust", _EXPORTED)).matches(source.root):
        if "".join(source.text(found["attr"][0]).split()).startswith("#[macro_export"):
            yield source.text(found["name"][0]), found["name"][0].start_byte


def _aliases(source: SourceFile) -> dict[str, str]:
    """``use path::name as alias`` -> {alias: name}."""
    out: dict[str, str] = {}
    for _, found in QueryCursor(query("rust", _ALIASES)).matches(source.root):
        original = source.text(found["path"][0]).rsplit("::", 1)[-1]
        out[source.text(found["alias"][0])] = original
    return out


def _live_zones(calls: list[Call], aliases: Mapping[str, str]) -> dict[str, set[ZoneSet]]:
    """Macro -> the zone sets it is invoked in, through other macros' bodies (fixed point)."""
    live: dict[str, set[ZoneSet]] = {}
    changed = True
    while changed:
        changed = False
        for name, zone, owner in calls:
            target = _resolve(name, aliases)
            outer: list[ZoneSet] = [frozenset()] if owner is None else list(live.get(owner, ()))
            for context in outer:
                combined = zone | context
                if combined not in live.setdefault(target, set()):
                    live[target].add(combined)
                    changed = True
    return live


def _resolve(name: str, aliases: Mapping[str, str]) -> str:
    """Follow ``use ... as`` renames to the macro's own name (cycles stop)."""
    seen = {name}
    while name in aliases and aliases[name] not in seen:
        name = aliases[name]
        seen.add(name)
    return name
