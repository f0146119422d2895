"""Per-process log files: where they live and their last lines."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_TAIL = 20
_TAIL_BYTES = 64_000  # enough for the last lines of any log; never read a whole large file


def log_file(log_dir: Path, name: str) -> Path:
    """The log file of process ``name`` (``nats-0``, ``postgres``, ``arqonbus-1``)."""
    return log_dir / f"{name}.log"


def last_lines(path: Path, lines: int = DEFAULT_TAIL) -> list[str]:
    """The last ``lines`` lines of ``path`` (empty when it does not exist)."""
    if lines <= 0:
        return []
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - _TAIL_BYTES))
            data = handle.read()
    except OSError:
        return []
    text = data.decode("utf-8", errors="replace")
    return text.rstrip("\n").splitlines()[-lines:] if text.strip() else []
