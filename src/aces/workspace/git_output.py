"""Pure parsers of git's output: the bytes of ``-z`` listings, diffs and refs.

Each is a function of git's bytes alone, tested on recorded output. Anything git
cannot have printed is a ``GitError`` (a crashed or replaced git), never an empty
answer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from aces.errors import GitError
from aces.workspace.types import Hunk


@dataclass(frozen=True)
class NameStatus:
    """One entry of ``git diff --name-status``: status letter, path and, for renames, old path."""

    status: str
    path: str
    old_path: str | None = None


def decode_text(raw: bytes) -> str:
    """Bytes from git as text; undecodable bytes are kept as surrogates (like file names)."""
    return raw.decode("utf-8", "surrogateescape")


def split_z(raw: bytes) -> list[str]:
    """Split NUL-terminated ``-z`` output into decoded fields (no trailing empty field)."""
    fields = raw.split(b"\0")
    if fields and fields[-1] == b"":
        fields.pop()
    return [os.fsdecode(f) for f in fields]


_STAGE_META = re.compile(r"[0-7]{6} [0-9a-f]{40}(?:[0-9a-f]{24})? [0-3]")


_LS_TAGS = frozenset("HSMRCK?U")


def parse_ls_files_stage(raw: bytes) -> dict[str, str]:
    """``git ls-files -s -z`` -> path -> mode (``100644``, ``120000``, ``160000``, ...)."""
    out: dict[str, str] = {}
    for record in split_z(raw):
        meta, _, path = record.partition("\t")
        if not path or not _STAGE_META.fullmatch(meta):
            raise GitError(f"unparsable `git ls-files -s` entry: {record[:80]!r}")
        out[path] = meta.split(" ", 1)[0]
    return out


def parse_ls_files_tags(raw: bytes) -> list[tuple[str, str]]:
    """``git ls-files -t -z`` -> (tag, path): ``C`` modified, ``R`` deleted, ``?`` other."""
    out: list[tuple[str, str]] = []
    for record in split_z(raw):
        tag, _, path = record.partition(" ")
        if not path or tag not in _LS_TAGS:
            raise GitError(f"unparsable `git ls-files -t` entry: {record[:80]!r}")
        out.append((tag, path))
    return out


def parse_symbolic_ref(text: str) -> str | None:
    """``refs/remotes/origin/main`` -> ``origin/main``; None for anything else."""
    ref = text.strip()
    prefix = "refs/remotes/"
    return ref[len(prefix) :] if ref.startswith(prefix) and len(ref) > len(prefix) else None


def parse_name_status(raw: bytes) -> list[NameStatus]:
    """Parse ``git diff -z --name-status``: ``S\\0path\\0`` or ``R100\\0old\\0new\\0``."""
    fields = split_z(raw)
    entries: list[NameStatus] = []
    i = 0
    while i < len(fields):
        code = fields[i]
        letter = code[:1]
        if not letter or letter not in _STATUS_LETTERS:
            raise GitError(f"unparsable `git diff --name-status` status {code[:20]!r}")
        if letter in ("R", "C"):
            if i + 2 >= len(fields):
                raise GitError(f"truncated `git diff --name-status` output after {code!r}")
            entries.append(NameStatus(letter, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            if i + 1 >= len(fields) or not letter:
                raise GitError(f"truncated `git diff --name-status` output after {code!r}")
            entries.append(NameStatus(letter, fields[i + 1]))
            i += 2
    return entries


_STATUS_LETTERS = frozenset("ACDMRTUXB")


# Every line `git diff -U0` prints starts with one of these (no context lines at -U0).
_DIFF_LINE_STARTS = (
    b"diff --git ", b"index ", b"+", b"-", b"@@", b"\\", b"new file mode", b"deleted file mode",
    b"old mode", b"new mode", b"similarity index", b"dissimilarity index", b"rename from",
    b"rename to", b"copy from", b"copy to", b"Binary files ",
)  # fmt: skip


_HUNK_HEADER = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def parse_hunks(raw: bytes) -> dict[str, tuple[Hunk, ...]]:
    """Parse ``git diff -U0`` into head-side line ranges per new path.

    Every line must be one git prints (anything else is a GitError: a broken git).
    Only header lines are read: a section starts at ``diff --git``, names its new path on
    ``+++`` before the first ``@@``, and each ``@@ -a,b +c,d @@`` adds lines ``c..c+d-1``
    (``d`` defaults to 1; ``d == 0`` is a pure deletion and adds nothing).
    """
    hunks: dict[str, list[Hunk]] = {}
    path: str | None = None
    in_header = started = False
    for line in raw.split(b"\n"):
        if line.startswith(b"diff --git "):
            path, in_header, started = None, True, True
        elif line and (not started or not line.startswith(_DIFF_LINE_STARTS)):
            raise GitError(f"unparsable line in git diff output: {decode_text(line)[:80]!r}")
        elif in_header and line.startswith(b"+++ "):
            path = _new_path(line[4:])
        elif line.startswith(b"@@"):
            in_header = False
            hunk = _hunk(line)
            if path is not None and hunk is not None:
                hunks.setdefault(path, []).append(hunk)
    return {p: tuple(h) for p, h in sorted(hunks.items())}


def _hunk(line: bytes) -> Hunk | None:
    """The head-side range of one ``@@`` header, None for a pure deletion."""
    match = _HUNK_HEADER.match(line)
    if match is None:
        raise GitError(f"unparsable hunk header from git diff: {decode_text(line)!r}")
    count = int(match.group(2)) if match.group(2) is not None else 1
    return Hunk(int(match.group(1)), count) if count > 0 else None


def _new_path(field: bytes) -> str | None:
    """The path of a ``+++`` header: None for /dev/null, C-unquoted when git quoted it."""
    if field.startswith(b'"'):
        field = unquote_c(field)
    elif field.endswith(b"\t"):
        field = field[:-1]  # git appends a tab when the name contains a space
    if field == b"/dev/null":
        return None
    return os.fsdecode(field.removeprefix(b"b/"))


_C_ESCAPES = {
    ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12,
    ord("r"): 13, ord('"'): 34, ord("\\"): 92,
}  # fmt: skip


def unquote_c(quoted: bytes) -> bytes:
    """Undo git's C-style quoting of a path: ``"a\\tb\\303\\251"`` -> the raw bytes."""
    body = quoted[1:-1] if quoted.startswith(b'"') and quoted.endswith(b'"') else quoted
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != ord("\\") or i + 1 >= len(body):
            out.append(ch)
            i += 1
        elif body[i + 1 : i + 4].isdigit() and len(body[i + 1 : i + 4]) == 3:
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_C_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
    return bytes(out)
