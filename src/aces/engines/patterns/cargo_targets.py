"""Which Rust files are Cargo test targets and which are library or binary sources.

Whether Rust code is test code is a fact of the build, not of a path component:
a file under a crate's ``tests/`` or ``benches/`` directory (next to its
``Cargo.toml``) or named by a ``[[test]]`` / ``[[bench]]`` target is compiled
only for tests; a file under the crate's ``src/`` is part of the library or a
binary, whatever its directories are called (``src/net/tests/codec.rs``), and is
test code only when a ``#[cfg(test)]`` module declares it (see ``zones``).
"""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

_TEST_TARGET_DIRS = ("tests/", "benches/")
_TEST_TARGET_TABLES = ("test", "bench")


@dataclass(frozen=True)
class CargoTargets:
    """The crate directories of a project and the files its manifests name as test targets."""

    crate_dirs: frozenset[str] = frozenset()
    test_target_files: frozenset[str] = frozenset()

    def crate_of(self, path: str) -> str | None:
        """The directory of the nearest crate holding ``path`` ("" for the root), or None."""
        directory = posixpath.dirname(path)
        while True:
            if directory in self.crate_dirs:
                return directory
            if not directory:
                return None
            directory = posixpath.dirname(directory)

    def in_crate(self, path: str) -> str | None:
        """``path`` relative to its crate's directory, or None outside every crate."""
        crate = self.crate_of(path)
        if crate is None:
            return None
        return path[len(crate) + 1 :] if crate else path

    def is_test_target(self, path: str) -> bool:
        """Whether ``path`` is compiled only as a test or bench target."""
        if path in self.test_target_files:
            return True
        relative = self.in_crate(path)
        return relative is not None and relative.startswith(_TEST_TARGET_DIRS)

    def is_crate_source(self, path: str) -> bool:
        """Whether ``path`` lies under a crate's ``src/`` (library and binary code)."""
        relative = self.in_crate(path)
        return relative is not None and relative.startswith("src/")


def cargo_targets(manifests: Mapping[str, str]) -> CargoTargets:
    """The targets of every ``Cargo.toml`` (path -> text); an unreadable manifest names none.

    A manifest that does not parse is reported by the checks that read manifests;
    here its crate directory still counts, so its ``src/`` is judged as library code.
    """
    crates: set[str] = set()
    tests: set[str] = set()
    for path, text in manifests.items():
        directory = posixpath.dirname(path)
        crates.add(directory)
        tests.update(_declared_test_files(directory, text))
    return CargoTargets(frozenset(crates), frozenset(tests))


def _declared_test_files(directory: str, text: str) -> list[str]:
    """The ``path`` of each ``[[test]]`` and ``[[bench]]`` target of one manifest."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    found: list[str] = []
    for table in _TEST_TARGET_TABLES:
        entries = data.get(table, [])
        for entry in entries if isinstance(entries, list) else []:
            target = entry.get("path") if isinstance(entry, dict) else None
            if isinstance(target, str):
                found.append(posixpath.normpath(posixpath.join(directory, target)))
    return found
