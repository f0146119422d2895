"""Why two builds of one artifact differ, from a byte-level comparison.

``diagnose`` looks at the two versions of an artifact and names the likely
cause: an embedded build path (the temp dir of either build appears in its
output), an ordering difference (the same lines, or the same bytes, in another
order), or an embedded timestamp (a date or time string, or a binary epoch,
spanning the first differing byte). Anything else is ``unknown``, with the
offset so a person can look. Pure functions: no file system, no subprocess.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

WINDOW = 64  # bytes inspected on each side of the first difference
TEXT_SNIFF = 8000  # like git: a NUL in the first 8000 bytes marks a binary file
# Unix times a build could plausibly embed: 2000-01-01 .. 2100-01-01.
_EPOCH_MIN, _EPOCH_MAX = 946_684_800, 4_102_444_800
# Two builds run moments (or a shifted few days) apart: their embedded times are close.
_EPOCH_SPREAD = 366 * 86_400

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_TIMESTAMP = re.compile(
    rb"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"  # ISO 8601 date (and time)
    rb"|\d{1,2}:\d{2}:\d{2}"  # clock time
    rb"|(?:" + _DAYS.encode() + rb"),? +(?:" + _MONTHS.encode() + rb") +\d{1,2}"  # date(1)
    rb"|(?:" + _MONTHS.encode() + rb") +\d{1,2} +\d{4}"  # __DATE__
    rb"|\b1\d{9}\b"  # unix seconds
)


class Cause(StrEnum):
    """The likely reason an artifact differs between two builds."""

    BUILD_PATH = "embedded build path"
    ORDERING = "ordering"
    TIMESTAMP = "timestamp"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Difference:
    """One artifact that differs, where, and the likely cause with its evidence."""

    artifact: str
    cause: Cause
    offset: int  # first differing byte
    line: int | None  # 1-based line of that byte, for text artifacts
    evidence: str  # what was seen, e.g. "'13:20:01' vs '18:50:04'"
    report: str = ""  # the head of diffoscope's report, when diffoscope is installed


def first_difference(a: bytes, b: bytes) -> int:
    """Offset of the first byte where ``a`` and ``b`` differ (the shorter length if a prefix)."""
    limit = min(len(a), len(b))
    # compare in blocks first: artifacts can be large and mostly equal
    step = 4096
    start = 0
    while start < limit and a[start : start + step] == b[start : start + step]:
        start += step
    for i in range(start, min(limit, start + step)):
        if a[i] != b[i]:
            return i
    return limit


def is_text(data: bytes) -> bool:
    """Whether ``data`` looks like text (no NUL byte in its head)."""
    return b"\0" not in data[:TEXT_SNIFF]


def diagnose(
    artifact: str, a: bytes, b: bytes, build_roots: Sequence[tuple[str, str]]
) -> Difference:
    """The ``Difference`` of two versions of ``artifact``.

    ``build_roots`` pairs the build directory of build A with that of build B
    (several pairs when paths are also seen resolved, e.g. through /private).
    """
    offset = first_difference(a, b)
    line = a[:offset].count(b"\n") + 1 if is_text(a) and is_text(b) else None
    path = _embedded_path(a, b, build_roots)
    if path:
        return Difference(artifact, Cause.BUILD_PATH, offset, line, path)
    ordering = _line_ordering(a, b)
    if ordering:
        return Difference(artifact, Cause.ORDERING, offset, line, ordering)
    stamp = _timestamp_at(a, b, offset)
    if stamp:
        return Difference(artifact, Cause.TIMESTAMP, offset, line, stamp)
    if len(a) == len(b) and sorted(a) == sorted(b):
        return Difference(artifact, Cause.ORDERING, offset, line, "the same bytes in another order")
    return Difference(artifact, Cause.UNKNOWN, offset, line, _excerpts(a, b, offset))


def _embedded_path(a: bytes, b: bytes, build_roots: Sequence[tuple[str, str]]) -> str:
    """Evidence that a build wrote its own directory into the artifact, or ''."""
    for root_a, root_b in build_roots:
        if root_a.encode() in a or root_b.encode() in b:
            found = root_a if root_a.encode() in a else root_b
            return f"the build directory {found} appears in the artifact"
    return ""


def _line_ordering(a: bytes, b: bytes) -> str:
    """Evidence that the artifacts hold the same lines in another order, or ''."""
    if not (is_text(a) and is_text(b)):
        return ""
    lines_a, lines_b = a.splitlines(), b.splitlines()
    if len(lines_a) > 1 and lines_a != lines_b and sorted(lines_a) == sorted(lines_b):
        return f"the same {len(lines_a)} lines in another order"
    return ""


def _timestamp_at(a: bytes, b: bytes, offset: int) -> str:
    """Evidence of a time value spanning ``offset`` in both versions, or ''."""
    text_a = _stamp_spanning(a, offset)
    text_b = _stamp_spanning(b, offset)
    if text_a and text_b:
        return f"{text_a!r} vs {text_b!r}"
    if is_text(a) and is_text(b):
        return ""
    return _binary_epoch(a, b, offset)


def _stamp_spanning(data: bytes, offset: int) -> str:
    """The date/time string of ``data`` that contains (or touches) ``offset``, or ''."""
    start = max(0, offset - WINDOW)
    window = data[start : offset + WINDOW]
    for match in _TIMESTAMP.finditer(window):
        if match.start() + start <= offset <= match.end() + start:
            return match.group().decode("latin-1")
    return ""


def _binary_epoch(a: bytes, b: bytes, offset: int) -> str:
    """A 32-bit little-endian Unix time in both binaries covering ``offset`` (gzip headers)."""
    for pos in range(max(0, offset - 3), offset + 1):
        if pos + 4 > min(len(a), len(b)):
            break
        (value_a,) = struct.unpack_from("<I", a, pos)
        (value_b,) = struct.unpack_from("<I", b, pos)
        plausible = all(_EPOCH_MIN <= v <= _EPOCH_MAX for v in (value_a, value_b))
        if plausible and abs(value_a - value_b) <= _EPOCH_SPREAD:
            return f"binary Unix time {value_a} vs {value_b} at byte {pos}"
    return ""


def _excerpts(a: bytes, b: bytes, offset: int) -> str:
    """A short view of both versions at the first difference."""
    start = max(0, offset - 8)
    return f"{a[start : offset + 16]!r} vs {b[start : offset + 16]!r} at byte {offset}"
