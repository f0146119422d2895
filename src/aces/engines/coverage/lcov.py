"""LCOV tracefiles (cargo-llvm-cov, excoveralls, lcov, c8 ...), read fast and strictly.

The format is line based: a record per source file starts with ``SF:<path>`` and
ends with ``end_of_record``; inside it ``DA:<line>,<hits>[,<checksum>]`` is an
executable line, ``BRDA:<line>,<block>,<branch>,<taken>`` a branch outcome
(``taken`` is ``-`` when the branch's block never ran), and ``TN``, ``FN``,
``FNDA``, ``FNF``, ``FNH``, ``FNL``, ``FNA``, ``LF``, ``LH``, ``BRF``, ``BRH``,
``VER`` carry what ACES does not need.

Any other line, a malformed ``DA`` / ``BRDA``, a record without ``SF`` and a
last record without ``end_of_record`` (a truncated file) raise
``CoverageFormatError`` naming the file and the line.

Speed: a 100 MB report holds about ten million ``DA`` lines, far too many to
visit one by one in Python. The file is validated by one regular-expression
search, split into records with ``str.split``, and per record only the lines
that matter are extracted (the never-run ones); covered lines are counted, not
listed. A file that several records measure (one per test binary) is merged
exactly, line by line.
"""

from __future__ import annotations

import re

from aces.engines.coverage.model import CoverageData, CoverageFormatError, FileCoverage

END = "end_of_record"
_OTHER_KINDS = r"TN|SF|FN|FNDA|FNF|FNH|FNL|FNA|BRF|BRH|LF|LH|VER"
# ``[0-9]``, not ``\d``: on str patterns ``\d`` is the slower Unicode class. The text is
# searched with a newline added at both ends, so every line is "\n<line>\n".
_INVALID = re.compile(
    r"\n(?!"
    r"DA:[0-9]+,[0-9]+\n"  # the common case first
    r"|DA:[0-9]+,-?[0-9]+[,\r\n]"
    r"|BRDA:[0-9]+,[^,\n]*,[^,\n]*,(?:-|[0-9]+)\r?\n"
    rf"|(?:{_OTHER_KINDS}):"
    rf"|{END}[ \t]*\r?\n"
    r"|[ \t]*\r?\n"
    r"|$"
    r")"
)
# Lookaheads, not consumed newlines: consecutive matching lines must all match.
_DA_NOT_RUN = re.compile(r"\nDA:([0-9]+),(?:0|-[0-9]+)(?=[,\r\n])")
_DA_ALL = re.compile(r"\nDA:([0-9]+),(-?[0-9]+)")
_BRDA_NOT_TAKEN = re.compile(r"\nBRDA:([0-9]+),[^,\n]*,[^,\n]*,(?:-|0)(?=\r?\n)")
_BRDA_ALL = re.compile(r"\nBRDA:([0-9]+),([^,\n]*),([^,\n]*),(-|[0-9]+)")


def parse_lcov(text: str, name: str) -> CoverageData:
    """The coverage in the LCOV ``text`` of the file ``name`` (paths as written in SF)."""
    # Every line, the first and the last included, now sits between two newlines.
    body = "\n" + text + ("" if text.endswith("\n") else "\n")
    _validate(body, text, name)
    pieces = body.split("\n" + END)
    tail = pieces.pop()
    if tail.strip():
        _truncated(text, tail, name)
    sources: dict[str, list[str]] = {}
    offset = 0  # of the piece in ``text``; line numbers are counted only for an error
    for piece in pieces:
        sources.setdefault(_source_path(piece, text, offset, name), []).append(piece)
        offset += len(piece) + len(END) + 1
    files = {path: _file(path, bodies) for path, bodies in sources.items()}
    return CoverageData(dict(sorted(files.items())))


def _validate(body: str, text: str, name: str) -> None:
    """Raise at the first line that is not LCOV."""
    match = _INVALID.search(body)
    if match is None:
        return
    start = match.start()  # the newline before the bad line, in ``body``
    end = body.find("\n", start + 1)
    shown = body[start + 1 : end if end >= 0 else len(body)].strip()[:80]
    line = line_of(text, start)  # ``body`` has one more newline in front: same number
    raise _error(name, line, f"not a valid LCOV line: {shown!r}")


def _truncated(text: str, tail: str, name: str) -> None:
    """The file ends inside a record: name the record and the last line."""
    last_line = line_of(text, len(text.rstrip()))
    sf = re.search(r"\nSF:([^\r\n]*)", tail)
    what = f"the record of SF:{sf.group(1).strip()}" if sf else "the last record"
    raise _error(name, last_line, f"truncated: {what} has no {END}")


def _source_path(piece: str, text: str, offset: int, name: str) -> str:
    """The SF path of a record; a record without one is an error at its first line."""
    at = piece.find("\nSF:")
    if at < 0:
        raise _error(name, _first_content_line(text, offset), "a record without SF:<path>")
    end = piece.find("\n", at + 1)
    path = piece[at + 4 : end if end >= 0 else len(piece)].strip()
    if not path:
        raise _error(name, line_of(text, offset + at), "SF: without a path")
    return path


def _first_content_line(text: str, offset: int) -> int:
    rest = text[offset:]
    return line_of(text, offset + len(rest) - len(rest.lstrip()))


def _file(path: str, bodies: list[str]) -> FileCoverage:
    """The coverage of one source file from its records."""
    measured = any("\nBRDA:" in b or "\nBRF:" in b for b in bodies)
    if len(bodies) == 1:
        body = bodies[0]
        lines = body.count("\nDA:")
        not_run = tuple(sorted({int(n) for n in _DA_NOT_RUN.findall(body)}))
        branches = body.count("\nBRDA:")
        not_taken = tuple(sorted(int(n) for n in _BRDA_NOT_TAKEN.findall(body)))
        return FileCoverage(path, lines, not_run, branches, not_taken, measured)
    return _merged(path, bodies, measured)


def _merged(path: str, bodies: list[str], measured: bool) -> FileCoverage:
    """Several records of one file: a line ran if any record ran it; same for branches."""
    hits: dict[int, bool] = {}
    for body in bodies:
        for number, count in _DA_ALL.findall(body):
            line = int(number)
            hits[line] = hits.get(line, False) or int(count) > 0
    taken: dict[tuple[str, str, str], bool] = {}
    for body in bodies:
        for line, block, branch, count in _BRDA_ALL.findall(body):
            key = (line, block, branch)
            taken[key] = taken.get(key, False) or count not in ("-", "0")
    not_run = tuple(sorted(n for n, ran in hits.items() if not ran))
    not_taken = tuple(sorted(int(k[0]) for k, ok in taken.items() if not ok))
    return FileCoverage(path, len(hits), not_run, len(taken), not_taken, measured)


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, max(offset, 0)) + 1


def _error(name: str, line: int, message: str) -> CoverageFormatError:
    return CoverageFormatError(
        f"{name}:{line}: {message}",
        hint="regenerate the LCOV report (the test run may have been interrupted)",
    )
