"""Policy problems: each names the file, the line, the key path and what was expected.

A policy file is checked as a whole, so one run reports every problem at once.
``PolicyFileError`` carries them all; its one-line ``diagnostics()`` (what the CLI
prints for a failed run) shows the first and how many more there are, while
``aces policy validate`` prints every ``Problem.render()`` line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from aces.errors import PolicyError

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_key(path: Sequence[str | int]) -> str:
    """``("allowlist", 2, "owner")`` -> ``allowlist[2].owner``; odd keys are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        name = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        out += f".{name}" if out else name
    return out


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a policy file, at a line (and column, when known)."""

    file: str
    line: int
    column: int
    key: str  # dotted key path; empty when the problem concerns the file as a whole
    message: str

    def render(self) -> str:
        """``file:line[:column]: key.path: message``."""
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        what = f"{self.key}: {self.message}" if self.key else self.message
        return f"{where}: {what}"


class PolicyFileError(PolicyError):
    """Every problem of one policy file, sorted by line; ``message`` is the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        ordered = tuple(sorted(problems))
        if not ordered:
            raise ValueError("PolicyFileError needs at least one problem")
        first = ordered[0]
        super().__init__(first.render(), path=first.file)
        self.problems = ordered

    def diagnostics(self) -> str:
        """The first problem, plus how many more the file has."""
        more = len(self.problems) - 1
        return self.message + (f" (and {more} more)" if more else "")

    def lines(self) -> list[str]:
        """Every problem, one rendered line each, in file order."""
        return [problem.render() for problem in self.problems]
