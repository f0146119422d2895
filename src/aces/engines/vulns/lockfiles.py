"""Which files are lockfiles, and the parser of each kind.

``parse_lockfile`` first looks for merge-conflict markers: a lockfile with one
is an unresolved merge whose entries cannot be trusted, so it yields only that
issue (at the marker's line) and no packages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from aces.engines.vulns import (
    lock_cargo,
    lock_mix,
    lock_npm,
    lock_poetry,
    lock_pylock,
    lock_requirements,
    lock_uv,
)
from aces.engines.vulns.lockcommon import conflict_marker
from aces.engines.vulns.model import ParsedLock

Parser = Callable[[str, str], ParsedLock]

# Globs of every lockfile kind; dependency trees vendored in node_modules are not the project's.
LOCKFILE_GLOBS: tuple[str, ...] = (
    "**/Cargo.lock",
    "**/mix.lock",
    "**/requirements*.txt",
    "**/poetry.lock",
    "**/uv.lock",
    "**/pylock.toml",
    "**/pylock.*.toml",
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
)
EXCLUDED_PARTS: frozenset[str] = frozenset({"node_modules"})

_BY_NAME: dict[str, Parser] = {
    "Cargo.lock": lock_cargo.parse,
    "mix.lock": lock_mix.parse,
    "poetry.lock": lock_poetry.parse,
    "uv.lock": lock_uv.parse,
    "pylock.toml": lock_pylock.parse,
    "package-lock.json": lock_npm.parse,
    "npm-shrinkwrap.json": lock_npm.parse,
}
_PYLOCK = re.compile(r"pylock\.[^/]+\.toml")
_REQUIREMENTS = re.compile(r"requirements[^/]*\.txt")


def parser_for(path: str) -> Parser | None:
    """The parser of the lockfile ``path`` (by its file name), or None."""
    pure = PurePosixPath(path)
    if EXCLUDED_PARTS & set(pure.parts):
        return None
    name = pure.name
    if name in _BY_NAME:
        return _BY_NAME[name]
    if _PYLOCK.fullmatch(name):
        return lock_pylock.parse
    if _REQUIREMENTS.fullmatch(name):
        return lock_requirements.parse
    return None


def parse_lockfile(path: str, text: str) -> ParsedLock:
    """The packages and issues of one lockfile (ValueError when ``path`` is not one)."""
    parser = parser_for(path)
    if parser is None:
        raise ValueError(f"{path} is not a lockfile ACES knows")
    marker = conflict_marker(path, text)
    if marker is not None:
        return ParsedLock(path, (), (marker,))
    return parser(path, text)
