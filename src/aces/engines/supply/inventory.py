"""A tree's dependency inventory: its manifests, which lack a lock, and the locked packages.

Shared by the ``infra.sbom`` / ``infra.locked-toolchains`` checks and by
``aces sbom`` so the SBOM a check compares is the one the command writes.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from aces.engines.supply.cargo_workspace import workspace_roots
from aces.engines.supply.lockfiles import Package, lockfiles, normalise_python, read_packages
from aces.engines.supply.manifests import (
    Manifest,
    find_lock,
    manifest_paths,
    read_manifest,
    resolve_inherited,
)
from aces.engines.supply.sbom import Subject
from aces.engines.supply.workspaces import workspace_lock
from aces.errors import AcesError
from aces.nesting import parse_bounded

ReadText = Callable[[str], str]


@dataclass(frozen=True)
class Unreadable:
    """A manifest or lockfile that could not be read: its path and why (one line)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Inventory:
    """Manifests (each with the lock that pins it, or None), lockfiles and their packages.

    A manifest or lockfile that cannot be read is listed in ``unreadable`` and
    left out of the rest: one broken file is a finding about that file, not a
    reason to stop reading the others.
    """

    manifests: tuple[tuple[Manifest, str | None], ...]
    lockfiles: tuple[str, ...]
    packages: tuple[Package, ...]
    subject: Subject
    unreadable: tuple[Unreadable, ...] = ()

    @property
    def unlocked(self) -> tuple[Manifest, ...]:
        """Manifests that need a lockfile and have none."""
        return tuple(m for m, lock in self.manifests if lock is None and m.needs_lock)


def take_inventory(files: Sequence[str], read_text: ReadText, fallback_name: str) -> Inventory:
    """Read every manifest and lockfile among ``files`` (a malformed one is ``unreadable``)."""
    present = frozenset(files)
    unreadable: list[Unreadable] = []
    read: list[Manifest] = []
    for path in manifest_paths(files):
        try:
            read.append(read_manifest(path, read_text(path)))
        except AcesError as exc:
            unreadable.append(Unreadable(path, _reason(exc)))
    members = workspace_roots((m.path for m in read if m.ecosystem == "cargo"), read_text)
    resolved = resolve_inherited(
        [replace(m, workspace_root=members.get(m.path)) for m in read], read_text
    )
    manifests = [
        (
            m,
            find_lock(m, present, _pins_every(m, read_text))
            or workspace_lock(m, resolved, present, read_text),
        )
        for m in resolved
    ]
    locks = lockfiles(files)
    packages: set[Package] = set()
    for lock in locks:
        try:
            packages.update(read_packages((lock,), read_text))
        except AcesError as exc:
            unreadable.append(Unreadable(lock, _reason(exc)))
    return Inventory(
        tuple(manifests),
        locks,
        tuple(sorted(packages)),
        _subject(present, read_text, fallback_name),
        tuple(sorted(unreadable, key=lambda u: u.path)),
    )


def _pins_every(manifest: Manifest, read_text: ReadText) -> Callable[[str], bool]:
    """Whether a requirements file pins every dependency of ``manifest`` (``name==version``,
    hashes or not). One that cannot be read counts as a lock: it is reported as unreadable."""

    def pins(path: str) -> bool:
        try:
            pinned = {normalise_python(p.name) for p in read_packages((path,), read_text)}
        except AcesError:
            return True
        return all(normalise_python(d.name) in pinned for d in manifest.dependencies)

    return pins


def _reason(exc: AcesError) -> str:
    """The error's line without the path (the finding is located at it)."""
    what_next = f" ({exc.hint})" if exc.hint else ""
    return f"{exc.message}{what_next}"


def _subject(files: frozenset[str], read_text: ReadText, fallback: str) -> Subject:
    """The project's name and version from its root manifest (pyproject, Cargo, npm)."""
    try:
        return _named_subject(files, read_text) or Subject(fallback)
    except (AcesError, ValueError):  # a root manifest that does not parse is in ``unreadable``
        return Subject(fallback)


def _named_subject(files: frozenset[str], read_text: ReadText) -> Subject | None:
    if "pyproject.toml" in files:
        project = _toml("pyproject.toml", read_text).get("project")
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            return Subject(project["name"], str(project.get("version", "")))
    if "Cargo.toml" in files:
        package = _toml("Cargo.toml", read_text).get("package")
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            version = package.get("version")
            return Subject(package["name"], version if isinstance(version, str) else "")
    if "package.json" in files:
        data = parse_bounded(json.loads, read_text("package.json"), "package.json", "json")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            return Subject(data["name"], str(data.get("version", "")))
    return None


def _toml(path: str, read_text: ReadText) -> dict[str, object]:
    return parse_bounded(tomllib.loads, read_text(path), path, "toml")
