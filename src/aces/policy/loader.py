"""Load a repository's policy: ``aces.toml``, or the embedded doctrine default.

Reading, decoding and TOML parsing failures become ``PolicyError`` naming the
file (and the line, when there is one); a file that parses is mapped onto the
``Policy`` dataclasses by ``aces.policy.mapping``, which reports every problem
of the file at once (``PolicyFileError``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from aces.errors import PolicyError
from aces.nesting import parse_bounded
from aces.policy.locate import locate
from aces.policy.mapping import build_policy
from aces.policy.problems import PolicyFileError, Problem
from aces.policy.schema import LoadedPolicy, Policy
from aces.policy.values import Reporter

POLICY_FILE = "aces.toml"
EMBEDDED_SOURCE = "embedded doctrine default"
# A policy is a few kilobytes; anything this large is not one (and is not read).
MAX_POLICY_BYTES = 1_000_000

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)")


def load_policy(root: Path, path: Path | None = None) -> LoadedPolicy:
    """The policy of the repository at ``root``.

    ``path`` None: ``<root>/aces.toml`` when it exists, else the embedded doctrine
    default. An explicit ``path`` must exist. Any problem -> ``PolicyError``.
    """
    if path is None:
        candidate = root / POLICY_FILE
        # lexists: a dangling symlink is a broken policy, not an absent one (fail closed)
        if not os.path.lexists(candidate):
            return LoadedPolicy(Policy(), EMBEDDED_SOURCE, is_default=True)
        path = candidate
    source = display_name(root, path)
    policy = parse_policy(read_policy_bytes(path, source), source)
    return LoadedPolicy(policy, source, is_default=False)


def display_name(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` (POSIX) when inside it, else as given."""
    # resolve the directory only: a symlinked aces.toml is still named aces.toml
    absolute = path.parent.resolve() / path.name
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def read_policy_bytes(path: Path, source: str) -> bytes:
    """The bytes of the policy file; a missing, unreadable or huge file is an error."""
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(
                f"policy file is larger than {MAX_POLICY_BYTES} bytes",
                path=source,
                hint="a policy holds settings, not data",
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise PolicyError(
            "policy file not found",
            path=source,
            hint=f"check the path, or omit it to use {POLICY_FILE} at the repository root",
        ) from exc
    except IsADirectoryError as exc:
        raise PolicyError("policy path is a directory, not a file", path=source) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PolicyError(f"cannot read the policy file: {reason}", path=source) from exc


def parse_policy(data: bytes, source: str) -> Policy:
    """The policy held by ``data`` (the bytes of a file named ``source``)."""
    text = decode(data, source)
    try:
        raw = parse_bounded(tomllib.loads, text, source, "toml", _nesting_error(source))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyFileError([toml_problem(exc, text, source)]) from exc
    reporter = Reporter(source, locate(text))
    policy = build_policy(reporter, raw)
    if reporter.problems:
        raise PolicyFileError(reporter.problems)
    return policy


def _nesting_error(source: str) -> Callable[[str], PolicyError]:
    def make(message: str) -> PolicyError:
        return PolicyError(message, path=source, hint="a policy holds a few flat tables")

    return make


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped); anything else is an error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = data[exc.start]
        raise PolicyFileError(
            [
                Problem(
                    source,
                    line,
                    column,
                    "",
                    f"not valid UTF-8 (byte 0x{byte:02x}); save the policy file as UTF-8",
                )
            ]
        ) from exc
    return text.removeprefix("\ufeff")


def toml_problem(exc: tomllib.TOMLDecodeError, text: str, source: str) -> Problem:
    """A TOML syntax error at the line and column ``tomllib`` reports."""
    message = str(exc)
    line, column = 1, 0
    position = _TOML_POSITION.search(message)
    if position:
        line, column = int(position.group(1)), int(position.group(2))
        message = _TOML_POSITION.sub("", message)
    elif _TOML_AT_END.search(message):
        line = max(1, len(text.splitlines()))
        message = _TOML_AT_END.sub(" at end of file", message)
    return Problem(source, line, column, "", f"invalid TOML: {message}")
