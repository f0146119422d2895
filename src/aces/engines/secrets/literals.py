"""Secrets split across string literals: the literal pieces of one expression, joined.

A token written as ``"ghp_" + "abc…"``, as adjacent literals (``"AKIA" "…"``,
across lines inside parentheses too), as an f-string of literals
(``f"{'ghp_'}{'abc…'}"``) or as Rust's ``concat!("ghp_", "…")`` is one value when
the program runs, and no single literal holds it. Here such an expression is a
*chain*: string literals (``"…"`` or ``'…'``, with an optional ``f`` / ``r`` /
``b`` / ``u`` prefix) separated by a concatenation operator (``+``, ``.``,
``..``, ``<>``, ``||``, ``~``), by blanks and line breaks, or by a line
continuation; or the arguments of ``concat!``.

How it stays fast: the *seams* (``seams``: a token character, the end of a
literal, a separator, the start of the next and a token character again;
``concat!(``; a literal field of an f-string) are compiled into the matcher's
hyperscan database, so the pass that picks the rules also says where chains
can be (where each seam ends). Only then are
the lines around each seam tokenised with ``re``, each chain replaced by one
literal holding the joined text (a *view* of those lines), and the view given
to the matcher. A secret counts when it spans two pieces or more: one inside a
single literal is the plain scan's.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from aces.engines.secrets.matcher import Match, Matcher

_QUOTED = rb"(?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
_LITERAL = rb"(?:[fFrRbBuU]{1,2})?" + _QUOTED
# Blanks, line breaks and line continuations; possessive, so a long indentation is read once.
_GAPS = rb"(?:[ \t\r\n]|\\\r?\n)*+"
_OPERATOR = rb"(?:\+|\.\.?|<>|\|\||~)"
# Between two pieces: blanks, an operator between blanks, or nothing ("a""b" in Python).
_SEPARATOR = _GAPS + rb"(?:" + _OPERATOR + _GAPS + rb")?"
_CONCAT_MACRO = rb"concat!\s*\(\s*" + _LITERAL + rb"(?:\s*,\s*" + _LITERAL + rb")*\s*,?\s*\)"
# A chain starts at its first quote (a prefix before it is read back from the buffer). A
# lone literal is a chain of one, so every literal is consumed whole and the search never
# starts inside one; the text between literals is skipped by ``re`` itself.
_CHAIN = re.compile(
    rb"(?P<macro>" + _CONCAT_MACRO + rb")|(?P<chain>" + _QUOTED + rb"(?:" + _SEPARATOR + _LITERAL
    + rb")+)|(?P<lone>" + _QUOTED + rb")"
)  # fmt: skip
_PREFIX_LETTERS = b"fFrRbBuU"
_PIECE = re.compile(_LITERAL)
_FIELD = re.compile(rb"\{\s*(" + _QUOTED + rb")\s*\}")


class _Segment(NamedTuple):
    """A run of the view copied from the buffer: where it is in each, and which piece.
    (A named tuple: thousands are made per MB of source, a frozen dataclass is slower.)"""

    view_start: int
    source_start: int
    piece: int  # -1: text around the chains


@dataclass(frozen=True)
class _View:
    """Lines of a buffer with each chain replaced by one literal of its joined pieces."""

    text: bytes
    segments: tuple[_Segment, ...]

    def source(self, position: int) -> tuple[int, int]:
        """(offset in the buffer, piece) of the view byte at ``position``."""
        index = bisect.bisect_right([s.view_start for s in self.segments], position) - 1
        segment = self.segments[max(index, 0)]
        return segment.source_start + position - segment.view_start, segment.piece


def joined_matches(
    matcher: Matcher, buffer: bytes, path: str = "", *, seam_ends: list[int] | None = None
) -> list[Match]:
    """Secrets that only appear once the literal pieces of an expression are joined.

    Each match's span is in ``buffer`` (first byte of the secret to one past its
    last); its ``secret`` is the joined value. ``seam_ends``: where the matcher's
    pass saw seams end in ``buffer`` (None: ask it).
    """
    if seam_ends is None:
        seam_ends = matcher.marks(buffer)[1]
    found: list[Match] = []
    for start, end in _regions(buffer, seam_ends):
        view = _view(buffer, start, end)
        if view is None:
            continue
        for match in matcher.find(view.text, path):
            first, first_piece = view.source(match.start)
            last, last_piece = view.source(match.end - 1)
            if first_piece >= 0 and last_piece >= 0 and first_piece != last_piece:
                found.append(Match(match.rule, first, last + 1, match.secret))
    return found


def _seam_start(buffer: bytes, end: int) -> int:
    """A line start at or before the seam's first literal.

    The literals of a seam are on one line or on consecutive ones, blank lines
    aside: the line before the end's, with the blank lines above it, covers it.
    """
    start = buffer.rfind(b"\n", 0, end - 1) + 1
    previous = buffer.rfind(b"\n", 0, max(start - 1, 0)) + 1 if start else 0
    while previous and not buffer[previous:start].strip():
        previous = buffer.rfind(b"\n", 0, previous - 1) + 1
    return previous


def _regions(buffer: bytes, seam_ends: list[int]) -> Iterator[tuple[int, int]]:
    """Whole lines around each seam (sorted ends), touching ones merged, in order."""
    current: tuple[int, int] | None = None
    for seam_end in seam_ends:
        if current is not None and seam_end <= current[1]:
            continue  # inside the region already
        start = _seam_start(buffer, seam_end)
        end = buffer.find(b"\n", seam_end)
        end = len(buffer) if end == -1 else end
        if current is not None and start <= current[1] + 1:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _view(buffer: bytes, start: int, end: int) -> _View | None:
    """The view of ``buffer[start:end]``, or None when it holds no chain of two pieces."""
    text = bytearray()
    segments: list[_Segment] = []
    piece = 0
    cursor = start
    for token in _CHAIN.finditer(buffer, start, end):
        if _is_lone(buffer, token):
            continue
        pieces = _pieces(buffer, token)
        if len(pieces) < 2:
            continue
        segments.append(_Segment(len(text), cursor, -1))
        text += buffer[cursor : token.start()]
        quote = _first_quote(token.group())
        segments.append(_Segment(len(text), token.start(), -1))
        text += quote
        for source_start, value in pieces:
            segments.append(_Segment(len(text), source_start, piece))
            text += value
            piece += 1
        segments.append(_Segment(len(text), token.end() - 1, -1))
        text += quote
        cursor = token.end()
    if not segments:
        return None
    segments.append(_Segment(len(text), cursor, -1))
    text += buffer[cursor:end]
    return _View(bytes(text), tuple(segments))


def _is_lone(buffer: bytes, token: re.Match[bytes]) -> bool:
    """A single literal that is not an f-string: nothing to join (the common case)."""
    if token.lastgroup != "lone":
        return False
    before = buffer[max(token.start() - 2, 0) : token.start()]
    return b"f" not in before.lower() or b"f" not in _prefix_before(buffer, token.start()).lower()


def _first_quote(text: bytes) -> bytes:
    """The quote character the chain's first literal opens with."""
    double, single = text.find(b'"'), text.find(b"'")
    return b"'" if single != -1 and (double == -1 or single < double) else b'"'


