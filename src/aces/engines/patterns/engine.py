"""The forbidden-pattern engine: every rule of a language in one combined query.

Per file, one pass of one query (the rules of the language joined) yields every
candidate; each candidate is mapped back to its rule by pattern index, refined by
the rule's check, and dropped when it lies in a zone the rule exempts. Rules marked
``in_macros`` also read the code written inside Rust macros (``macros``): a macro
argument is judged where it is written, a ``macro_rules!`` body where it is written
and where the macro is invoked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from aces.engines.patterns.checks import (
    CHECK_FUNCTIONS,
    CheckSettings,
    FileFacts,
    safety_comment,
)
from aces.engines.patterns.grammars import query
from aces.engines.patterns.macros import Expansion, MacroIndex
from aces.engines.patterns.ruleset import Rule, pattern_count
from aces.engines.patterns.source import SourceFile, column_of, line_of, place_of
from aces.engines.patterns.zones import Zones

_SHOWN_CHARS = 60

Candidate = tuple[Rule, Node, dict[str, list[Node]]]


@dataclass(frozen=True, order=True)
class Hit:
    """One forbidden pattern found at a place."""

    path: str
    line: int
    column: int
    rule_id: str
    message: str
    help: str
    end_line: int = 0  # the last line of the matched code (0: unknown or a macro expansion)
    end_column: int = 0  # the column just after the matched code on its last line (0: unknown)


class _Placeholders(dict[str, str]):
    """Message placeholders; an unknown name is left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class _LanguageRules:
    """The combined query text of one language and the rule of each pattern index."""

    text: str
    by_pattern: tuple[Rule, ...]


class PatternEngine:
    """Scans parsed files with the rules of their language."""

    def __init__(self, rules: Mapping[str, tuple[Rule, ...]], settings: CheckSettings) -> None:
        self.settings = settings
        self._languages = {
            language: _combine(chosen) for language, chosen in rules.items() if chosen
        }
        self._in_macros = {
            language: _combine(tuple(r for r in chosen if r.in_macros))
            for language, chosen in rules.items()
            if any(r.in_macros for r in chosen)
        }

    def scan(
        self,
        source: SourceFile,
        zones: Zones,
        *,
        use_zones: bool = True,
        macros: MacroIndex | None = None,
    ) -> list[Hit]:
        """The hits of one file, in source order; zones are ignored when ``use_zones`` is off.

        ``macros`` is the project's macro index; without it the file is its own project.
        """
        combined = self._languages.get(source.language)
        if combined is None:
            return []
        facts = FileFacts(source)
        hits: list[Hit] = []
        for rule, node, captures in _candidates(combined, source):
            if use_zones and rule.exempt and zones.at(node.start_byte) & set(rule.exempt):
                continue
            hit = self._hit(rule, facts, node, captures)
            if hit is not None:
                hits.append(hit)
        if source.language in self._in_macros:
            index = macros or MacroIndex.build([source], {source.path: zones})
            for expansion in index.expansions.get(source.path, []):
                hits.extend(self._scan_expansion(source, expansion, zones, index, use_zones))
        return sorted(set(hits))

    def _scan_expansion(
        self,
        source: SourceFile,
        expansion: Expansion,
        zones: Zones,
        index: MacroIndex,
        use_zones: bool,
    ) -> Iterator[Hit]:
        """The hits of the ``in_macros`` rules in one macro body or argument list."""
        facts = FileFacts(expansion.source)
        for rule, node, captures in _candidates(self._in_macros[source.language], facts.source):
            byte = expansion.original(node.start_byte)
            if use_zones and _exempt_here(rule, zones, byte, expansion.owner, index):
                continue
            owner = expansion.owner
            hit = self._hit(rule, facts, node, captures)
            if hit is None or self._cleared_around(rule, source, byte):
                continue
            line, column = place_of(source.data, byte)
            suffix = f" (in the body of macro `{owner}!`)" if owner else ""
            yield Hit(hit.path, line, column, hit.rule_id, hit.message + suffix, hit.help)

    def _cleared_around(self, rule: Rule, source: SourceFile, byte: int) -> bool:
        """Whether a SAFETY comment above the statement holding the macro clears the hit.

        The expansion holds only the macro's tokens; the comment that justifies an
        ``unsafe`` block in a macro argument stands above the invocation, in the file.
        """
        if rule.check != "safety_comment":
            return False
        token = source.root.descendant_for_byte_range(byte, byte)
        return token is not None and safety_comment(FileFacts(source), token, self.settings) is None

    def _hit(
        self, rule: Rule, facts: FileFacts, node: Node, captures: dict[str, list[Node]]
    ) -> Hit | None:
        """The hit of one candidate, or None when the rule's check clears it."""
        source = facts.source
        values = _Placeholders(
            {name: source.text(nodes[0]) for name, nodes in captures.items() if nodes}
        )
        values["text"] = _shown(source.text(node))
        if rule.check:
            refined = CHECK_FUNCTIONS[rule.check](facts, node, self.settings)
            if refined is None:
                return None
            values.update(refined)
        message = rule.message.format_map(values)
        end_line, end_column = place_of(source.data, node.end_byte)
        return Hit(
            source.path,
            line_of(node),
            column_of(node, source.data),
            rule.id,
            message,
            rule.help,
            end_line,
            end_column,
        )


def _candidates(combined: _LanguageRules, source: SourceFile) -> Iterator[Candidate]:
    """Each (rule, node, captures) the combined query matches, once per rule and node."""
    cursor = QueryCursor(query(source.language, combined.text))
    seen: set[tuple[str, int, int]] = set()
    for index, captures in cursor.matches(source.root):
        rule = combined.by_pattern[index]
        for node in captures.get("match", []):
            key = (rule.id, node.start_byte, node.end_byte)
            if key not in seen:
                seen.add(key)
                yield rule, node, captures


def _exempt_here(rule: Rule, zones: Zones, byte: int, owner: str | None, index: MacroIndex) -> bool:
    """Whether a hit in a macro is in an exempt zone, or in a body invoked only from one."""
    if rule.exempt and zones.at(byte) & set(rule.exempt):
        return True
    return owner is not None and not index.invoked_outside(owner, rule.exempt)


def scan_all(
    engine: PatternEngine,
    sources: Iterable[SourceFile],
    zones: Mapping[str, Zones],
) -> list[Hit]:
    """The hits of every file, sorted by place then rule; macros resolved project-wide."""
    chosen = list(sources)
    macros = MacroIndex.build(chosen, zones)
    hits: list[Hit] = []
    for source in chosen:
        hits.extend(engine.scan(source, zones.get(source.path, Zones()), macros=macros))
    return sorted(hits)


def _combine(rules: tuple[Rule, ...]) -> _LanguageRules:
    """Join the queries of a language's rules, remembering which rule owns each pattern."""
    owners: list[Rule] = []
    for rule in rules:
        owners.extend([rule] * pattern_count(rule))
    return _LanguageRules("\n".join(rule.query for rule in rules), tuple(owners))


def _shown(text: str) -> str:
    """The first line of a snippet, shortened for a message."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= _SHOWN_CHARS else first[: _SHOWN_CHARS - 3] + "..."
