"""Runtime imports of a Python project that its manifests do not declare.

``undeclared_imports`` takes the repository's files and a reader and returns one
``Undeclared`` per (project, imported top-level module) that no declared
distribution provides, is not in the standard library and is not the
repository's own. Pure: no installation is inspected.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aces.engines.pydeps.declared import (
    Declared,
    from_pipfile,
    from_pyproject,
    from_setup_cfg,
    from_setup_py,
    requirement_names,
)
from aces.engines.pydeps.imports import Import, runtime_imports
from aces.engines.pydeps.names import import_names
from aces.engines.pydeps.project import Project, find_projects, local_names

__all__ = ["Undeclared", "declared_of", "undeclared_imports"]

_STDLIB = frozenset(n.lower() for n in sys.stdlib_module_names)


@dataclass(frozen=True, order=True)
class Undeclared:
    """A module imported at ``path:line:column`` (and ``count`` places in all) that no
    manifest of the project declares."""

    path: str
    line: int
    column: int
    module: str
    count: int
    manifests: tuple[str, ...]


def declared_of(manifests: Sequence[str], read_text: Callable[[str], str]) -> Declared:
    """What the manifests declare together; unknown when none of them declares anything."""
    names: set[str] = set()
    known = False
    for path in manifests:
        text = read_text(path)
        name = posixpath.basename(path)
        if name.endswith(".txt"):
            found: Declared | None = Declared(frozenset(requirement_names(text.splitlines())), True)
        elif name == "pyproject.toml":
            found = from_pyproject(text)
        elif name == "setup.cfg":
            found = from_setup_cfg(text)
        elif name == "Pipfile":
            found = from_pipfile(text)
        else:
            found = from_setup_py(text)
        if found is None:
            continue
        if not found.known:
            return Declared(frozenset(), known=False)
        names |= found.names
        known = True
    return Declared(frozenset(names), known)


def undeclared_imports(files: Sequence[str], read_text: Callable[[str], str]) -> list[Undeclared]:
    """Every undeclared third-party import of every project, at its first use."""
    local = local_names(files)
    found: list[Undeclared] = []
    for project in find_projects(files):
        declared = declared_of(project.manifests, read_text)
        if declared.known:
            found.extend(_project(project, declared, local, read_text))
    return sorted(found)


def _project(
    project: Project, declared: Declared, local: frozenset[str], read_text: Callable[[str], str]
) -> list[Undeclared]:
    provided = frozenset().union(*(import_names(d) for d in declared.names))
    uses: dict[str, list[tuple[str, Import]]] = {}
    for path in project.modules:
        for imported in runtime_imports(read_text(path)):
            top = imported.top.lower()
            if top in _STDLIB or top in local or top in provided:
                continue
            uses.setdefault(imported.top, []).append((path, imported))
    return [
        Undeclared(path, first.line, first.column, module, len(places), project.manifests)
        for module, places in uses.items()
        for path, first in places[:1]
    ]
