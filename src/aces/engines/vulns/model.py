"""Plain data of the dependency audit: locked packages and lockfile problems."""

from __future__ import annotations

from dataclasses import dataclass

from aces.errors import InputError

CRATES_IO = "crates.io"
HEX = "Hex"
PYPI = "PyPI"
NPM = "npm"
ECOSYSTEMS: tuple[str, ...] = (CRATES_IO, HEX, NPM, PYPI)


class LockfileError(InputError):
    """A lockfile that cannot be parsed; names the file (and line when known)."""


@dataclass(frozen=True, order=True)
class LockedPackage:
    """One package pinned by a lockfile, at the line of its entry."""

    ecosystem: str
    name: str
    version: str
    path: str
    line: int


@dataclass(frozen=True, order=True)
class LockIssue:
    """Something in a lockfile that stops an entry from being audited.

    ``kind`` is ``conflict-marker`` (an unresolved merge) or ``unpinned`` (no
    exact version to look up); both are findings, never a silent skip.
    """

    path: str
    line: int
    kind: str
    message: str


@dataclass(frozen=True)
class ParsedLock:
    """What one lockfile pins, and what in it could not be audited."""

    path: str
    packages: tuple[LockedPackage, ...] = ()
    issues: tuple[LockIssue, ...] = ()
