"""The forbidden-pattern engine: every rule of a language in one combined query.

Per file, one pass of one query (the rules of the language joined) yields every
candidate; each candidate is mapped back to its rule by pattern index, refined by
the rule's check, and dropped when it lies in a zone the rule exempts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from aces.engines.patterns.checks import CHECK_FUNCTIONS, CheckSettings, FileFacts
from aces.engines.patterns.grammars import query
from aces.engines.patterns.ruleset import Rule, pattern_count
from aces.engines.patterns.source import SourceFile, column_of, line_of
from aces.engines.patterns.zones import Zones

_SHOWN_CHARS = 60


@dataclass(frozen=True, order=True)
class Hit:
    """One forbidden pattern found at a place."""

    path: str
    line: int
    column: int
    rule_id: str
    message: str
    help: str


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

    def scan(self, source: SourceFile, zones: Zones, *, use_zones: bool = True) -> list[Hit]:
        """The hits of one file, in source order; zones are ignored when ``use_zones`` is off."""
        combined = self._languages.get(source.language)
        if combined is None:
            return []
        cursor = QueryCursor(query(source.language, combined.text))
        facts = FileFacts(source)
        seen: set[tuple[str, int, int]] = set()
        hits: list[Hit] = []
        for index, captures in cursor.matches(source.root):
            rule = combined.by_pattern[index]
            for node in captures.get("match", []):
                key = (rule.id, node.start_byte, node.end_byte)
                if key in seen:
                    continue
                seen.add(key)
                if use_zones and rule.exempt and zones.at(node.start_byte) & set(rule.exempt):
                    continue
                hit = self._hit(rule, facts, node, captures)
                if hit is not None:
                    hits.append(hit)
        return sorted(hits)

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
        return Hit(
            source.path, line_of(node), column_of(node, source.data), rule.id, message, rule.help
        )


def scan_all(
    engine: PatternEngine,
    sources: Iterable[SourceFile],
    zones: Mapping[str, Zones],
) -> list[Hit]:
    """The hits of every file, sorted by place then rule."""
    hits: list[Hit] = []
    for source in sources:
        hits.extend(engine.scan(source, zones.get(source.path, Zones())))
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
