"""Nested projects: directories below the root that hold their own ``aces.toml``.

A monorepo keeps several projects in one repository, each with its own policy. As
monorepo tools do (a nested Cargo workspace, a package with its own build file), a
directory below the workspace root holding an ``aces.toml`` is a separate project:
the outer run does not judge its files by the outer policy (spec locations, change
classes, proto roots, lint settings would all be the wrong ones). Its files leave
the outer run's file set and its changes leave the outer Change; the run says which
projects it left to their own policy, so each is checked by its own ``aces run``.

A leaked credential is a leak wherever it sits, so the secret scan still reads the
nested projects' files (``Workspace.all_files``, ``Change.nested``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

POLICY_FILE = "aces.toml"


def nested_projects(files: Iterable[str], policy_dir: str = "") -> tuple[str, ...]:
    """The outermost directories below the root holding an ``aces.toml``, sorted.

    ``policy_dir`` is the directory of the policy file in force when it lies below the
    root (``--policy config/aces.toml``, or a root ``aces.toml`` linking there): that
    file is this project's policy, so its directory is no nested project.
    """
    dirs = sorted(
        {
            posixpath.dirname(path)
            for path in files
            if posixpath.basename(path) == POLICY_FILE and "/" in path
        }
        - {policy_dir}
    )
    outermost: list[str] = []
    for directory in dirs:  # sorted: a parent comes before every directory below it
        if not any(directory.startswith(parent + "/") for parent in outermost):
            outermost.append(directory)
    return tuple(outermost)


def project_of(path: str, projects: tuple[str, ...]) -> str | None:
    """The nested project holding ``path``, or None when it belongs to the outer one."""
    for project in projects:
        if path.startswith(project + "/"):
            return project
    return None


def note(projects: tuple[str, ...]) -> str:
    """What a report says of the nested projects it left to their own policy."""
    listed = ", ".join(projects)
    return (
        f"nested projects with their own {POLICY_FILE}, left to their own policy "
        f"(check each with `aces run <dir>`; only the secret scan reads them here): {listed}"
    )
