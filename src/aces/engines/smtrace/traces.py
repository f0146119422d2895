"""The JSONL trace format: one transition a test run took, per line.

Each non-blank line is a JSON object with the string fields ``machine``,
``from``, ``event`` and ``to``, and optionally ``transition`` (the id of the
transition, needed only when several transitions of a machine share the same
from / event / to). Unknown fields are refused, so a typo cannot silently drop
a step. ``aces.trace_emitter`` writes this format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aces.errors import InputError
from aces.nesting import NestingError, parse_bounded

REQUIRED_FIELDS: tuple[str, ...] = ("machine", "from", "event", "to")
OPTIONAL_FIELDS: tuple[str, ...] = ("transition",)
TRACE_SUFFIX = ".jsonl"
# A trace is a few bytes per transition; a file beyond this is not a trace a test run wrote.
MAX_TRACE_BYTES = 200_000_000


@dataclass(frozen=True, order=True)
class TraceStep:
    """One transition taken, and the trace file and line that recorded it."""

    file: str
    line: int
    machine: str
    source: str
    event: str
    target: str
    transition: str = ""  # "" when the line does not name the transition


@dataclass(frozen=True, order=True)
class TraceProblem:
    """A trace line that is not in the format (or a step the machines do not declare)."""

    file: str
    line: int
    message: str
    machine: str = ""  # the machine the step names, for a step no machine declares

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ParsedTrace:
    """The steps of one or more trace files and the lines that could not be read."""

    steps: tuple[TraceStep, ...]
    problems: tuple[TraceProblem, ...]


def parse_trace(name: str, text: str) -> ParsedTrace:
    """Parse the text of the trace file ``name``; blank lines are skipped."""
    steps: list[TraceStep] = []
    problems: list[TraceProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        step = parse_line(name, number, raw)
        if isinstance(step, TraceProblem):
            problems.append(step)
        else:
            steps.append(step)
    return ParsedTrace(tuple(steps), tuple(problems))


def parse_line(name: str, number: int, raw: str) -> TraceStep | TraceProblem:
    """One line as a step, or the problem with it."""
    try:
        value = parse_bounded(json.loads, raw, name, "json")
    except json.JSONDecodeError as exc:
        return TraceProblem(name, number, f"not JSON: {exc.msg} (column {exc.colno})")
    except NestingError as exc:
        return TraceProblem(name, number, exc.message)
    if not isinstance(value, dict):
        return TraceProblem(name, number, "expected a JSON object")
    missing = [key for key in REQUIRED_FIELDS if key not in value]
    if missing:
        return TraceProblem(name, number, f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(value) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        return TraceProblem(name, number, f"unknown field(s): {', '.join(unknown)}")
    for key in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS):
        if key in value and (not isinstance(value[key], str) or not value[key]):
            return TraceProblem(name, number, f"field {key!r} must be a non-empty string")
    return TraceStep(
        name,
        number,
        value["machine"],
        value["from"],
        value["event"],
        value["to"],
        value.get("transition", ""),
    )


def read_trace_dir(directory: Path, label: str) -> ParsedTrace:
    """Every ``*.jsonl`` file directly in ``directory``, in name order.

    ``label`` is how the directory is named in problems (``.aces/traces``). A
    file that is not UTF-8 or is too large is an ``InputError``: the run cannot
    be verified from it.
    """
    steps: list[TraceStep] = []
    problems: list[TraceProblem] = []
    for path in sorted(directory.glob(f"*{TRACE_SUFFIX}")):
        if not path.is_file():
            continue
        name = f"{label}/{path.name}"
        parsed = parse_trace(name, _read_text(path, name))
        steps.extend(parsed.steps)
        problems.extend(parsed.problems)
    return ParsedTrace(tuple(steps), tuple(problems))


def _read_text(path: Path, name: str) -> str:
    """The text of one trace file; InputError when too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_TRACE_BYTES:
            raise InputError(
                f"trace file is {size} bytes, over the {MAX_TRACE_BYTES}-byte limit", path=name
            )
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"trace file is not UTF-8 (offset {exc.start})",
            path=name,
            hint="traces are JSON Lines written by aces.trace_emitter",
        ) from exc
    except OSError as exc:
        raise InputError(f"cannot read the trace file: {exc.strerror}", path=name) from exc
