"""Which Python projects of a repository get a pytest session of their own.

A repository may hold several Python projects: a root one and, below it, folders
with their own ``pyproject.toml`` / ``setup.py`` / ``setup.cfg`` / ``pytest.ini`` /
``tox.ini`` (a ``backend/`` service beside a root CLI). Each is tested the way
its own configuration says, from its own folder: in one session at the root, two
top-level packages of the same name (``src``) shadow each other and the tests of
one project fail to import the other's code. So each project that holds tests
runs in its folder, and a project above it leaves it out (``--ignore``). With no
such nested project, one session at the root runs everything, as before.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from aces.workspace.roles import TEST, role_of

MARKERS = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "pytest.ini", "tox.ini"})
_SKIPPED = frozenset({"node_modules", "vendor", "site-packages", "venv", "build", "dist"})


def python_projects(files: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(project folder, folders of nested projects it leaves out), one per pytest session."""
    paths = [p for p in files if _considered(p)]
    projects = {posixpath.dirname(p) for p in paths if posixpath.basename(p) in MARKERS}
    projects.add("")
    tested = {_owner(p, projects) for p in paths if p.endswith(".py") and role_of(p) == TEST}
    if not tested - {""}:
        return (("", ()),)
    return tuple(
        (project, tuple(sorted(_relative(o, project) for o in tested if _below(o, project))))
        for project in sorted(tested)
    )


def _considered(path: str) -> bool:
    """Not in a hidden folder (tool settings), a virtualenv or a vendored tree."""
    parts = path.split("/")[:-1]
    return not any(p.startswith(".") or p in _SKIPPED for p in parts)


def _owner(path: str, projects: set[str]) -> str:
    """The deepest project folder holding ``path``."""
    owner = ""
    for project in projects:
        if _below(path, project) and len(project) > len(owner):
            owner = project
    return owner


def _below(path: str, folder: str) -> bool:
    return path != folder and (folder == "" or path.startswith(f"{folder}/"))


def _relative(path: str, folder: str) -> str:
    return path[len(folder) + 1 :] if folder else path
