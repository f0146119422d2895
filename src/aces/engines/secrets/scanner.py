"""Scan files for secrets: binary files skipped with a reason, huge files streamed in chunks.

Whether a file is text is decided from its first 8000 bytes (``sniff``): git's
rule (no NUL byte) first, then byte-order marks, UTF-16 without a mark, the
signatures of binary formats and the share of bytes text does not use; so a
UTF-16 file or a text with a stray NUL is scanned, an executable or an archive
is not, and the result says why. UTF-16 and UTF-32 text is decoded to UTF-8
before matching; any other text is scanned as bytes, so a file that is not
UTF-8 is scanned all the same. A file larger than one chunk is read chunk by
chunk with an overlap, so a 2 GB file never sits in memory at once and a secret
across a chunk boundary (up to the overlap's length) is still found. Secrets
split across string literals (``"ghp_" + "…"``) are found too (``literals``), and so
are literal fallbacks of credential variables in deploy files (``fallbacks``); values
that reference a secret held elsewhere are not secrets (``references``).
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from aces.engines.secrets.context import is_fixture_value
from aces.engines.secrets.fallbacks import fallback_matches
from aces.engines.secrets.literals import joined_matches
from aces.engines.secrets.matcher import Match, Matcher, preview, secret_key
from aces.engines.secrets.references import without_references
from aces.engines.secrets.sniff import SNIFF_BYTES, sniff

BINARY_SNIFF_BYTES = SNIFF_BYTES
CHUNK_BYTES = 16 << 20
OVERLAP_BYTES = 64 << 10
_AFTER_BYTES = 256  # what follows a secret that can say it is local (``@localhost:5432``)


class Reader(Protocol):
    """What the chunked scan reads from: ``read(n)`` bytes, empty at the end."""

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes."""
        ...


@dataclass(frozen=True)
class Hit:
    """One secret found in a file, with no trace of its value but a hash and a preview."""

    rule_id: str
    path: str
    line: int
    column: int
    end_line: int
    key: str  # SHA-256 of the rule id and the secret (fingerprint material)
    preview: str  # first characters of a long secret and its length
    fixture: bool = False  # the value is clearly fake or local (``context.is_fixture_value``)


@dataclass(frozen=True)
class FileScan:
    """The hits of one file, or why it was not scanned."""

    path: str
    hits: tuple[Hit, ...] = ()
    skipped: str = ""  # "binary file (ELF signature)", ...
    size: int = 0


class Utf8Reader:
    """Reads a UTF-16 / UTF-32 file as UTF-8 bytes, chunk by chunk."""

    def __init__(self, handle: BinaryIO, encoding: str) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read(self, size: int, /) -> bytes:
        """About ``size`` bytes of the file, decoded and encoded as UTF-8; empty at the end."""
        while True:
            raw = self._handle.read(size)
            text = self._decoder.decode(raw, final=not raw)
            if text or not raw:
                return text.encode("utf-8", "surrogatepass")


def scan_file(
    matcher: Matcher,
    abs_path: str,
    rel: str,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    overlap_bytes: int = OVERLAP_BYTES,
) -> FileScan:
    """Scan one file; an unreadable file raises OSError for the caller to translate."""
    with Path(abs_path).open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        first = handle.read(chunk_bytes)
        kind = sniff(first[:BINARY_SNIFF_BYTES])
        if kind.binary:
            return FileScan(rel, skipped=kind.reason, size=size)
        reader: Reader = handle
        if kind.encoding:
            handle.seek(0)
            reader = Utf8Reader(handle, kind.encoding)
            first = reader.read(chunk_bytes)
        path_hits = _path_hits(matcher, rel)
        if reader is handle and len(first) < chunk_bytes:
            hits = _hits(matcher, first, rel, line=1)  # the whole file: nothing more to read
        else:
            hits = list(_stream(matcher, reader, first, rel, chunk_bytes, overlap_bytes))
    return FileScan(rel, tuple(path_hits + hits), size=size)


def scan_buffer(matcher: Matcher, data: bytes, rel: str) -> tuple[Hit, ...]:
    """Scan an in-memory text (a blob from git, a commit message, a test sample)."""
    return tuple(_path_hits(matcher, rel) + _hits(matcher, data, rel, line=1))


def _stream(
    matcher: Matcher, reader: Reader, first: bytes, rel: str, chunk_bytes: int, overlap: int
) -> Iterator[Hit]:
    """Hits of a file read in chunks; the tail of each chunk is scanned again with the next."""
    buffer, line = first, 1
    seen: set[tuple[str, int, int]] = set()
    while True:
        for hit in _hits(matcher, buffer, rel, line=line):
            if (hit.rule_id, hit.line, hit.column) not in seen:
                seen.add((hit.rule_id, hit.line, hit.column))
                yield hit
        more = reader.read(chunk_bytes)
        if not more:
            return
        keep = min(overlap, len(buffer))
        line += buffer.count(b"\n", 0, len(buffer) - keep)
        buffer = buffer[len(buffer) - keep :] + more


def _hits(matcher: Matcher, buffer: bytes, rel: str, *, line: int) -> list[Hit]:
    """Hits of one buffer whose first byte is on ``line`` of the file."""
    marks = matcher.scan(buffer)
    matches = matcher.find(buffer, rel, marks=marks)
    joined = joined_matches(matcher, buffer, rel, seam_ends=marks.seams)
    joined += fallback_matches(matcher, buffer, rel)
    if joined:
        # A joined secret and a piece of it found alone: the rule listed first wins, and
        # between equals the joined one (it is the whole value).
        matches = matcher.without_overlaps(joined + matches)
    matches = without_references(matches, buffer)
    if not matches:
        return []
    fixtures = matcher.ruleset.fixtures
    return [_hit(match, buffer, rel, line, fixtures) for match in matches]


def _hit(
    match: Match,
    buffer: bytes,
    rel: str,
    first_line: int,
    fixtures: tuple[re.Pattern[bytes], ...] = (),
) -> Hit:
    """A match placed in the file: 1-based line and column of the secret's first byte;
    a fixture when its value says so (``fixtures``, ``context.is_fixture_value``)."""
    line = first_line + buffer.count(b"\n", 0, match.start)
    line_start = buffer.rfind(b"\n", 0, match.start) + 1
    end_line = line + buffer.count(b"\n", match.start, match.end)
    return Hit(
        rule_id=match.rule.id,
        path=rel,
        line=line,
        column=match.start - line_start + 1,
        end_line=end_line,
        key=secret_key(match.rule.id, match.secret),
        preview=preview(match.secret),
        fixture=any(p.search(match.secret) for p in fixtures)
        or is_fixture_value(match.secret, buffer[match.end : match.end + _AFTER_BYTES]),
    )


def _path_hits(matcher: Matcher, rel: str) -> list[Hit]:
    """Hits of the path-only rules (a file that is a secret by its name: ``*.p12``)."""
    return [
        Hit(
            rule.id,
            rel,
            0,
            0,
            0,
            secret_key(rule.id, rel.encode("utf-8", "surrogateescape")),
            "(file)",
        )
        for rule in matcher.ruleset.path_rules
        if rule.path.search(rel)
    ]


def scan_text(matcher: Matcher, data: bytes, name: str) -> tuple[Hit, ...]:
    """Scan a text that is not a file (a commit message): content rules only, none by path."""
    return tuple(_hits(matcher, data, name, line=1))
