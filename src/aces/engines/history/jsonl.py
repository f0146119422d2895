"""Histories as JSONL files: one operation a line, every line ending with a newline.

The writer always ends a line with ``\\n``, so a file whose last line lacks it was
cut (a crash, a full disk) and is refused, like a line that is not a JSON object of
the expected shape: ``HistoryError`` names the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aces.engines.history.model import TYPES, History, Op
from aces.errors import InputError
from aces.nesting import parse_bounded

_FIELDS = ("process", "type", "f")


class HistoryError(InputError):
    """A history file that cannot be read as operations; names ``file:line``."""


def write_history(path: Path, ops: Iterable[Op]) -> Path:
    """Write ``ops`` to ``path`` as JSONL (keys sorted, one operation a line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    with path.open("w", encoding="utf-8") as out:
        for op in ops:
            out.write(encode(op.to_json()))
            out.write("\n")
    return path


def read_history(path: Path, *, display: str | None = None) -> History:
    """The history in ``path``; ``display`` is the name used in errors (default: the path)."""
    name = display if display is not None else path.as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HistoryError(f"cannot read the history: {exc.strerror}", path=name) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise HistoryError(f"{name}:{line}: not valid UTF-8", hint=_HINT) from exc
    return History(parse_history(text, name), source=name)


_HINT = "the history was cut or corrupted; run the workload again"


def parse_history(text: str, name: str) -> tuple[Op, ...]:
    """The operations of JSONL ``text``; ``name`` is the file named in errors."""
    lines = text.split("\n")
    if lines[-1] != "":
        raise HistoryError(
            f"{name}:{len(lines)}: the last line ends without a newline: the file was cut",
            hint=_HINT,
        )
    body = lines[:-1]
    try:
        # one parse of the whole file is several times faster than one per line
        decoded = json.loads("[" + ",".join(body) + "]") if all(body) else None
    except (ValueError, RecursionError):  # a line too deep is named by the per-line read
        decoded = None
    if decoded is None or len(decoded) != len(body):
        decoded = [_line(line, name, number) for number, line in enumerate(body, start=1)]
    return tuple(_op(raw, name, number) for number, raw in enumerate(decoded, start=1))


def _line(line: str, name: str, number: int) -> Any:
    """One line decoded on its own, to name the line that does not parse."""
    try:
        return parse_bounded(
            json.loads,
            line,
            name,
            "json",
            lambda message: HistoryError(f"{name}:{number}: {message}", hint=_HINT),
        )
    except ValueError as exc:
        raise HistoryError(f"{name}:{number}: not a JSON object ({exc})", hint=_HINT) from None


def _op(raw: Any, name: str, number: int) -> Op:
    """One operation from its decoded line, or ``HistoryError`` saying what is wrong."""
    if not isinstance(raw, dict):
        raise HistoryError(f"{name}:{number}: expected a JSON object", hint=_HINT)
    process, type_, f = raw.get("process"), raw.get("type"), raw.get("f")
    if type_ in TYPES and type(process) is str and type(f) is str:
        value, time = raw.get("value"), raw.get("time", 0)
        replica, tenant = raw.get("replica", ""), raw.get("tenant", "")
        # the common, well-formed case in one test; anything else is diagnosed below
        if (
            type(value) is dict
            and type(time) is int
            and type(replica) is str
            and type(tenant) is str
        ):
            return Op(process, type_, f, value, time, replica, tenant, number)
    return _diagnosed(raw, name, number)


def _diagnosed(raw: dict[str, Any], name: str, number: int) -> Op:
    """The operation of a line off the fast path, or ``HistoryError`` saying what is wrong."""
    for key in _FIELDS:
        if not isinstance(raw.get(key), str):
            raise HistoryError(f"{name}:{number}: {key!r} must be a string", hint=_HINT)
    if raw["type"] not in TYPES:
        raise HistoryError(
            f"{name}:{number}: type {raw['type']!r} is not one of {', '.join(TYPES)}", hint=_HINT
        )
    value = raw.get("value")
    if value is None:
        value = {}
    elif not isinstance(value, dict):
        raise HistoryError(f"{name}:{number}: 'value' must be a JSON object", hint=_HINT)
    time = raw.get("time", 0)
    if isinstance(time, bool) or not isinstance(time, int):
        raise HistoryError(f"{name}:{number}: 'time' must be an integer", hint=_HINT)
    replica = raw.get("replica", "")
    tenant = raw.get("tenant", "")
    if not isinstance(replica, str) or not isinstance(tenant, str):
        raise HistoryError(f"{name}:{number}: 'replica' and 'tenant' must be strings", hint=_HINT)
    return Op(raw["process"], raw["type"], raw["f"], value, time, replica, tenant, number)
