"""GitHub's ``primaryLocationLineHash``: the fingerprint code scanning matches alerts by.

GitHub's upload action fills ``partialFingerprints.primaryLocationLineHash`` in
itself, but an upload through the REST API does not, and alerts are then
duplicated on every run. This module computes the same value the action does.

The published algorithm: the file's text is read as UTF-16 code units; spaces
and tabs are skipped, CR and CRLF count as one LF. Each line's hash is a
polynomial rolling hash (base 37, modulo 2**64) of the 100 characters that
start at the line's first non-blank character, running on into later lines;
past the end of the file come one end marker (U+FFFF) and zeros. The value is
the hash in lower-case hexadecimal without leading zeros, a colon, and how many
lines of the file up to this one had the same hash (``1`` for the first), so
identical lines still get distinct fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

WINDOW = 100
# Larger files are left to the upload action: hashing them here would slow every run.
MAX_FILE_BYTES = 8 * 1024 * 1024
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, WINDOW, 1 << 64)
_END_OF_FILE = 0xFFFF
_SPACE, _TAB, _LF, _CR = 0x20, 0x09, 0x0A, 0x0D


def line_hashes(text: str, wanted: set[int]) -> dict[int, str]:
    """The fingerprints of the 1-based lines ``wanted`` that the text has."""
    found: dict[int, str] = {}
    if not wanted:
        return found
    last = max(wanted)
    counts: dict[int, int] = {}
    for line, value in _raw_hashes(text):
        counts[value] = counts.get(value, 0) + 1
        if line in wanted:
            found[line] = f"{value:x}:{counts[value]}"
        if line >= last:
            break
    return found


def repository_line_hashes(
    root: Path, wanted: Mapping[str, set[int]]
) -> dict[tuple[str, int], str]:
    """``(path, line)`` to fingerprint for the wanted lines of repository files.

    A path that leaves ``root``, is no regular file, is too large or cannot be
    read gets no fingerprint (the upload action then computes its own).
    """
    out: dict[tuple[str, int], str] = {}
    for path, lines in sorted(wanted.items()):
        text = _read_source(root, path)
        if text is None:
            continue
        for line, value in line_hashes(text, lines).items():
            out[(path, line)] = value
    return out


def repository_line_counts(root: Path, paths: set[str]) -> dict[str, int]:
    """How many lines each readable repository file has (at least 1), for whole-file regions."""
    out: dict[str, int] = {}
    for path in sorted(paths):
        text = _read_source(root, path)
        if text is not None:
            lines = text.count("\n") + (0 if text.endswith("\n") else 1)
            out[path] = max(lines, 1)
    return out


def _read_source(root: Path, path: str) -> str | None:
    """The file's text as the upload action reads it (UTF-8, bad bytes replaced), or None."""
    if path.startswith("/"):
        return None
    try:
        base = root.resolve()
        target = (base / path).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return None
        if target.stat().st_size > MAX_FILE_BYTES:
            return None
        return target.read_bytes().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def _code_units(text: str) -> Iterator[int]:
    """The text as UTF-16 code units (how JavaScript strings index), then the end marker."""
    data = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        yield data[i] | (data[i + 1] << 8)
    yield _END_OF_FILE


def _normalised(text: str) -> Iterator[int]:
    """Code units without spaces and tabs, with CR and CRLF as one LF."""
    after_cr = False
    for unit in _code_units(text):
        if unit in (_SPACE, _TAB) or (after_cr and unit == _LF):
            after_cr = False
            continue
        after_cr = unit == _CR
        yield _LF if after_cr else unit


def _raw_hashes(text: str) -> Iterator[tuple[int, int]]:
    """``(line, hash)`` for every line, in line order."""
    window = [0] * WINDOW
    starts = [-1] * WINDOW  # the line a character of the window starts, or -1
    value, index, line, line_start = 0, 0, 0, True

    def step(unit: int) -> None:
        nonlocal value, index
        value = (_BASE * value + unit - _FIRST_MOD * window[index]) & _MASK
        window[index] = unit
        index = (index + 1) % WINDOW

    for unit in _normalised(text):
        # The character leaving the window began a line: the window now holds its 100.
        if starts[index] != -1:
            yield starts[index], value
            starts[index] = -1
        if line_start:
            line += 1
            starts[index] = line
            line_start = False
        line_start = unit == _LF
        step(unit)
    for _ in range(WINDOW):
        if starts[index] != -1:
            yield starts[index], value
            starts[index] = -1
        step(0)
