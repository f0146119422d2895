"""Artifacts of a build: found by glob, hashed with SHA-256, measured in bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aces.errors import ToolError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Artifact:
    """One built file: its path relative to the build root, digest and size."""

    path: str
    sha256: str
    size: int


def find_artifacts(root: Path, globs: Sequence[str]) -> tuple[str, ...]:
    """Files below ``root`` matched by ``globs`` (``**`` allowed), sorted.

    A glob that matches no file is an error: the build did not produce what the
    policy says it produces, and an artifact that is not there cannot be compared.
    """
    found: set[str] = set()
    for pattern in globs:
        matched = [
            p.relative_to(root).as_posix()
            for p in root.glob(pattern)
            if p.is_file() and not p.is_symlink()
        ]
        if not matched:
            raise ToolError(
                f"artifact glob {pattern!r} matched no file after the build",
                hint="fix build.artifacts in aces.toml or the build commands",
            )
        found.update(matched)
    return tuple(sorted(found))


def digest_artifact(root: Path, rel: str) -> Artifact:
    """The SHA-256 and size of ``root/rel``."""
    h = hashlib.sha256()
    size = 0
    with (root / rel).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return Artifact(rel, h.hexdigest(), size)
