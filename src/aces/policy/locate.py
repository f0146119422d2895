"""Map a key path of a TOML document to the line that defines it.

``tomllib`` returns plain values with no positions, yet a policy error must name
its line. This module scans the text once and records, for every key path, the
line where it first appears: table headers (``[a.b]``), arrays of tables
(``[[a]]``, whose entries are addressed by index), dotted keys, inline tables and
array elements. It is a locator, not a validator: it runs on text ``tomllib``
has already accepted, never raises, and stops quietly at anything it does not
follow, leaving the fallbacks (the nearest enclosing key, then line 1).
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = frozenset(",]}#\n")


class _StopScanError(Exception):
    """The scanner met text it does not follow; keep what was found so far."""


@dataclass(frozen=True)
class LineIndex:
    """Lines of the key paths of one document, with fallbacks for the rest."""

    lines: dict[KeyPath, int]

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of ``path``, else of its nearest recorded ancestor, else 1."""
        key = tuple(path)
        while key:
            found = self.lines.get(key)
            if found is not None:
                return found
            key = key[:-1]
        return 1


def locate(text: str) -> LineIndex:
    """Scan TOML ``text`` and index the line of every key path it defines."""
    scanner = _Scanner(text)
    # on text it does not follow, keep the positions found so far; lookups fall back
    with contextlib.suppress(_StopScanError, IndexError, ValueError):
        scanner.document()
    return LineIndex(dict(scanner.found))


@dataclass
class _Scanner:
    """A forgiving recursive-descent walk over TOML text, recording key lines."""

    text: str
    pos: int = 0
    found: dict[KeyPath, int] = field(default_factory=dict)
    table_counts: dict[KeyPath, int] = field(default_factory=dict)
    newlines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.newlines = [i for i, ch in enumerate(self.text) if ch == "\n"]

    # -- positions ---------------------------------------------------------

    def line(self) -> int:
        """1-based line of the current position."""
        return bisect.bisect_left(self.newlines, self.pos) + 1

    def record(self, path: KeyPath, line: int) -> None:
        """Remember the first line where ``path`` appears."""
        self.found.setdefault(path, line)

    def peek(self, size: int = 1) -> str:
        """The next ``size`` characters, without consuming them."""
        return self.text[self.pos : self.pos + size]

    # -- document ----------------------------------------------------------

    def document(self) -> None:
        """Walk every statement: table headers and key/value pairs."""
        current: KeyPath = ()
        while True:
            self.skip_space(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.peek(2) == "[[":
                current = self.array_table_header()
            elif self.peek() == "[":
                current = self.table_header()
            else:
                self.key_value(current)

    def table_header(self) -> KeyPath:
        """``[a.b]``: the resolved path of the table."""
        line = self.line()
        self.pos += 1
        path = self.resolve(self.key())
        self.expect("]")
        self.record(path, line)
        return path

    def array_table_header(self) -> KeyPath:
        """``[[a.b]]``: a new entry, addressed by its index in the array."""
        line = self.line()
        self.pos += 2
        keys = self.key()
        # the last part names the array itself: a new entry, not its current one
        array = (*self.resolve(keys[:-1]), keys[-1])
        self.expect("]]")
        index = self.table_counts.get(array, 0)
        self.table_counts[array] = index + 1
        self.record(array, line)
        self.record((*array, index), line)
        return (*array, index)

    def resolve(self, keys: Sequence[str]) -> KeyPath:
        """Insert the current index after every array-of-tables prefix of ``keys``."""
        path: KeyPath = ()
        for part in keys:
            path = (*path, part)
            count = self.table_counts.get(path)
            if count:
                path = (*path, count - 1)
        return path

    def key_value(self, table: KeyPath) -> None:
        """``a.b = value`` inside ``table``; records every prefix of the dotted key."""
        line = self.line()
        keys = self.key()
        for depth in range(1, len(keys) + 1):
            self.record((*table, *keys[:depth]), line)
        self.skip_space()
        self.expect("=")
        self.value((*table, *keys))

    # -- keys --------------------------------------------------------------

    def key(self) -> list[str]:
        """A dotted key, as its parts."""
        parts = [self.simple_key()]
        self.skip_space()
        while self.peek() == ".":
            self.pos += 1
            parts.append(self.simple_key())
            self.skip_space()
        return parts

    def simple_key(self) -> str:
        """A bare, basic-quoted or literal-quoted key."""
        self.skip_space()
        char = self.peek()
        if char == '"':
            return self.basic_string()
        if char == "'":
            return self.literal_string()
        match = _BARE_KEY.match(self.text, self.pos)
        if not match:
            raise _StopScanError
        self.pos = match.end()
        return match.group()

    # -- values ------------------------------------------------------------

    def value(self, path: KeyPath) -> None:
        """Any value; arrays and inline tables record their members."""
        self.skip_space()
        start = self.peek(3)
        if start in ('"""', "'''"):
            self.multiline_string(start)
        elif start[:1] == '"':
            self.basic_string()
        elif start[:1] == "'":
            self.literal_string()
        elif start[:1] == "[":
            self.array(path)
        elif start[:1] == "{":
            self.inline_table(path)
        else:
            self.scalar()

    def array(self, path: KeyPath) -> None:
        """``[v, v, ...]`` across lines; element ``i`` is recorded as ``(*path, i)``."""
        self.pos += 1
        index = 0
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            self.record((*path, index), self.line())
            self.value((*path, index))
            index += 1
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.pos += 1

    def inline_table(self, path: KeyPath) -> None:
        """``{k = v, ...}``: each key is recorded under ``path``."""
        self.pos += 1
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            self.key_value(path)
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.pos += 1

    def scalar(self) -> None:
        """Numbers, booleans, dates: everything up to a delimiter."""
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
            self.pos += 1
        if self.pos == start:
            raise _StopScanError

    def basic_string(self) -> str:
        """``"..."`` with escapes; returns the raw content (escapes left as written)."""
        self.pos += 1
        start = self.pos
        while self.text[self.pos] != '"':
            if self.text[self.pos] == "\n":
                raise _StopScanError
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        self.pos += 1
        return _unescape(self.text[start : self.pos - 1])

    def literal_string(self) -> str:
        """``'...'``: no escapes."""
        end = self.text.index("'", self.pos + 1)
        content = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return content

    def multiline_string(self, quote: str) -> None:
        """``\"\"\"...\"\"\"`` or ``'''...'''``; up to two extra quotes may close it."""
        self.pos += 3
        while self.peek(3) != quote:
            if quote == '"""' and self.peek() == "\\":
                self.pos += 1
            self.pos += 1
            if self.pos >= len(self.text):
                raise _StopScanError
        self.pos += 3
        extra = 0
        while extra < 2 and self.peek() == quote[0]:
            self.pos += 1
            extra += 1

    # -- trivia ------------------------------------------------------------

    def skip_space(self, *, newlines: bool = False) -> None:
        """Skip blanks and comments, and line breaks when ``newlines``."""
        blanks = " \t\r\n" if newlines else " \t"
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in blanks:
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def expect(self, token: str) -> None:
        """Consume ``token`` (after blanks) or stop."""
        self.skip_space()
        if not self.text.startswith(token, self.pos):
            raise _StopScanError
        self.pos += len(token)


_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(raw: str) -> str:
    """Resolve the escapes of a basic-string key so it matches the parsed key."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = raw[i + 1]
        if code in "uU":
            width = 4 if code == "u" else 8
            out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            out.append(_ESCAPES.get(code, code))
            i += 2
    return "".join(out)
