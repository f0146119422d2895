"""The comment annotations ACES reads in .proto leading comments.

- compatibility marker: ``<marker> <version>`` (default ``@since 1.2.0``), on every
  added or changed element;
- deprecation: ``@replaced-by <replacement>`` (a name, or ``none``) and
  ``@removal <version>``, the earliest version in which the element may be removed,
  on every element marked ``[deprecated = true]``.

Versions are SemVer ``MAJOR.MINOR.PATCH`` with an optional pre-release, an optional
leading ``v`` accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REPLACED_BY = "@replaced-by"
REMOVAL = "@removal"
_VERSION = r"v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)"
_REPLACED = re.compile(rf"{re.escape(REPLACED_BY)}\s+([A-Za-z_][\w.]*)")
_REMOVAL = re.compile(rf"{re.escape(REMOVAL)}\s+{_VERSION}(?![\w.])")


@dataclass(frozen=True, order=True)
class Version:
    """A comparable SemVer version (build metadata ignored; a pre-release sorts first)."""

    major: int
    minor: int
    patch: int
    release: int  # 1 for a release, 0 for a pre-release
    pre: tuple[tuple[int, int | str], ...]
    text: str = ""

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> Version | None:
    """The version in ``text`` (``1.2.3``, ``v1.2.3-rc.1``), or None when it is not one."""
    match = re.fullmatch(_VERSION, text.strip())
    if match is None:
        return None
    core, _, rest = match.group(1).partition("-")
    pre_text = rest.split("+", 1)[0] if rest else ""
    core = core.split("+", 1)[0]
    major, minor, patch = (int(part) for part in core.split("."))
    pre = tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in pre_text.split(".") if part
    )
    return Version(major, minor, patch, 0 if pre else 1, pre, match.group(1))


def marker_version(comment: str, marker: str) -> Version | None:
    """The version after ``marker`` in a comment, or None when the marker or version is absent."""
    match = re.search(rf"{re.escape(marker)}\s+{_VERSION}(?![\w.])", comment)
    return parse_version(match.group(1)) if match else None


def has_marker(comment: str, marker: str) -> bool:
    """Whether the marker appears in the comment at all (with or without a version)."""
    return re.search(rf"(?<![\w@-]){re.escape(marker)}(?![\w-])", comment) is not None


def replacement(comment: str) -> str | None:
    """The replacement a deprecation comment names, or None."""
    match = _REPLACED.search(comment)
    return match.group(1) if match else None


def removal_version(comment: str) -> Version | None:
    """The earliest removal version a deprecation comment names, or None."""
    match = _REMOVAL.search(comment)
    return parse_version(match.group(1)) if match else None


def mentions_deprecation(comment: str) -> bool:
    """Whether the comment carries a deprecation annotation (``@replaced-by`` / ``@removal``)."""
    return REPLACED_BY in comment or REMOVAL in comment
