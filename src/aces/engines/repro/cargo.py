"""What a Cargo build needs to be reproducible when ACES runs it.

``--locked`` (the lockfile is the truth), ``--offline`` (no registry answer can
change the build) and ``--remap-path-prefix`` through ``RUSTFLAGS`` (its encoded
form, so the build directory never reaches the artifact). ``RUSTFLAGS`` replaces the
``build.rustflags`` of ``.cargo/config.toml``, so those are read and kept.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from aces.engines.repro.variants import program_name
from aces.errors import InputError
from aces.nesting import parse_bounded

REMAPPED_ROOT = "/aces/build"  # what the build directory is remapped to
_BUILDING = frozenset({"build", "rustc", "test", "bench", "doc", "install", "check"})
_CONFIG_FILES = (".cargo/config.toml", ".cargo/config")


def is_cargo_build(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is a Cargo command that compiles."""
    return program_name(argv) == "cargo" and bool(set(argv[1:]) & _BUILDING)


def cargo_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """``argv`` with ``--locked`` and ``--offline`` added when missing (before any ``--``)."""
    if not is_cargo_build(argv):
        return tuple(argv)
    extra = [flag for flag in ("--locked", "--offline") if flag not in argv]
    args = list(argv)
    cut = args.index("--") if "--" in args else len(args)
    return (*args[:cut], *extra, *args[cut:])


def config_rustflags(root: Path) -> tuple[str, ...]:
    """``build.rustflags`` of the tree's Cargo config (array or space-separated string)."""
    for rel in _CONFIG_FILES:
        path = root / rel
        if not path.is_file():
            continue
        try:
            data = parse_bounded(tomllib.loads, path.read_text(encoding="utf-8"), rel, "toml")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot parse Cargo config: {exc}", path=rel) from exc
        flags = data.get("build", {}).get("rustflags", ())
        if isinstance(flags, str):
            return tuple(flags.split())
        if isinstance(flags, list) and all(isinstance(f, str) for f in flags):
            return tuple(flags)
        raise InputError("build.rustflags is neither a string nor an array of strings", path=rel)
    return ()


def encoded_rustflags(root: Path) -> str:
    """``CARGO_ENCODED_RUSTFLAGS`` of a build in ``root``: the config's flags plus the remap.

    The encoded form of ``RUSTFLAGS`` (flags separated by 0x1f) keeps a build
    directory with a blank in its name in one flag.
    """
    flags = (*config_rustflags(root), f"--remap-path-prefix={root}={REMAPPED_ROOT}")
    return "\x1f".join(flags)
