"""Cargo workspaces: the root manifest whose lock a member crate shares.

Cargo finds a package's workspace by looking in the package's directory and in
each ancestor for a ``Cargo.toml`` with a ``[workspace]`` table; a package the
root lists under ``exclude`` is a project of its own. The workspace's one
``Cargo.lock`` sits at the root, so a member never has a lock of its own: a
missing lock is the root's finding, made once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable

from aces.errors import AcesError
from aces.nesting import parse_bounded


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _parent(directory: str) -> str | None:
    if not directory:
        return None
    return directory.rsplit("/", 1)[0] if "/" in directory else ""


def _excludes(path: str, read_text: Callable[[str], str]) -> tuple[str, ...] | None:
    """The ``exclude`` list of the ``[workspace]`` at ``path``, or None when it has none."""
    try:
        data = parse_bounded(tomllib.loads, read_text(path), path, "toml")
    except (AcesError, tomllib.TOMLDecodeError, ValueError):
        return None  # an unreadable manifest is reported as such elsewhere
    workspace = data.get("workspace")
    if not isinstance(workspace, dict):
        return None
    exclude = workspace.get("exclude")
    if not isinstance(exclude, list):
        return ()
    return tuple(str(e).strip("./").rstrip("/") for e in exclude if isinstance(e, str))


def _excluded(relative: str, excludes: tuple[str, ...]) -> bool:
    return any(relative == e or relative.startswith(f"{e}/") for e in excludes)


def workspace_roots(
    cargo_manifests: Iterable[str], read_text: Callable[[str], str]
) -> dict[str, str]:
    """Member manifest path -> the root manifest of its workspace.

    A workspace root and a package of its own (no enclosing workspace, or one
    that excludes it) are not in the result.
    """
    return {
        path: root
        for path, (root, excluded) in _enclosing(cargo_manifests, read_text).items()
        if not excluded
    }


def separate_projects(cargo_manifests: Iterable[str], read_text: Callable[[str], str]) -> set[str]:
    """The manifests that are projects of their own: every workspace root, and every crate
    an enclosing workspace lists under ``exclude``."""
    paths = sorted(set(cargo_manifests))
    enclosing = _enclosing(paths, read_text)
    roots = {p for p in paths if _excludes(p, read_text) is not None}
    return roots | {p for p, (_, excluded) in enclosing.items() if excluded}


def _enclosing(
    cargo_manifests: Iterable[str], read_text: Callable[[str], str]
) -> dict[str, tuple[str, bool]]:
    """Manifest -> (the nearest workspace root at or above it, whether that root excludes it);
    a workspace root itself and a crate under no workspace are absent."""
    paths = sorted(set(cargo_manifests))
    by_directory = {_directory(p): p for p in paths}
    tables: dict[str, tuple[str, ...] | None] = {}
    found: dict[str, tuple[str, bool]] = {}
    for path in paths:
        start = _directory(path)
        directory: str | None = start
        while directory is not None:
            candidate = by_directory.get(directory)
            if candidate is not None:
                if candidate not in tables:
                    tables[candidate] = _excludes(candidate, read_text)
                excludes = tables[candidate]
                if excludes is not None:
                    if candidate != path:
                        relative = start[len(directory) :].lstrip("/")
                        found[path] = (candidate, _excluded(relative, excludes))
                    break
            directory = _parent(directory)
    return found