def _pieces(buffer: bytes, token: re.Match[bytes]) -> list[tuple[int, bytes]]:
    """(offset in the buffer, bytes) of each literal piece of a chain or ``concat!``."""
    group = token.lastgroup or ""
    base = token.start(group)
    out: list[tuple[int, bytes]] = []
    for index, literal in enumerate(_PIECE.finditer(token.group(group))):
        raw = literal.group()
        quote_at = len(raw) - len(raw.lstrip(_PREFIX_LETTERS))
        prefix = raw[:quote_at]
        if index == 0 and group != "macro":
            prefix = _prefix_before(buffer, base)
        body_start = base + literal.start() + quote_at + 1
        body = raw[quote_at + 1 : -1]
        if b"f" in prefix.lower():
            out.extend(_fstring_pieces(body, body_start))
        elif body:
            out.append((body_start, body))
    return out


def _prefix_before(buffer: bytes, quote: int) -> bytes:
    """The string prefix (``f``, ``rb``, ...) right before the quote at ``quote``."""
    start = quote
    while start > max(quote - 2, 0) and buffer[start - 1] in _PREFIX_LETTERS:
        start -= 1
    return buffer[start:quote]


def _fstring_pieces(body: bytes, body_start: int) -> list[tuple[int, bytes]]:
    """An f-string's text and the bodies of its literal fields (``{'…'}``) as pieces."""
    out: list[tuple[int, bytes]] = []
    cursor = 0
    for field in _FIELD.finditer(body):
        if field.start() > cursor:
            out.append((body_start + cursor, body[cursor : field.start()]))
        inner_start = field.start(1) + 1
        inner = body[inner_start : field.end(1) - 1]
        if inner:
            out.append((body_start + inner_start, inner))
        cursor = field.end()
    if cursor < len(body):
        out.append((body_start + cursor, body[cursor:]))
    return out
