"""Scan files for secrets: binary files skipped with a reason, huge files streamed in chunks.

A file whose first 8000 bytes hold a NUL byte is binary (git's rule) and is not
scanned; the result says so. Text in any encoding is scanned as bytes, so a file
that is not UTF-8 is scanned all the same. A file larger than one chunk is read
chunk by chunk with an overlap, so a 2 GB file never sits in memory at once and
a secret across a chunk boundary (up to the overlap's length) is still found.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from aces.engines.secrets.matcher import Match, Matcher, preview, secret_key

BINARY_SNIFF_BYTES = 8000
CHUNK_BYTES = 16 << 20
OVERLAP_BYTES = 64 << 10


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


@dataclass(frozen=True)
class FileScan:
    """The hits of one file, or why it was not scanned."""

    path: str
    hits: tuple[Hit, ...] = ()
    skipped: str = ""  # "binary file (NUL byte in the first 8000 bytes)", ...
    size: int = 0


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
        if b"\0" in first[:BINARY_SNIFF_BYTES]:
            return FileScan(
                rel, skipped="binary file (NUL byte in the first 8000 bytes)", size=size
            )
        path_hits = _path_hits(matcher, rel)
        if len(first) < chunk_bytes:
            hits = _hits(matcher, first, rel, line=1)
        else:
            hits = list(_stream(matcher, handle, first, rel, chunk_bytes, overlap_bytes))
    return FileScan(rel, tuple(path_hits + hits), size=size)


def scan_buffer(matcher: Matcher, data: bytes, rel: str) -> tuple[Hit, ...]:
    """Scan an in-memory text (a blob from git, a test sample)."""
    return tuple(_path_hits(matcher, rel) + _hits(matcher, data, rel, line=1))


def _stream(
    matcher: Matcher, handle: BinaryIO, first: bytes, rel: str, chunk_bytes: int, overlap: int
) -> Iterator[Hit]:
    """Hits of a file read in chunks; the tail of each chunk is scanned again with the next."""
    buffer, line = first, 1
    seen: set[tuple[str, int, int]] = set()
    while True:
        for hit in _hits(matcher, buffer, rel, line=line):
            if (hit.rule_id, hit.line, hit.column) not in seen:
                seen.add((hit.rule_id, hit.line, hit.column))
                yield hit
        more = handle.read(chunk_bytes)
        if not more:
            return
        keep = min(overlap, len(buffer))
        line += buffer.count(b"\n", 0, len(buffer) - keep)
        buffer = buffer[len(buffer) - keep :] + more


def _hits(matcher: Matcher, buffer: bytes, rel: str, *, line: int) -> list[Hit]:
    """Hits of one buffer whose first byte is on ``line`` of the file."""
    matches = matcher.find(buffer, rel)
    if not matches:
        return []
    return [_hit(match, buffer, rel, line) for match in matches]


def _hit(match: Match, buffer: bytes, rel: str, first_line: int) -> Hit:
    """A match placed in the file: 1-based line and column of the secret's first byte."""
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
