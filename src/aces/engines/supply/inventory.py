"""A tree's dependency inventory: its manifests, which lack a lock, and the locked packages.

Shared by the ``infra.sbom`` / ``infra.locked-toolchains`` checks and by
``aces sbom`` so the SBOM a check compares is the one the command writes.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aces.engines.supply.lockfiles import Package, lockfiles, read_packages
from aces.engines.supply.manifests import (
    Manifest,
    find_lock,
    manifest_paths,
    read_manifest,
    resolve_inherited,
)
from aces.engines.supply.sbom import Subject

ReadText = Callable[[str], str]


@dataclass(frozen=True)
class Inventory:
    """Manifests (each with the lock that pins it, or None), lockfiles and their packages."""

    manifests: tuple[tuple[Manifest, str | None], ...]
    lockfiles: tuple[str, ...]
    packages: tuple[Package, ...]
    subject: Subject

    @property
    def unlocked(self) -> tuple[Manifest, ...]:
        """Manifests that need a lockfile and have none."""
        return tuple(m for m, lock in self.manifests if lock is None and m.needs_lock)


def take_inventory(files: Sequence[str], read_text: ReadText, fallback_name: str) -> Inventory:
    """Read every manifest and lockfile among ``files`` (InputError on a malformed one)."""
    present = frozenset(files)
    read = resolve_inherited(
        [read_manifest(p, read_text(p)) for p in manifest_paths(files)], read_text
    )
    manifests = tuple((m, find_lock(m, present)) for m in read)
    locks = lockfiles(files)
    return Inventory(
        manifests,
        locks,
        read_packages(locks, read_text),
        _subject(present, read_text, fallback_name),
    )


def _subject(files: frozenset[str], read_text: ReadText, fallback: str) -> Subject:
    """The project's name and version from its root manifest (pyproject, Cargo, npm)."""
    if "pyproject.toml" in files:
        project = tomllib.loads(read_text("pyproject.toml")).get("project")
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            return Subject(project["name"], str(project.get("version", "")))
    if "Cargo.toml" in files:
        package = tomllib.loads(read_text("Cargo.toml")).get("package")
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            version = package.get("version")
            return Subject(package["name"], version if isinstance(version, str) else "")
    if "package.json" in files:
        data = json.loads(read_text("package.json"))
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            return Subject(data["name"], str(data.get("version", "")))
    return Subject(fallback)
