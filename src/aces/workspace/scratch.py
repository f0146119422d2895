"""Scratch directories (base versions, build copies, temp files) that no outside config reaches.

Tools look for their configuration in the directory they run in and in every ancestor:
cargo reads each ``.cargo/config.toml`` up to ``/``, buf and ruff look for ``buf.yaml``
and ``ruff.toml``/``pyproject.toml``, editors and formatters for ``.editorconfig``. A base
version checked out under a temp directory whose ancestor holds such a file would be
built or linted with a configuration the repository never had. Scratch directories
are therefore made under the first temp location none of whose ancestors holds one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from aces.errors import InputError

# Files by which a tool run in a directory below picks up configuration it was not given.
TOOL_CONFIG_FILES = (
    ".cargo/config.toml",
    ".cargo/config",
    "rust-toolchain.toml",
    "rust-toolchain",
    "rustfmt.toml",
    ".rustfmt.toml",
    "clippy.toml",
    ".clippy.toml",
    "buf.yaml",
    "buf.work.yaml",
    "ruff.toml",
    ".ruff.toml",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    ".editorconfig",
    ".formatter.exs",
    ".credo.exs",
)
FALLBACK_PARENTS = ("/tmp", "/var/tmp", "/dev/shm")


def config_above(directory: Path) -> Path | None:
    """The first tool configuration file in ``directory`` or one of its ancestors, or None."""
    resolved = directory.resolve()
    for folder in (resolved, *resolved.parents):
        for name in TOOL_CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def scratch_parent(candidates: Sequence[str] | None = None) -> Path:
    """The temp location scratch directories are made in: no tool config above it.

    Tried in order: the system's temp directory (``TMPDIR``), then /tmp, /var/tmp,
    /dev/shm. InputError naming the offending file when every one has config above it.
    """
    tried = [tempfile.gettempdir(), *FALLBACK_PARENTS] if candidates is None else candidates
    found: list[str] = []
    for text in dict.fromkeys(tried):
        path = Path(text)
        if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
            continue
        config = config_above(path)
        if config is None:
            return path
        found.append(str(config))
    raise InputError(
        "no temp directory is free of tool configuration: "
        + (", ".join(found) if found else "none is writable"),
        hint="set TMPDIR to a directory with no .cargo/, buf.yaml, ruff.toml, pyproject.toml, "
        ".editorconfig above it",
    )


def make_scratch(prefix: str) -> Path:
    """A new empty scratch directory (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_parent()))
