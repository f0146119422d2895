"""``mix.lock``: an Elixir map literal, read with a small tokenizer and parser.

The file is one map, ``%{"app": {:hex, :package, "1.2.3", "hash", [:mix],
[deps...], "hexpm", "hash"}, ...}``. Only Elixir's literal syntax is needed:
maps (``%{k => v}`` and ``%{key: v}`` / ``%{"key": v}``), tuples, lists and
keyword lists, strings, charlists, atoms (``:a``, ``:"a b"``), numbers and
``true`` / ``false`` / ``nil``. Hex entries are audited under the Hex package
name (the tuple's second element, which may differ from the app name);
``:git`` and ``:path`` entries have no Hex release and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aces.engines.vulns.model import HEX, LockedPackage, LockfileError, ParsedLock
from aces.nesting import parse_bounded

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+|\#[^\n]*)
  | (?P<mapopen>%\{)
  | (?P<punct>[{}\[\],]|=>)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')(?P<strkey>:(?=[\s]))?
  | (?P<atom>:(?:"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_@.]*[?!]?))
  | (?P<key>[A-Za-z_][A-Za-z0-9_@]*[?!]?:(?=\s))
  | (?P<number>-?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][-+]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
_IDENTS: dict[str, Any] = {"true": True, "false": False, "nil": None}


@dataclass(frozen=True)
class Atom:
    """An Elixir atom (``:hex``)."""

    name: str


@dataclass(frozen=True)
class Token:
    """One token: its kind, its value and its line."""

    kind: str
    value: Any
    line: int


def tokenize(path: str, text: str) -> list[Token]:
    """The tokens of ``text``; LockfileError at the first character that starts none."""
    tokens: list[Token] = []
    pos, line = 0, 1
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            raise LockfileError(f"line {line}: unexpected {text[pos]!r}", path=path)
        kind = found.lastgroup or ""
        if kind != "space":
            tokens.append(_token(found, line))
        line += found.group(0).count("\n")
        pos = found.end()
    return tokens


def _token(found: re.Match[str], line: int) -> Token:
    """The token of one regex match."""
    if found.group("string") is not None:
        value = _unquote(found.group("string"))
        return Token("key" if found.group("strkey") else "string", value, line)
    kind = found.lastgroup or ""
    text = found.group(kind)
    if kind == "atom":
        name = text[1:]
        return Token(kind, Atom(_unquote(name) if name.startswith('"') else name), line)
    if kind == "key":
        return Token(kind, text[:-1], line)
    if kind == "number":
        clean = text.replace("_", "")
        return Token(
            kind, float(clean) if "." in clean or "e" in clean.lower() else int(clean), line
        )
    return Token(kind, text, line)


def _unquote(quoted: str) -> str:
    """The content of a quoted string, escapes resolved."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), quoted[1:-1])


class _Parser:
    """A recursive-descent parser over the tokens of one file."""

    def __init__(self, path: str, tokens: list[Token]) -> None:
        self.path = path
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token:
        """The next token (an ``end`` token past the last)."""
        if self.pos < len(self.tokens):
            return self.tokens[self.pos]
        last = self.tokens[-1].line if self.tokens else 1
        return Token("end", "", last)

    def take(self, kind: str, value: str | None = None) -> Token:
        """Consume the next token, which must be of ``kind`` (and ``value``)."""
        token = self.peek()
        if token.kind != kind or (value is not None and token.value != value):
            wanted = value or kind
            shown = token.value if token.kind != "end" else "end of file"
            raise LockfileError(
                f"line {token.line}: expected {wanted!r}, found {shown!r}", path=self.path
            )
        self.pos += 1
        return token

    def value(self) -> Any:
        """One literal value."""
        token = self.peek()
        if token.kind == "mapopen":
            return dict(self.map_entries())
        if token.kind == "punct" and token.value in ("{", "["):
            return self.sequence()
        if token.kind in ("string", "atom", "number"):
            self.pos += 1
            return token.value
        if token.kind == "ident" and token.value in _IDENTS:
            self.pos += 1
            return _IDENTS[token.value]
        shown = token.value if token.kind != "end" else "end of file"
        raise LockfileError(f"line {token.line}: unexpected {shown!r}", path=self.path)

    def map_entries(self) -> Iterator[tuple[Any, Any]]:
        """The (key, value) pairs of a ``%{...}`` map, in order."""
        for key, value, _ in self.map_entries_with_lines():
            yield key, value

    def map_entries_with_lines(self) -> Iterator[tuple[Any, Any, int]]:
        """The (key, value, line of the key) triples of a ``%{...}`` map."""
        self.take("mapopen")
        while not self.closing("}"):
            token = self.peek()
            if token.kind == "key":
                self.pos += 1
                key = token.value
            else:
                key = self.value()
                self.take("punct", "=>")
            yield key, self.value(), token.line
            if not self.closing("}"):
                self.take("punct", ",")
        self.take("punct", "}")

    def sequence(self) -> tuple[Any, ...] | list[Any]:
        """A tuple ``{...}`` or a list ``[...]`` (keyword pairs become (Atom, value))."""
        opening = self.take("punct").value
        closing = "}" if opening == "{" else "]"
        items: list[Any] = []
        while not self.closing(closing):
            token = self.peek()
            if token.kind == "key":
                self.pos += 1
                items.append((Atom(token.value), self.value()))
            else:
                items.append(self.value())
            if not self.closing(closing):
                self.take("punct", ",")
        self.take("punct", closing)
        return tuple(items) if opening == "{" else items

    def closing(self, char: str) -> bool:
        """Whether the next token is the closing ``char``."""
        token = self.peek()
        return token.kind == "punct" and token.value == char


def parse(path: str, text: str) -> ParsedLock:
    """The Hex packages of a mix.lock."""
    # Elixir's brackets and double-quoted strings read like JSON's for nesting
    return parse_bounded(
        lambda body: _parse(path, body), text, path, "json", lambda m: LockfileError(m, path=path)
    )


def _parse(path: str, text: str) -> ParsedLock:
    parser = _Parser(path, tokenize(path, text))
    found: list[LockedPackage] = []
    for app, entry, line in parser.map_entries_with_lines():
        package = _hex_package(path, app, entry, line)
        if package is not None:
            found.append(package)
    if parser.peek().kind != "end":
        extra = parser.peek()
        raise LockfileError(
            f"line {extra.line}: unexpected {extra.value!r} after the map", path=path
        )
    return ParsedLock(path, tuple(found))


def _hex_package(path: str, app: Any, entry: Any, line: int) -> LockedPackage | None:
    """The Hex package of one lock entry; None for ``:git`` / ``:path`` entries."""
    if not isinstance(entry, tuple) or not entry or not isinstance(entry[0], Atom):
        raise LockfileError(f"line {line}: entry {app!r} is not a lock tuple", path=path)
    if entry[0].name != "hex":
        return None
    if len(entry) < 3 or not isinstance(entry[1], Atom) or not isinstance(entry[2], str):
        raise LockfileError(
            f"line {line}: hex entry {app!r} lacks its package name and version", path=path
        )
    return LockedPackage(HEX, entry[1].name, entry[2], path, line)
