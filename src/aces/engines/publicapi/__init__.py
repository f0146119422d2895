"""The public API a change touches, inferred from the code when the policy names none.

A changed file changes the public API when its public surface differs between the
base and the head version:

- **Rust**: the ``pub`` items (functions' signatures, structs' ``pub`` fields, enums,
  traits, types, constants, ``pub use`` re-exports, ``pub`` methods of ``impl`` blocks)
  of a library crate's modules reachable from ``src/lib.rs`` through ``pub mod`` (or
  re-exported with ``pub use``);
- **Python**: the names a public module exports (``__all__``, else every top-level name
  without a leading underscore; in a package's ``__init__.py`` its imports too): their
  signatures, classes' public methods and fields, not their bodies. A module is
  importable API when it belongs to a package (its folder holds ``__init__.py``) or
  sits at a source root (the repository root or ``src/``); a script in a folder of
  scripts (``scripts/ci/check.py``) is run, not imported, and has no API;
- **protobuf**: every ``.proto`` file of the product.

Bodies and private items are behaviour, not API; formatting is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from aces.engines.publicapi.python import is_public_module, python_surface
from aces.engines.publicapi.rust import public_rust_files, rust_surface

ReadText = Callable[[str], "str | None"]

__all__ = ["changed_public_api"]


def changed_public_api(
    changed: Iterable[str], files: Iterable[str], read_head: ReadText, read_base: ReadText
) -> tuple[str, ...]:
    """The changed paths whose public surface differs between base and head, sorted.

    ``changed`` are product paths of the Change, ``files`` every workspace file (for Rust
    module reachability); the readers return None for a file absent on that side.
    """
    paths = sorted(set(changed))
    public_rust = (
        public_rust_files(files, read_head) if any(_is(p, ".rs") for p in paths) else set()
    )
    packages = {str(PurePosixPath(f).parent) for f in files if _is_init(f)}
    found: list[str] = []
    for path in paths:
        if _is(path, ".proto"):
            found.append(path)
        elif _is(path, ".rs") and path in public_rust:
            if rust_surface(read_base(path)) != rust_surface(read_head(path)):
                found.append(path)
        elif (
            _is(path, ".py")
            and _importable(path, packages)
            and _python_changed(path, read_head, read_base)
        ):
            found.append(path)
    return tuple(found)


def _python_changed(path: str, read_head: ReadText, read_base: ReadText) -> bool:
    """Whether a public Python module's surface differs between base and head."""
    if not is_public_module(path):
        return False
    return python_surface(path, read_base(path)) != python_surface(path, read_head(path))


SOURCE_ROOTS = frozenset({".", "src"})


def _is_init(path: str) -> bool:
    return PurePosixPath(path).name == "__init__.py"


def _importable(path: str, packages: set[str]) -> bool:
    """Whether a Python file is a module of a package or of a source root, not a script."""
    folder = str(PurePosixPath(path).parent)
    return folder in packages or folder in SOURCE_ROOTS


def _is(path: str, suffix: str) -> bool:
    return PurePosixPath(path).suffix == suffix
