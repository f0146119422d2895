"""Read a gitleaks TOML config (v8) into ACES rules, so a team can bring its own rules.

Each ``[[rules]]`` table becomes a rule ``custom.<id>`` added after the built-in
rules (which stay on: no rule can be switched off). Supported keys: ``id``,
``description``, ``regex`` (Go RE2 syntax; the constructs Python's ``re`` spells
differently are translated), ``secretGroup``, ``entropy``, ``keywords``, ``path``
(a path regex; with no ``regex`` the rule flags the file itself) and the rule's
``allowlist`` / ``allowlists`` (``regexes`` with ``regexTarget`` secret or match,
and ``stopwords``). The global ``[allowlist]`` / ``[[allowlists]]`` regexes and
stopwords apply to the imported rules only. Path allowlists are not read: path
exceptions go through the policy's governed ``[[allowlist]]``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from typing import Any

from aces.engines.secrets.rules import (
    EntropyFloor,
    PathRule,
    Rule,
    compile_all,
    compile_one,
    secret_group,
)
from aces.errors import InputError

PREFIX = "custom."
# RE2 spellings that Python's re writes otherwise (or not at all).
_POSIX = {
    "[:alnum:]": "a-zA-Z0-9",
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:lower:]": "a-z",
    "[:upper:]": "A-Z",
    "[:space:]": r"\s",
    "[:xdigit:]": "0-9A-Fa-f",
    "[:word:]": r"\w",
    "[:punct:]": r"!-/:-@\[-`{-~",
}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def translate(regex: str) -> str:
    """A Go RE2 regex in Python ``re`` syntax."""
    for posix, python in _POSIX.items():
        regex = regex.replace(posix, python)
    return regex.replace(r"\z", r"\Z")


def load_gitleaks(text: str, source: str) -> tuple[tuple[Rule, ...], tuple[PathRule, ...]]:
    """The rules of a gitleaks config; InputError naming ``source`` on any mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", path=source) from exc
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise InputError("expected [[rules]] tables", path=source)
    global_regexes, global_stopwords = _allowlists(data, "allowlist", "allowlists", source)
    rules: list[Rule] = []
    path_rules: list[PathRule] = []
    for i, raw in enumerate(raw_rules):
        rule = _rule(raw, i, source)
        if isinstance(rule, PathRule):
            path_rules.append(rule)
            continue
        rules.append(
            replace(
                rule,
                allow=rule.allow + global_regexes,
                stopwords=rule.stopwords + global_stopwords,
            )
        )
    return tuple(rules), tuple(path_rules)


def _rule(raw: Any, index: int, source: str) -> Rule | PathRule:
    """One ``[[rules]]`` table."""
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a table", path=source)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise InputError(f"{where}: expected an id", path=source)
    where = f"rule {rule_id!r}"
    title = str(raw.get("description") or rule_id)
    path = _path_regex(raw.get("path"), where, source)
    if "regex" not in raw:
        if path is None:
            raise InputError(f"{where}: has neither regex nor path", path=source)
        return PathRule(PREFIX + rule_id, title, path)
    if not isinstance(raw["regex"], str):
        raise InputError(f"{where}: regex must be a string", path=source)
    regex = compile_one(translate(raw["regex"]), source, where)
    entropy = raw.get("entropy", 0.0)
    if isinstance(entropy, bool) or not isinstance(entropy, int | float):
        raise InputError(f"{where}: entropy must be a number", path=source)
    keywords = raw.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise InputError(f"{where}: keywords must be a list of strings", path=source)
    allow, allow_match, stopwords = _rule_allowlists(raw, where, source)
    return Rule(
        id=PREFIX + rule_id,
        title=title,
        regex=regex,
        secret_group=secret_group(raw.get("secretGroup"), regex, where, source),
        keywords=tuple(k.lower().encode() for k in keywords if k),
        entropy=EntropyFloor(float(entropy), float(entropy)),
        allow=allow,
        allow_match=allow_match,
        stopwords=stopwords,
        path=path,
        global_allow=False,
        # gitleaks looks for keywords anywhere in the file, so the whole buffer is searched.
        multiline=True,
    )


def _path_regex(value: object, where: str, source: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: path must be a regex string", path=source)
    try:
        return re.compile(translate(value))
    except re.error as exc:
        raise InputError(f"{where}: the path regex does not compile ({exc})", path=source) from exc


def _rule_allowlists(
    raw: dict[str, Any], where: str, source: str
) -> tuple[tuple[re.Pattern[bytes], ...], tuple[re.Pattern[bytes], ...], tuple[bytes, ...]]:
    """(secret regexes, match regexes, stopwords) of a rule's allowlist tables."""
    secret: list[re.Pattern[bytes]] = []
    match: list[re.Pattern[bytes]] = []
    stopwords: list[bytes] = []
    for table in _tables(raw, "allowlist", "allowlists", where, source):
        regexes = compile_all(
            [translate(r) for r in table.get("regexes", [])], source, f"{where}.allowlist"
        )
        target = table.get("regexTarget", "secret")
        (match if target in ("match", "line") else secret).extend(regexes)
        stopwords.extend(_stopwords(table, where, source))
    return tuple(secret), tuple(match), tuple(stopwords)


def _allowlists(
    data: dict[str, Any], single: str, many: str, source: str
) -> tuple[tuple[re.Pattern[bytes], ...], tuple[bytes, ...]]:
    """Regexes and stopwords of the global allowlist tables."""
    regexes: list[re.Pattern[bytes]] = []
    stopwords: list[bytes] = []
    for table in _tables(data, single, many, "the global allowlist", source):
        raw = [translate(r) for r in table.get("regexes", [])]
        regexes.extend(compile_all(raw, source, "allowlist.regexes"))
        stopwords.extend(_stopwords(table, "the global allowlist", source))
    return tuple(regexes), tuple(stopwords)


def _tables(
    data: dict[str, Any], single: str, many: str, where: str, source: str
) -> list[dict[str, Any]]:
    tables: list[Any] = []
    if single in data:
        tables.append(data[single])
    tables.extend(data.get(many, []))
    if not all(isinstance(t, dict) for t in tables):
        raise InputError(f"{where}: an allowlist must be a table", path=source)
    return tables


def _stopwords(table: dict[str, Any], where: str, source: str) -> list[bytes]:
    words = table.get("stopwords", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise InputError(f"{where}: stopwords must be a list of strings", path=source)
    return [w.lower().encode() for w in words if w]
