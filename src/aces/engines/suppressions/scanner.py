"""Find inline suppressions: the comments and attributes that switch a check off.

Each kind is data: a name (the last part of the rule id
``principle.no-manual-exceptions.<kind>``), the languages it applies to, and a
pattern searched in comments, or in code with strings and comments blanked out
(Rust attributes, Elixir module attributes). A pattern's ``targets`` group, when
present, names what is suppressed (``clippy::unwrap_used``, ``E501``), so the
allowlist can name a single lint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from aces.engines.suppressions.lexer import LANGUAGES, Split, split

PYTHON = frozenset({"python"})
ELIXIR = frozenset({"elixir"})
JS = frozenset({"javascript", "typescript"})
ALL = LANGUAGES


@dataclass(frozen=True)
class Kind:
    """One kind of inline suppression, found in comments or in code."""

    name: str
    languages: frozenset[str]
    pattern: re.Pattern[str]
    what: str  # what it switches off, for the message
    in_code: bool = False


def _kind(name: str, languages: frozenset[str], pattern: str, what: str) -> Kind:
    return Kind(name, languages, re.compile(pattern, re.IGNORECASE), what)


COMMENT_KINDS: tuple[Kind, ...] = (
    _kind(
        "noqa",
        PYTHON,
        r"(?<![\w-])(?:(?:ruff|flake8)\s*:\s*)?noqa\b"
        r"(?:\s*:\s*(?P<targets>[A-Z]+[0-9]+(?:\s*,?\s*[A-Z]+[0-9]+)*))?",
        "a linter rule",
    ),
    _kind(
        "type-ignore",
        PYTHON,
        r"\btype\s*:\s*ignore\b(?:\[(?P<targets>[^\]]*)\])?",
        "type checking",
    ),
    _kind("pragma-no-cover", PYTHON, r"\bpragma\s*:\s*no\s*cover\b", "coverage measurement"),
    _kind(
        "pylint-disable",
        PYTHON,
        r"\bpylint\s*:\s*disable(?:-next)?\s*=\s*(?P<targets>[\w-]+(?:\s*,\s*[\w-]+)*)",
        "a linter rule",
    ),
    _kind(
        "pyright-ignore",
        PYTHON,
        r"\bpyright\s*:\s*ignore\b(?:\[(?P<targets>[^\]]*)\])?",
        "type checking",
    ),
    _kind("fmt-skip", PYTHON, r"\bfmt\s*:\s*(?:skip|off)\b", "the formatter"),
    _kind(
        "credo-disable",
        ELIXIR,
        r"\bcredo:disable-for-(?:this-file|next-line|previous-line|lines:-?\d+)"
        r"(?:[ \t]+(?P<targets>[\w.]+(?:[ \t]+[\w.]+)*))?",
        "a credo check",
    ),
    _kind(
        "sobelow-skip",
        ELIXIR,
        r"\bsobelow_skip\b(?:\s*\[(?P<targets>[^\]]*)\])?",
        "a sobelow finding",
    ),
    _kind(
        "coverage-ignore",
        ELIXIR | JS,
        r"\bcoveralls-ignore-(?:start|next-line)\b|\b(?:istanbul|c8|v8)\s+ignore\b",
        "coverage measurement",
    ),
    _kind(
        "eslint-disable",
        ALL - PYTHON - ELIXIR,
        r"\beslint-disable(?:-next-line|-line)?\b(?P<targets>[ \t]+[@\w/-]+(?:\s*,\s*[@\w/-]+)*)?",
        "a linter rule",
    ),
    _kind("ts-ignore", JS, r"@ts-(?:ignore|expect-error|nocheck)\b", "type checking"),
    _kind("aces-ignore", ALL, r"\baces\s*:\s*ignore\b(?P<targets>[ \t]+[\w.-]+)?", "an ACES rule"),
)

_ATTRIBUTE = re.compile(r"#!?\[")
_ALLOW = re.compile(r"\b(?:allow|expect)\s*\(")
_RUSTFMT_SKIP = re.compile(r"\brustfmt\s*::\s*skip\b")
_SOBELOW_ATTRIBUTE = re.compile(r"@sobelow_skip\b(?:\s*\(?\s*\[(?P<targets>[^\]]*)\])?")


@dataclass(frozen=True)
class Suppression:
    """One inline suppression found in a file."""

    path: str
    line: int
    column: int
    kind: str
    targets: tuple[str, ...]
    text: str  # the suppression as written, trimmed
    what: str

    @property
    def rule_id(self) -> str:
        """``principle.no-manual-exceptions.<kind>``."""
        return f"{RULE_PREFIX}.{self.kind}"


RULE_PREFIX = "principle.no-manual-exceptions"


def scan(path: str, text: str, language: str) -> tuple[Suppression, ...]:
    """Every suppression in ``text``, a file of ``language``, in position order."""
    if language not in LANGUAGES:
        return ()
    parts = split(text, language)
    found = [*_in_comments(path, parts, language), *_in_code(path, text, parts, language)]
    return tuple(sorted(found, key=lambda s: (s.line, s.column, s.kind)))


def _in_comments(path: str, parts: Split, language: str) -> Iterator[Suppression]:
    kinds = [k for k in COMMENT_KINDS if language in k.languages]
    for comment in parts.comments:
        for kind in kinds:
            for match in kind.pattern.finditer(comment.text):
                line, column = _offset_position(comment.line, comment.column, comment.text, match)
                yield Suppression(
                    path,
                    line,
                    column,
                    kind.name,
                    _targets(match),
                    match.group(0).strip(),
                    kind.what,
                )


def _offset_position(line: int, column: int, text: str, match: re.Match[str]) -> tuple[int, int]:
    """Line and column of a match inside a (possibly multi-line) comment."""
    before = text[: match.start()]
    newlines = before.count("\n")
    if newlines == 0:
        return line, column + match.start()
    return line + newlines, match.start() - before.rfind("\n")


def _targets(match: re.Match[str]) -> tuple[str, ...]:
    raw = match.groupdict().get("targets") or ""
    items = re.split(r"[\s,]+", raw.replace('"', " ").replace("'", " "))
    return tuple(item for item in items if item)


def _in_code(path: str, text: str, parts: Split, language: str) -> Iterator[Suppression]:
    if language == "rust":
        yield from _rust_attributes(path, text, parts)
    elif language == "elixir":
        for match in _SOBELOW_ATTRIBUTE.finditer(parts.code):
            line, column = parts.position(match.start())
            targets = _quoted_targets(text[match.start() : match.end()])
            yield Suppression(
                path, line, column, "sobelow-skip", targets, "@sobelow_skip", "a sobelow finding"
            )


def _quoted_targets(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r'"([^"]+)"', text))


def _rust_attributes(path: str, text: str, parts: Split) -> Iterator[Suppression]:
    """``#[allow(...)]``, ``#![expect(...)]``, ``#[cfg_attr(.., allow(..))]``, rustfmt::skip."""
    code = parts.code
    for match in _ATTRIBUTE.finditer(code):
        end = _closing(code, match.end() - 1, "[", "]")
        body = code[match.end() : end]
        written = " ".join(text[match.start() : end + 1].split())
        line, column = parts.position(match.start())
        for allow in _ALLOW.finditer(body):
            close = _closing(body, allow.end() - 1, "(", ")")
            lints = _lint_names(body[allow.end() : close])
            yield Suppression(path, line, column, "rust-allow", lints, written, "a compiler lint")
        if _RUSTFMT_SKIP.search(body):
            yield Suppression(path, line, column, "rustfmt-skip", (), written, "the formatter")


def _closing(text: str, start: int, opener: str, closer: str) -> int:
    """Index of the bracket closing the one at ``start`` (end of text when unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == opener:
            depth += 1
        elif text[i] == closer:
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _lint_names(args: str) -> tuple[str, ...]:
    """Lint paths of an ``allow(...)`` list; ``reason = "..."`` is not a lint."""
    names = []
    for item in args.split(","):
        name = re.sub(r"\s+", "", item)
        if name and "=" not in name:
            names.append(name)
    return tuple(names)
