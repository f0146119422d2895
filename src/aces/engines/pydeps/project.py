"""Python projects of a repository, their own modules and the names that are theirs.

A project root is a directory holding ``pyproject.toml``, ``setup.py``,
``setup.cfg``, a ``Pipfile`` or a ``requirements*.txt``. Its packages are the directories with
an ``__init__.py`` directly below the root or below ``root/src``; its runtime
modules are their ``.py`` files, tests left out (``tests`` / ``test`` folders,
``test_*.py``, ``*_test.py``, ``conftest.py``). A file belongs to the nearest
root above it. Local names are every module stem and package folder name of the
repository: importing one of those is never a missing dependency.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

_MANIFEST = re.compile(
    r"(?:^|/)(pyproject\.toml|setup\.py|setup\.cfg|Pipfile|requirements[^/]*\.txt)$"
)
_TEST_DIRS = frozenset({"tests", "test"})


@dataclass(frozen=True)
class Project:
    """A project root, its manifests (with those of enclosing roots) and runtime modules."""

    root: str
    manifests: tuple[str, ...]
    modules: tuple[str, ...]


def find_projects(files: Sequence[str]) -> list[Project]:
    """Every project with at least one runtime module, by root."""
    manifests: dict[str, list[str]] = {}
    for path in files:
        if _MANIFEST.search(path):
            manifests.setdefault(posixpath.dirname(path), []).append(path)
        elif (
            path.endswith(".txt") and posixpath.basename(posixpath.dirname(path)) == "requirements"
        ):
            manifests.setdefault(posixpath.dirname(posixpath.dirname(path)), []).append(path)
    roots = sorted(manifests)
    file_set = frozenset(files)
    projects = []
    for root in roots:
        packages = _packages(root, file_set)
        modules = tuple(
            p
            for p in sorted(files)
            if p.endswith(".py")
            and any(p.startswith(f"{pkg}/") for pkg in packages)
            and _nearest(p, roots) == root
            and not _is_test(p)
        )
        if modules:
            enclosing = [r for r in roots if r == "" or root == r or root.startswith(f"{r}/")]
            owned = tuple(sorted(m for r in enclosing for m in manifests[r]))
            projects.append(Project(root, owned, modules))
    return projects


def _packages(root: str, files: frozenset[str]) -> list[str]:
    found = []
    for base in (root, posixpath.join(root, "src") if root else "src"):
        prefix = f"{base}/" if base else ""
        for path in files:
            rest = path[len(prefix) :] if path.startswith(prefix) else None
            if rest is not None and rest.count("/") == 1 and rest.endswith("/__init__.py"):
                found.append(prefix + rest.split("/")[0])
    return sorted(found)


def _nearest(path: str, roots: Sequence[str]) -> str:
    best = ""
    for root in roots:
        if (root == "" or path.startswith(f"{root}/")) and len(root) >= len(best):
            best = root
    return best


def _is_test(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return True
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def local_names(files: Sequence[str]) -> frozenset[str]:
    """Module stems and folder names holding Python files, lower-cased."""
    names: set[str] = set()
    for path in files:
        if path.endswith((".py", ".pyi", ".so", ".pyd")):
            parts = path.split("/")
            names.add(parts[-1].split(".")[0].lower())
            names.update(p.lower() for p in parts[:-1])
    return frozenset(names)
