"""Toolchain and CI pins: exact versions, and actions pinned to a full commit SHA.

Exact means one release: ``1.95.0``, a dated nightly ``nightly-2026-01-15``,
``1.17.3-otp-27``. Not exact: a channel (``stable``, ``beta``, ``nightly``,
``latest``, ``lts``, ``system``), a partial version (``1.95``, ``3``), a range
(``^1.2``, ``>=3.11``, ``1.x``). A GitHub Actions ``uses:`` must name a 40-hex
commit (a tag or branch can be moved); local ``./`` actions are part of the
repository, and ``docker://`` images must carry a sha256 digest.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from aces.engines.supply.lockfiles import refuse_conflicts
from aces.errors import InputError
from aces.nesting import parse_bounded

_EXACT = re.compile(r"\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.+-]+)?")
_DATED = re.compile(r"(?:stable|beta|nightly)-\d{4}-\d{2}-\d{2}(?:-[0-9A-Za-z_-]+)?")
_PREFIXED = re.compile(r"[A-Za-z][A-Za-z0-9_]*-\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.+-]+)?")
_SHA = re.compile(r"[0-9a-f]{40}")
RUST_TOOLCHAIN_FILES = ("rust-toolchain.toml", "rust-toolchain")


@dataclass(frozen=True)
class Pin:
    """A toolchain pin that is not exact: where, which tool, and its value."""

    path: str
    line: int
    tool: str
    value: str


def is_exact(version: str) -> bool:
    """Whether ``version`` names exactly one release."""
    if version.startswith("ref:"):
        return bool(_SHA.fullmatch(version[4:]))
    return bool(
        _EXACT.fullmatch(version) or _DATED.fullmatch(version) or _PREFIXED.fullmatch(version)
    )


def _line(text: str, pattern: str) -> int:
    """1-based line of the first match of ``pattern`` (MULTILINE), else 1."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def rust_toolchain_pin(path: str, text: str) -> tuple[str, int]:
    """The channel a rust-toolchain(.toml) file selects, and its line."""
    refuse_conflicts(path, text)
    stripped = text.strip()
    if path.endswith(".toml") or stripped.startswith("["):
        try:
            data = parse_bounded(tomllib.loads, text, path, "toml")
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML: {exc}", path=path, hint="fix the file") from exc
        table = data.get("toolchain")
        channel = table.get("channel") if isinstance(table, dict) else None
        if not isinstance(channel, str):
            return "", _line(text, r"^[ \t]*\[toolchain\]")
        return channel, _line(text, r"^[ \t]*channel\s*=")
    return stripped, _line(text, r"\S")


def nearest_rust_toolchain(directory: str, exists: Callable[[str], bool]) -> str | None:
    """The rust-toolchain file rustup applies in ``directory`` ('' or ending in '/').

    rustup looks in the directory and then in each ancestor: one file at a
    workspace root pins every crate below it. Within a directory the legacy
    ``rust-toolchain`` wins over ``rust-toolchain.toml``, as rustup reads it.
    The search stops at the repository root (``exists`` sees only the workspace).
    """
    parts = directory.strip("/").split("/") if directory.strip("/") else []
    for depth in range(len(parts), -1, -1):
        prefix = "".join(f"{part}/" for part in parts[:depth])
        for name in ("rust-toolchain", "rust-toolchain.toml"):
            if exists(prefix + name):
                return prefix + name
    return None


def tool_versions_pins(path: str, text: str) -> Iterator[Pin]:
    """Entries of an asdf ``.tool-versions`` whose version is not exact."""
    refuse_conflicts(path, text)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        tool, *versions = line.split()
        if not versions:
            yield Pin(path, number, tool, "")
            continue
        for version in versions:
            if not is_exact(version):
                yield Pin(path, number, tool, version)


def mise_pins(path: str, text: str) -> Iterator[Pin]:
    """``[tools]`` entries of a mise.toml whose version is not exact."""
    refuse_conflicts(path, text)
    try:
        data = parse_bounded(tomllib.loads, text, path, "toml")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path, hint="fix the file") from exc
    tools = data.get("tools")
    if not isinstance(tools, dict):
        return
    for tool, spec in tools.items():
        line = _line(text, rf'^[ \t]*"?{re.escape(tool)}"?\s*=')
        for version in _mise_versions(spec):
            if not is_exact(version):
                yield Pin(path, line, tool, version)


def _mise_versions(spec: object) -> list[str]:
    """The version strings of one mise tool entry (string, list or table)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, list):
        return [v for item in spec for v in _mise_versions(item)]
    if isinstance(spec, dict):
        return _mise_versions(spec.get("version", ""))
    return [str(spec)]
