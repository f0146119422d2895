"""The core libraries of a repository, inferred from its structure when the policy names none.

ACES III.5 holds core libraries to a line-coverage floor. Without ``[paths]
core_libraries`` the core is what the repository ships as libraries:

- **Python**: each top-level package of the product (a directory holding
  ``__init__.py`` whose parent does not), in a ``src/`` layout or anywhere else,
  gives ``<package>/**``;
- **Rust**: each library crate (a ``Cargo.toml`` next to ``src/lib.rs``) gives
  ``<crate>/src/**``.

Packages and crates under test, example, documentation, script or benchmark
directories (or any test-data directory, ``aces.workspace.roles``) are not core.
The result is a tuple of gitwildmatch globs, sorted, so that a check can state
what it inferred ("core libraries inferred: src/pkg/**, crates/x/src/**").
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from aces.workspace.roles import ROLE_DIRS, is_product

NOT_CORE_DIRS = ROLE_DIRS | frozenset(
    {"examples", "example", "scripts", "script", "benchmarks", "benchmark", "bench"}
)


@dataclass(frozen=True, order=True)
class CoreLibrary:
    """One inferred core library: the glob of its files and its language."""

    glob: str
    language: str  # "python" or "rust"


def infer_core_libraries(paths: Iterable[str]) -> tuple[CoreLibrary, ...]:
    """The Python packages and Rust library crates among ``paths`` (workspace files), sorted."""
    files = frozenset(paths)
    found = {CoreLibrary(f"{package}/**", "python") for package in python_packages(files)}
    found.update(
        CoreLibrary(posixpath.join(crate, "src/**"), "rust") for crate in rust_library_crates(files)
    )
    return tuple(sorted(found))


def python_packages(files: frozenset[str]) -> tuple[str, ...]:
    """Directories of the top-level Python packages of the product."""
    inits = {posixpath.dirname(p) for p in files if posixpath.basename(p) == "__init__.py"}
    top = (
        d
        for d in inits
        if d and posixpath.dirname(d) not in inits and _eligible(d) and is_product(d + "/x.py")
    )
    return tuple(sorted(top))


def rust_library_crates(files: frozenset[str]) -> tuple[str, ...]:
    """Directories of the Cargo packages that build a library (``src/lib.rs``)."""
    crates = (
        posixpath.dirname(p)
        for p in files
        if posixpath.basename(p) == "Cargo.toml"
        and posixpath.join(posixpath.dirname(p), "src", "lib.rs") in files
    )
    return tuple(sorted(c for c in crates if _eligible(c)))


def _eligible(directory: str) -> bool:
    """Not under a test, example, docs, script, benchmark or hidden directory."""
    parts = PurePosixPath(directory).parts
    return not any(part.lower() in NOT_CORE_DIRS or part.startswith(".") for part in parts)


def describe(globs: Iterable[str]) -> str:
    """The inferred core as the check states it."""
    listed = ", ".join(globs)
    return f"core libraries inferred: {listed}" if listed else "no core library inferred"
