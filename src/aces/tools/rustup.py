"""rustup's proxies (``cargo``, ``rustc``, ...): never download, and say why they cannot run.

A rustup-managed ``cargo`` reads the ``rust-toolchain.toml`` (or
``rust-toolchain``) of its working directory and its parents. When that pinned
toolchain is not installed, rustup would download it; ACES sets
``RUSTUP_AUTO_INSTALL=0`` on every Rust invocation so it never does, and rustup
then prints ``error: toolchain '1.77.0-x86_64-unknown-linux-gnu' is not
installed`` and exits 1. ``explain_rustup_failure`` turns that output into one
``ToolError`` whose first line states the cause and the two ways out.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from aces.errors import ToolError

# rustup installs nothing on its own when this is 0 (rustup >= 1.28).
RUSTUP_ENV: Mapping[str, str] = {"RUSTUP_AUTO_INSTALL": "0"}
RUST_TOOLS = frozenset({"cargo", "clippy", "rustfmt", "rustc", "cargo-deny"})
PIN_FILES: tuple[str, ...] = ("rust-toolchain.toml", "rust-toolchain")
_NOT_INSTALLED = re.compile(r"toolchain '(?P<toolchain>[^']+)' is not installed")
_HOST_SUFFIX = re.compile(r"-(?:x86_64|aarch64|i686|armv7|arm|riscv64gc|powerpc64le|s390x)-.*$")


def pin_file(cwd: Path) -> Path | None:
    """The toolchain file rustup reads in ``cwd``: the nearest one in it or a parent."""
    for directory in (cwd, *cwd.parents):
        for name in PIN_FILES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def pinned_channel(path: Path) -> str | None:
    """The channel a toolchain file names (TOML ``[toolchain] channel``, or a bare line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        first = text.strip().splitlines()[0].strip() if text.strip() else ""
        return first or None
    table = data.get("toolchain")
    channel = table.get("channel") if isinstance(table, dict) else None
    return channel if isinstance(channel, str) else None


def explain_rustup_failure(tool: str, output: str, cwd: Path) -> ToolError | None:
    """The cause when ``output`` says rustup's pinned toolchain is missing; else None."""
    if tool not in RUST_TOOLS:
        return None
    match = _NOT_INSTALLED.search(output)
    if match is None:
        return None
    found = pin_file(cwd)
    channel = (pinned_channel(found) if found else None) or _HOST_SUFFIX.sub(
        "", match.group("toolchain")
    )
    if found is None:
        source = "RUSTUP_TOOLCHAIN or a rustup override"
    elif found.parent == cwd:
        source = found.name
    else:
        source = str(found)
    return ToolError(
        f"rust toolchain {channel} pinned by {source} is not installed; rustup cannot "
        f"download it offline — install it (rustup toolchain install {channel}) or change "
        "the pin",
    )
