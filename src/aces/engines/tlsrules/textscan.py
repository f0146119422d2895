"""Line rules over source and configuration text: the shared machinery of the static rules.

A ``LineRule`` is data: an id, the file kinds it reads, a regular expression
and a message, with should-flag and should-not-flag sample lines the tests
run. ``scan_lines`` applies rules to one file's text and returns ``Hit``s with
1-based line and column. Whole-line comments are skipped, since a comment
that names a dangerous setting is not the setting, and so is an Elixir or Rust
assertion line (it compares the value the product sets); in Python and Rust every
string literal and comment is blanked first (``masking``), since a rule's own
pattern, a sample or a docstring is not the setting either. The values of sample,
pattern and prose keys in TOML and YAML (``samplekeys``) are not configuration and
are skipped.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from aces.engines.tlsrules.masking import mask_literals, maskable
from aces.engines.tlsrules.samplekeys import sample_lines, yaml_sample_lines

# File kind by extension; configuration formats share one kind.
_KINDS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".rs": "rust",
    ".ex": "elixir",
    ".exs": "elixir",
    ".yaml": "config",
    ".yml": "config",
    ".toml": "config",
    ".json": "config",
    ".ini": "config",
    ".cfg": "config",
    ".conf": "config",
    ".env": "config",
}
_COMMENT_PREFIXES: dict[str, tuple[str, ...]] = {
    "python": ("#",),
    "rust": ("//",),
    "elixir": ("#",),
    "config": ("#", "//", ";"),
}
# A line that asserts compares a value, it sets nothing (``assert ssl == [verify: :verify_none]``).
_ASSERTION_LINES: dict[str, re.Pattern[str]] = {
    "elixir": re.compile(r"^\s*(?:assert|refute)\w*\b"),
    "rust": re.compile(r"^\s*(?:debug_)?(?:prop_)?assert(?:_eq|_ne|_matches)?!"),
}


def kind_of(path: str) -> str | None:
    """``python``, ``rust``, ``elixir`` or ``config`` for a path, None for anything else."""
    name = posixpath.basename(path)
    if is_env_file(path):
        return "config"
    return _KINDS.get(posixpath.splitext(name)[1].lower())


def is_env_file(path: str) -> bool:
    """``.env``, ``.env.production``, ``prod.env``: dotenv files."""
    name = posixpath.basename(path)
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


@dataclass(frozen=True)
class Hit:
    """One rule matching at a place: rule id, path, 1-based line and column, message."""

    rule_id: str
    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class LineRule:
    """A regular expression over single lines of some file kinds, with its samples."""

    rule_id: str
    kinds: frozenset[str]
    pattern: re.Pattern[str]
    message: str
    should_flag: tuple[str, ...] = ()
    should_not_flag: tuple[str, ...] = ()
    # An optional test of the match that must hold too (a URL's host is not local, ...).
    accept: Callable[[re.Match[str]], str | None] | None = None

    def check(self, text: str) -> Iterator[tuple[int, str]]:
        """(0-based column, message) of every match of this rule on one line."""
        for match in self.pattern.finditer(text):
            message: str | None = self.message
            if self.accept is not None:
                detail = self.accept(match)
                message = None if detail is None else f"{self.message}: {detail}"
            if message is not None:
                yield match.start(), message


def code_lines(text: str, kind: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of the lines that are not whole-line comments."""
    prefixes = _COMMENT_PREFIXES.get(kind, ())
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith(prefixes):
            yield number, line


def scan_lines(path: str, text: str, rules: Iterable[LineRule]) -> list[Hit]:
    """Every hit of ``rules`` (those reading this file's kind) in one file's text."""
    kind = kind_of(path)
    if kind is None:
        return []
    chosen = [rule for rule in rules if kind in rule.kinds]
    hits: list[Hit] = []
    if not chosen:
        return hits
    if not any(_anywhere(rule.pattern).search(text) for rule in chosen):
        return hits  # nothing to find: the file is not parsed
    if maskable(kind):
        text = mask_literals(kind, text)
    samples = _sample_lines(path, text)
    assertion = _ASSERTION_LINES.get(kind)
    for number, line in code_lines(text, kind):
        if number in samples or (assertion is not None and assertion.match(line)):
            continue
        for rule in chosen:
            for column, message in rule.check(line):
                hits.append(Hit(rule.rule_id, path, number, column + 1, message))
    return sorted(hits, key=lambda h: (h.line, h.column, h.rule_id))


def _anywhere(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern over a whole text, ``^`` / ``$`` at every line: it finds at least what the
    line-by-line search finds, so a text it does not match holds no hit."""
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE)


def _sample_lines(path: str, text: str) -> frozenset[int]:
    """Lines of a TOML or YAML file that hold samples, patterns or prose (``samplekeys``)."""
    if path.endswith(".toml"):
        return sample_lines(text)
    if path.endswith((".yaml", ".yml")):
        return yaml_sample_lines(text)
    return frozenset()


def sample_hits(rule: LineRule, line: str) -> list[str]:
    """The messages ``rule`` gives for one sample line (used by the rule tests)."""
    return [message for _, message in rule.check(line)]
