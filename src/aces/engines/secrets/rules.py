"""Secret rules as data: the dataclasses and the loader of the built-in rule file.

A rule names a token format (``github-token``) with a regex over bytes, the group
holding the secret, keywords (a rule only fires in a file holding one of them),
an entropy floor, and allowlist regexes for shapes that are not secrets
(placeholders, identifiers). Every rule ships should-flag and should-not-flag
samples; the test suite runs them for every rule.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from aces.engines.secrets.context import CONTEXTS
from aces.errors import InputError

BUILTIN_RULES = "builtin.toml"
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
RULE_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "title",
        "regex",
        "secret_group",
        "keywords",
        "entropy",
        "min_classes",
        "multiline",
        "allow",
        "allow_match",
        "contexts",
        "path",
        "like",
        "prefilter",
        "flag",
        "skip",
    }
)


@dataclass(frozen=True)
class EntropyFloor:
    """Minimum Shannon entropy of a secret, per charset (``hex`` or ``base64``)."""

    hex: float = 0.0
    base64: float = 0.0

    def for_charset(self, name: str) -> float:
        """The floor of one charset."""
        return self.hex if name == "hex" else self.base64


@dataclass(frozen=True)
class Rule:
    """One secret rule; ``priority`` is its position (lower wins on overlapping matches)."""

    id: str
    title: str
    regex: re.Pattern[bytes]
    secret_group: int | str = 0
    keywords: tuple[bytes, ...] = ()
    entropy: EntropyFloor = field(default_factory=EntropyFloor)
    min_classes: int = 0
    allow: tuple[re.Pattern[bytes], ...] = ()
    allow_match: tuple[re.Pattern[bytes], ...] = ()
    stopwords: tuple[bytes, ...] = ()
    path: re.Pattern[str] | None = None  # only files whose path matches (imported rules)
    # What hyperscan looks for instead of ``regex`` (a superset of it): for a regex whose
    # long bounded repeats hyperscan does not always match as ``re`` does.
    prefilter: re.Pattern[bytes] | None = None
    # False: every match lies on one line holding a keyword, so only those lines are searched.
    multiline: bool = False
    global_allow: bool = True  # the rule set's placeholder allowlist applies
    contexts: tuple[str, ...] = ()  # only files of these contexts (``context``); () = all
    flag: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    priority: int = 0


@dataclass(frozen=True)
class PathRule:
    """A rule that flags a file by its path alone (a gitleaks rule with no regex)."""

    id: str
    title: str
    path: re.Pattern[str]


@dataclass(frozen=True)
class RuleSet:
    """The rules in priority order and the placeholder shapes no rule reports."""

    rules: tuple[Rule, ...]
    allow: tuple[re.Pattern[bytes], ...] = ()
    path_rules: tuple[PathRule, ...] = ()
    # Values that say they are fakes (``EXAMPLE``, ``changeme``): no secret, but a test or
    # a document holding one is shown as information (``Matcher.keeping_fixtures``).
    fixtures: tuple[re.Pattern[bytes], ...] = ()

    def extended(self, rules: tuple[Rule, ...], path_rules: tuple[PathRule, ...]) -> RuleSet:
        """This set followed by more rules (their priorities renumbered after ours)."""
        start = len(self.rules)
        renumbered = tuple(_with_priority(rule, start + i) for i, rule in enumerate(rules))
        return replace(self, rules=self.rules + renumbered, path_rules=self.path_rules + path_rules)


def _with_priority(rule: Rule, priority: int) -> Rule:
    """A copy of ``rule`` at another priority."""
    return replace(rule, priority=priority)


def load_builtin() -> RuleSet:
    """The rules shipped with ACES (``rules/builtin.toml``)."""
    package = resources.files("aces.engines.secrets")
    text = package.joinpath("rules").joinpath(BUILTIN_RULES).read_text(encoding="utf-8")
    return parse_ruleset(text, f"aces/engines/secrets/rules/{BUILTIN_RULES}")


def parse_ruleset(text: str, source: str) -> RuleSet:
    """A rule set from rule-file TOML; InputError naming ``source`` on any mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", path=source) from exc
    allow_table = data.get("allowlist", {})
    allow = compile_all(allow_table.get("secrets", []), source, "allowlist.secrets")
    fixtures = compile_all(allow_table.get("fixtures", []), source, "allowlist.fixtures")
    # An issuer's documented example values say they are examples as EXAMPLE does.
    fixtures += compile_all(allow_table.get("documented", []), source, "allowlist.documented")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise InputError("expected one or more [[rule]] tables", path=source)
    rules = tuple(
        parse_rule(_like(raw, raw_rules[:i], source), i, source) for i, raw in enumerate(raw_rules)
    )
    _unique_ids(rules, source)
    return RuleSet(rules, allow, fixtures=fixtures)


