"""Typed reading of parsed TOML values, collecting problems at their key paths.

The helpers here know nothing of the policy's sections: each checks one value
(a table, a string, an array of strings, a number), records a problem naming
what was expected when it is wrong, and returns None so the caller keeps the
default and goes on to the next key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aces.policy.locate import LineIndex
from aces.policy.problems import KeyPath, Problem, format_key


@dataclass
class Reporter:
    """Collects the problems of one file, each placed at its key's line."""

    file: str
    index: LineIndex
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: KeyPath, message: str) -> None:
        """Record a problem with the value at ``path``."""
        line = self.index.line_of(path)
        self.problems.append(Problem(self.file, line, 0, format_key(path), message))


# -- describing values -------------------------------------------------------


def describe(value: object) -> str:
    """The TOML kind of a parsed value, with its article ("an integer")."""
    kinds: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (dict, "a table"),
        (list, "an array"),
        (dt.datetime, "a date-time"),
        (dt.date, "a date"),
        (dt.time, "a time"),
    )
    for kind, name in kinds:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def number_text(value: float) -> str:
    """``85.0`` -> ``85``; other numbers as Python writes them."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def suggest(word: str, choices: Sequence[str]) -> str:
    """``did you mean 'x'?`` when a choice is close, else the list of choices."""
    close = difflib.get_close_matches(word, choices, n=1)
    if not close and len(word) >= 3:
        # a shortened name ("canary") is too far for difflib yet unambiguous
        close = [choice for choice in choices if word.lower() in choice]
    if len(close) == 1:
        return f"did you mean {close[0]!r}?"
    return "expected one of: " + ", ".join(repr(c) for c in choices)


# -- generic checks ----------------------------------------------------------


def check_keys(r: Reporter, table: dict[str, Any], path: KeyPath, allowed: Sequence[str]) -> None:
    """Report every key of ``table`` that ``allowed`` does not name."""
    for key in table:
        if key not in allowed:
            r.add((*path, key), f"unknown key; {suggest(key, allowed)}")


def as_table(r: Reporter, value: object, path: KeyPath) -> dict[str, Any] | None:
    """``value`` when it is a table, else a problem."""
    if isinstance(value, dict):
        return value
    found = "an array of tables" if _is_table_array(value) else describe(value)
    r.add(path, f"expected a table, found {found}")
    return None


def as_string(r: Reporter, value: object, path: KeyPath, what: str = "a string") -> str | None:
    """A non-empty string, else a problem naming what was expected."""
    if not isinstance(value, str):
        r.add(path, f"expected {what}, found {describe(value)}")
        return None
    if not value.strip():
        r.add(path, f"expected {what}, found an empty string")
        return None
    return value


def as_strings(r: Reporter, value: object, path: KeyPath) -> tuple[str, ...] | None:
    """An array of non-empty strings; each bad element is its own problem."""
    if not isinstance(value, list):
        r.add(path, f"expected an array of strings, found {describe(value)}")
        return None
    items = [as_string(r, item, (*path, i)) for i, item in enumerate(value)]
    if any(item is None for item in items):
        return None
    return tuple(item for item in items if item is not None)


def as_number(r: Reporter, value: object, path: KeyPath) -> float | None:
    """A finite integer or float (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        r.add(path, f"expected a number, found {describe(value)}")
        return None
    if not math.isfinite(value):
        r.add(path, f"expected a finite number, found {value}")
        return None
    return float(value)


def as_positive(r: Reporter, value: object, path: KeyPath) -> float | None:
    """A finite number above zero."""
    number = as_number(r, value, path)
    if number is not None and number <= 0:
        r.add(path, f"expected a positive number, found {number_text(number)}")
        return None
    return number


def no_duplicates(r: Reporter, items: Sequence[str], path: KeyPath) -> None:
    """Report the second and later occurrences of an item."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item in seen:
            r.add((*path, i), f"{item!r} is listed twice")
        seen.add(item)


def normalise(text: str) -> str:
    """Headings and placeholders compare case-insensitively, blanks collapsed."""
    return " ".join(text.split()).lower()


def _is_table_array(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
