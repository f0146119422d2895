"""Forbidden-pattern rules as data: loading and validating the shipped TOML files.

A rule is a tree-sitter query whose ``@match`` capture is the offending node,
an optional ``check`` that refines what the query captured (a function's length,
a literal's context, a comment's text), the zones where the rule does not apply
(``test``, ``startup``), whether it also reads code written inside macros
(``in_macros``: ``macro_rules!`` bodies and macro arguments, see ``macros``), and
samples: every ``flag`` sample must produce a finding and no ``pass`` sample may. The test
suite runs the samples of every rule.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tree_sitter import Query

from aces.engines.patterns.grammars import LANGUAGES, grammar
from aces.errors import DoctrineError

CHECKS: tuple[str, ...] = (
    "function_lines",
    "magic_number",
    "method_path",
    "safety_comment",
    "ticketless_todo",
)
ZONES: tuple[str, ...] = ("test", "startup")
_RULE_KEYS = frozenset(
    {"id", "query", "check", "message", "help", "exempt", "flag", "pass", "filler", "in_macros"}
)
_ID = re.compile(r"[a-z]+\.[a-z][a-z0-9-]*")
_FILLER = re.compile(r"\{filler\*(\d+)\}")


@dataclass(frozen=True)
class Rule:
    """One forbidden pattern of one language."""

    id: str
    language: str
    query: str
    message: str
    help: str
    check: str = ""
    exempt: tuple[str, ...] = ()
    flag: tuple[str, ...] = ()
    passing: tuple[str, ...] = ()
    filler: str = ""
    in_macros: bool = False

    def samples(self, *, flagged: bool) -> tuple[str, ...]:
        """The flag (or pass) samples, with ``{filler*N}`` expanded."""
        chosen = self.flag if flagged else self.passing
        return tuple(
            _FILLER.sub(lambda m: self.filler * int(m.group(1)), sample) for sample in chosen
        )


def load_rules(language: str) -> tuple[Rule, ...]:
    """The shipped rules of ``language``; DoctrineError when the data is malformed."""
    name = f"{language}.toml"
    text = resources.files("aces.engines.patterns.rules").joinpath(name).read_text("utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DoctrineError(f"invalid TOML: {exc}", path=f"patterns/rules/{name}") from exc
    rules = tuple(_rule(language, entry, name) for entry in raw.get("rule", []))
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise DoctrineError("a rule id is listed twice", path=f"patterns/rules/{name}")
    return rules


def all_rules() -> dict[str, tuple[Rule, ...]]:
    """Language -> its rules, for every language with a grammar."""
    return {language: load_rules(language) for language in LANGUAGES}


def _rule(language: str, entry: dict[str, Any], name: str) -> Rule:
    """Validate one ``[[rule]]`` table into a Rule."""
    where = f"patterns/rules/{name}"
    unknown = sorted(set(entry) - _RULE_KEYS)
    rule_id = str(entry.get("id", ""))
    if unknown or not _ID.fullmatch(rule_id) or not rule_id.startswith(f"{language}."):
        raise DoctrineError(f"rule {rule_id!r}: bad id or unknown keys {unknown}", path=where)
    check = str(entry.get("check", ""))
    exempt = tuple(entry.get("exempt", ()))
    if (check and check not in CHECKS) or any(zone not in ZONES for zone in exempt):
        raise DoctrineError(f"rule {rule_id!r}: unknown check or zone", path=where)
    query = str(entry.get("query", ""))
    _compile(language, query, rule_id, where)
    return Rule(
        id=rule_id,
        language=language,
        query=query,
        message=str(entry.get("message", "")),
        help=str(entry.get("help", "")),
        check=check,
        exempt=exempt,
        flag=tuple(entry.get("flag", ())),
        passing=tuple(entry.get("pass", ())),
        filler=str(entry.get("filler", "")),
        in_macros=entry.get("in_macros", False) is True,
    )


def _compile(language: str, query: str, rule_id: str, where: str) -> Query:
    """Compile a rule's query alone; it must capture ``@match``."""
    try:
        compiled = Query(grammar(language), query)
    except Exception as exc:  # tree-sitter raises QueryError and its subclasses
        raise DoctrineError(f"rule {rule_id!r}: bad query ({exc})", path=where) from exc
    names = {compiled.capture_name(i) for i in range(compiled.capture_count)}
    if "match" not in names:
        raise DoctrineError(f"rule {rule_id!r}: the query captures no @match", path=where)
    return compiled


def pattern_count(rule: Rule) -> int:
    """How many top-level patterns the rule's query holds."""
    return Query(grammar(rule.language), rule.query).pattern_count