def parse_rule(raw: Any, index: int, source: str) -> Rule:
    """One ``[[rule]]`` table."""
    where = f"rule[{index}]"
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a table", path=source)
    unknown = sorted(set(raw) - RULE_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown keys {', '.join(unknown)}", path=source)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        raise InputError(f"{where}: expected an id such as 'github-token'", path=source)
    where = f"rule {rule_id!r}"
    regex = compile_one(_string(raw, "regex", where, source), source, where)
    return Rule(
        id=rule_id,
        title=_string(raw, "title", where, source),
        regex=regex,
        secret_group=secret_group(raw.get("secret_group"), regex, where, source),
        keywords=tuple(k.lower().encode() for k in _strings(raw, "keywords", where, source)),
        entropy=entropy_floor(raw.get("entropy", 0.0), where, source),
        min_classes=_int(raw, "min_classes", where, source),
        multiline=_bool(raw, "multiline", where, source),
        allow=compile_all(raw.get("allow", []), source, f"{where}.allow"),
        allow_match=compile_all(raw.get("allow_match", []), source, f"{where}.allow_match"),
        contexts=_contexts(raw, where, source),
        path=_path(raw, where, source),
        prefilter=(
            compile_one(_string(raw, "prefilter", where, source), source, f"{where}.prefilter")
            if "prefilter" in raw
            else None
        ),
        flag=_strings(raw, "flag", where, source),
        skip=_strings(raw, "skip", where, source),
        priority=index,
    )


# What a rule written ``like = "<id>"`` takes from that earlier rule unless it says otherwise:
# the tests that decide whether a match is a secret, so both judge values alike.
LIKE_KEYS: tuple[str, ...] = ("keywords", "entropy", "min_classes", "allow", "allow_match")


def _like(raw: Any, earlier: list[Any], source: str) -> Any:
    """``raw`` with the value tests of the earlier rule it names in ``like`` filled in."""
    if not isinstance(raw, dict) or "like" not in raw:
        return raw
    name = raw["like"]
    base = next((r for r in earlier if isinstance(r, dict) and r.get("id") == name), None)
    if base is None:
        where = f"rule {raw.get('id')!r}"
        raise InputError(f"{where}: like {name!r} names no earlier rule", path=source)
    inherited = {key: base[key] for key in LIKE_KEYS if key in base and key not in raw}
    return {**inherited, **{k: v for k, v in raw.items() if k != "like"}}


def _path(raw: dict[str, Any], where: str, source: str) -> re.Pattern[str] | None:
    """The regex a file's path must match for the rule to read it (none: every file)."""
    if "path" not in raw:
        return None
    pattern = _string(raw, "path", where, source)
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{where}: the path regex does not compile ({exc})", path=source) from exc


def secret_group(value: object, regex: re.Pattern[bytes], where: str, source: str) -> int | str:
    """The group holding the secret: given, else 1 when the regex has groups, else 0."""
    if value is None:
        return 1 if regex.groups else 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{where}: secret_group must be a group number or name", path=source)
    known = isinstance(value, int) and 0 <= value <= regex.groups
    if not known and value not in regex.groupindex:
        raise InputError(f"{where}: the regex has no group {value!r}", path=source)
    return value


def entropy_floor(value: object, where: str, source: str) -> EntropyFloor:
    """A number (both charsets) or a table ``{hex = .., base64 = ..}``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EntropyFloor(float(value), float(value))
    if isinstance(value, dict) and set(value) <= {"hex", "base64"}:
        numbers = {k: v for k, v in value.items() if isinstance(v, int | float)}
        if len(numbers) == len(value):
            return EntropyFloor(float(numbers.get("hex", 0.0)), float(numbers.get("base64", 0.0)))
    raise InputError(
        f"{where}: entropy must be a number or a table {{hex = N, base64 = N}}", path=source
    )


def compile_one(pattern: str, source: str, where: str) -> re.Pattern[bytes]:
    """A bytes regex; InputError naming the rule when it does not compile."""
    try:
        return re.compile(pattern.encode("utf-8"))
    except re.error as exc:
        raise InputError(f"{where}: the regex does not compile ({exc})", path=source) from exc


def compile_all(patterns: object, source: str, where: str) -> tuple[re.Pattern[bytes], ...]:
    """A list of bytes regexes."""
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise InputError(f"{where}: expected a list of regular expressions", path=source)
    return tuple(compile_one(p, source, where) for p in patterns)


def _contexts(raw: dict[str, Any], where: str, source: str) -> tuple[str, ...]:
    """The contexts a rule is limited to, each one of ``context.CONTEXTS``."""
    contexts = _strings(raw, "contexts", where, source)
    wrong = [c for c in contexts if c not in CONTEXTS]
    if wrong:
        raise InputError(
            f"{where}: unknown contexts {', '.join(wrong)} (known: {', '.join(CONTEXTS)})",
            path=source,
        )
    return contexts


def _string(raw: dict[str, Any], key: str, where: str, source: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: {key} must be a non-empty string", path=source)
    return value


def _strings(raw: dict[str, Any], key: str, where: str, source: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{where}: {key} must be a list of non-empty strings", path=source)
    return tuple(value)


def _int(raw: dict[str, Any], key: str, where: str, source: str) -> int:
    value = raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: {key} must be a non-negative integer", path=source)
    return value


def _bool(raw: dict[str, Any], key: str, where: str, source: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise InputError(f"{where}: {key} must be true or false", path=source)
    return value


def _unique_ids(rules: tuple[Rule, ...], source: str) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise InputError(f"rule id {rule.id!r} is defined twice", path=source)
        seen.add(rule.id)
