"""Version ordering per ecosystem: SemVer 2.0 precedence and PEP 440.

crates.io, npm and Hex versions are SemVer: precedence compares major, minor
and patch numerically, then a version with a pre-release is lower than the
same version without one, pre-release identifiers compare numerically when
both are numeric, numeric ones sort below alphanumeric ones, and a shorter
list of identifiers sorts first when all shared ones are equal; build
metadata is ignored. Partial versions (``1.2``) are padded with zeros, since
some advisories write them. PyPI versions follow PEP 440 through
``packaging.version``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from packaging.version import InvalidVersion, Version

from aces.engines.vulns.model import PYPI

VersionKey = Any  # a SemVer key tuple or a packaging Version: ordered within one scheme

_SEMVER = re.compile(
    r"v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


class VersionError(ValueError):
    """A version string the scheme cannot order."""


def semver_key(text: str) -> tuple[Any, ...]:
    """The SemVer 2.0 precedence key of ``text``; VersionError when it is not SemVer."""
    found = _SEMVER.fullmatch(text.strip())
    if found is None:
        raise VersionError(f"{text!r} is not a SemVer version")
    major, minor, patch, pre = found.groups()
    numbers = (int(major), int(minor or 0), int(patch or 0))
    if pre is None:
        return (*numbers, 1, ())
    return (*numbers, 0, tuple(_identifier(part) for part in pre.split(".")))


def _identifier(part: str) -> tuple[int, int | str]:
    """A pre-release identifier: numeric ones sort below alphanumeric ones."""
    return (0, int(part)) if part.isdigit() else (1, part)


def pep440_key(text: str) -> Version:
    """The PEP 440 version of ``text``; VersionError when it is not one."""
    try:
        return Version(text)
    except InvalidVersion as exc:
        raise VersionError(f"{text!r} is not a PEP 440 version") from exc


def ecosystem_parser(ecosystem: str) -> Callable[[str], VersionKey]:
    """The ordering of ``ECOSYSTEM`` ranges: PEP 440 for PyPI, SemVer for the others."""
    return pep440_key if ecosystem == PYPI else semver_key


def range_parser(range_type: str, ecosystem: str) -> Callable[[str], VersionKey] | None:
    """The ordering of an OSV range type; None for ``GIT`` (commits, not releases)."""
    if range_type == "SEMVER":
        return semver_key
    if range_type == "ECOSYSTEM":
        return ecosystem_parser(ecosystem)
    return None
