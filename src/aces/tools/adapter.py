"""The fixed shape of a tool adapter, and the two kinds every external tool fits.

An adapter says which stages need the tool, how to find it, how to ask its
version and read the answer, how to install it, and whether a found version
satisfies the policy's pin. ``ExecutableTool`` covers programs (found by
``aces.tools.resolve``: ``.tools/`` first, then PATH); ``PythonModuleTool`` covers
tools that are Python packages used through the interpreter running ACES. Version parsing and
comparison are pure functions, tested on recorded output.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from aces.errors import ToolError


class VersionCheck(StrEnum):
    """How a found version compares with the policy's pin."""

    OK = "ok"
    MISMATCH = "version mismatch"
    NOT_PINNED = "not pinned"


@runtime_checkable
class ToolAdapter(Protocol):
    """The slots every external tool exposes (see the catalog for the registry)."""

    @property
    def name(self) -> str:
        """Stable name, also the key of ``[toolchain]`` in ``aces.toml``."""

    @property
    def stages(self) -> tuple[int, ...]:
        """Stage numbers whose checks need this tool."""

    @property
    def install_hint(self) -> str:
        """The command that installs the tool (apt, npm, pip, rustup, ...)."""

    @property
    def optional(self) -> bool:
        """True when checks only use the tool if present (never blocks ``aces doctor``)."""

    def find(self, search_path: Sequence[Path]) -> Path | None:
        """Where the tool is, searching ``search_path`` in order; None when missing."""

    def version_argv(self, executable: Path) -> tuple[str, ...]:
        """The command that prints the version of the tool found at ``executable``."""

    def parse_version(self, text: str) -> str:
        """The version in the output of ``version_argv``; ``ToolError`` if absent."""

    def check_version(self, found: str, pinned: str | None) -> VersionCheck:
        """Whether ``found`` satisfies the pin (None: the policy pins nothing)."""


def find_executable(names: Sequence[str], dirs: Sequence[Path]) -> Path | None:
    """The first executable file named one of ``names``; names in order, then dirs."""
    for name in names:
        for directory in dirs:
            candidate = directory / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    return None


def parse_version_with(pattern: re.Pattern[str], tool: str, text: str) -> str:
    """The ``version`` group of the first match of ``pattern`` in ``text``."""
    match = pattern.search(text)
    if match is None:
        first = text.strip().splitlines()[0] if text.strip() else "(no output)"
        raise ToolError(
            f"cannot read the version of {tool} from its output: {first[:200]!r}",
            hint=f"check that `{tool}` on PATH is the expected program",
        )
    return match.group("version")


def normalize_version(version: str) -> str:
    """A version without surrounding space or a leading ``v`` (``v2.9.10`` -> ``2.9.10``)."""
    text = version.strip()
    return text[1:] if text[:1] in ("v", "V") and text[1:2].isdigit() else text


def versions_match(found: str, pinned: str) -> bool:
    """True when ``found`` equals ``pinned`` or extends it by whole components.

    A pin of ``15`` accepts ``15.5``; a pin of ``1.7`` accepts ``1.7.3`` but
    not ``1.75.0``: the comparison is per dotted component, never per character.
    """
    found_parts = normalize_version(found).split(".")
    pinned_parts = normalize_version(pinned).split(".")
    return found_parts[: len(pinned_parts)] == pinned_parts


def compare_to_pin(found: str, pinned: str | None) -> VersionCheck:
    """The ``VersionCheck`` of ``found`` against an optional pin."""
    if pinned is None or not pinned.strip():
        return VersionCheck.NOT_PINNED
    return VersionCheck.OK if versions_match(found, pinned) else VersionCheck.MISMATCH


@dataclass(frozen=True)
class ExecutableTool:
    """A program found by file name; version read by a regex over its version output.

    ``executables`` are alternatives tried in order (``valkey-server`` then
    ``redis-server``); ``companions`` must sit next to the one found (the
    ``postgres`` server needs ``initdb`` beside it). ``via`` names the program and
    sub-command that really run the tool (clippy runs as ``cargo clippy``): its
    version is asked of that command, so the version checked is the one that runs.
    ``default_pin`` is the version required when the policy pins none: ACES reads
    that version's output (zizmor's audit ids), so another one is not trusted unpinned.
    """

    name: str
    stages: tuple[int, ...]
    install_hint: str
    version_pattern: str
    executables: tuple[str, ...] = ()
    version_args: tuple[str, ...] = ("--version",)
    companions: tuple[str, ...] = ()
    optional: bool = False
    via: tuple[str, ...] = ()
    default_pin: str | None = None
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.version_pattern, re.MULTILINE))

    @property
    def names(self) -> tuple[str, ...]:
        """File names to look for (the tool's own name unless ``executables`` is set)."""
        return self.executables or (self.name,)

    def find(self, search_path: Sequence[Path]) -> Path | None:
        """The first of ``names`` found whose companions are beside it."""
        for name in self.names:
            for directory in search_path:
                found = find_executable((name,), (directory,))
                if found is not None and self._has_companions(directory):
                    return found
        return None

    def _has_companions(self, directory: Path) -> bool:
        return all(find_executable((c,), (directory,)) for c in self.companions)

    def version_argv(self, executable: Path) -> tuple[str, ...]:
        """``<executable> --version`` (or the tool's own version flag)."""
        return (str(executable), *self.version_args)

    def parse_version(self, text: str) -> str:
        """The version from the tool's version output."""
        return parse_version_with(self._compiled, self.name, text)

    def check_version(self, found: str, pinned: str | None) -> VersionCheck:
        """Compare with the pin by whole dotted components."""
        return compare_to_pin(found, pinned)


@dataclass(frozen=True)
class PythonModuleTool:
    """A tool that is a Python package, used through the interpreter running ACES.

    It is found when ``module`` is importable there; ``version_args`` are run
    with that interpreter (``python -m grpc_tools.protoc --version``).
    """

    name: str
    stages: tuple[int, ...]
    install_hint: str
    module: str
    version_args: tuple[str, ...]
    version_pattern: str = r"^(?P<version>\d[\w.+-]*)\s*$"
    optional: bool = False
    interpreter: Path = field(default_factory=lambda: Path(sys.executable))
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.version_pattern, re.MULTILINE))

    def find(self, search_path: Sequence[Path]) -> Path | None:
        """The interpreter running ACES when it can import ``module``; PATH is irrelevant."""
        del search_path
        if importlib.util.find_spec(self.module.split(".")[0]) is None:
            return None
        return self.interpreter

    def version_argv(self, executable: Path) -> tuple[str, ...]:
        """``<python> <version_args...>``."""
        return (str(executable), *self.version_args)

    def parse_version(self, text: str) -> str:
        """The version from the module's version output."""
        return parse_version_with(self._compiled, self.name, text)

    def check_version(self, found: str, pinned: str | None) -> VersionCheck:
        """Compare with the pin by whole dotted components."""
        return compare_to_pin(found, pinned)


def distribution_version_args(distribution: str) -> tuple[str, ...]:
    """Interpreter arguments that print the installed version of a Python distribution."""
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    return ("-c", code)
