"""Which ruff configuration lints which Python file, and for which Python version.

ruff is run with the repository's own configuration, never with one found above
the repository: each Python file is linted with the nearest configuration in its
directory or an ancestor up to the repository root (in one directory ruff's own
order: ``.ruff.toml``, ``ruff.toml``, then ``pyproject.toml`` holding
``[tool.ruff]``), passed explicitly with ``--config``. A file with none is linted
with ACES's default configuration: ruff's defaults, ``--isolated`` (nothing
discovered), with ``target-version`` set from the nearest ``requires-python``.

The Python version matters: ruff's rules and syntax checks differ per version
(``UP017`` asks for ``datetime.UTC``, which Python 3.10 lacks). When the chosen
configuration sets no ``target-version``, it comes from ``requires-python``
(``>=3.10`` -> ``py310``: the lowest version the project supports) of the
``pyproject.toml`` beside the configuration (or, for the default, nearest above
the file, the nearest ``pyproject.toml`` deciding).

A project with no ruff configuration may still format with black: ruff's formatter
is black's, so the default formatter takes black's settings from that same ``pyproject.toml``
(``[tool.black]`` ``line-length``, ``skip-string-normalization``,
``skip-magic-trailing-comma``). A file black leaves alone is not reported as
unformatted because ruff's default line is shorter than the project's.

On top of any configuration, the doctrine's required rules are selected with
``--extend-select`` (added, never in place of the project's selection): errors
that are bugs in any project, whatever its style choices: syntax errors
(``E9``), comparisons that are always wrong (``F63``), misplaced statements
(``F7``) and undefined names (``F82``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from aces.errors import InputError

REQUIRED_RULES: tuple[str, ...] = ("E9", "F63", "F7", "F82")
CONFIG_NAMES: tuple[str, ...] = (".ruff.toml", "ruff.toml", "pyproject.toml")
# The Python versions ruff knows as target versions (py37 .. py314).
MIN_MINOR, MAX_MINOR = 7, 14
MAX_LINE = 320  # ruff's largest line-length
_LOWER_BOUND = re.compile(r"(?:>=|~=|==|>)\s*3\.(\d+)")


@dataclass(frozen=True)
class RuffSetup:
    """One ruff invocation's configuration and the files it lints.

    ``config`` is the workspace path of the project's configuration, or None for
    ACES's default; ``target_version`` (``py310``) is passed when the
    configuration sets none and ``requires-python`` says which; ``settings`` are
    the project's black settings in ruff's spelling, given with ACES's default only.
    """

    config: str | None
    target_version: str | None
    files: tuple[str, ...]
    settings: tuple[str, ...] = ()


def target_from_requires(spec: str) -> str | None:
    """The ruff target version of a ``requires-python`` specifier: its lowest 3.x bound."""
    minors = [int(m) for m in _LOWER_BOUND.findall(spec)]
    if not minors:
        return None
    return f"py3{min(max(min(minors), MIN_MINOR), MAX_MINOR)}"


class ConfigFinder:
    """Finds each directory's ruff configuration, reading each candidate file once.

    ``exists`` and ``read_text`` see only the workspace, so nothing above the
    repository root is ever read.
    """

    def __init__(self, exists: Callable[[str], bool], read_text: Callable[[str], str]) -> None:
        self._exists = exists
        self._read = read_text
        self._tables: dict[str, dict[str, object] | None] = {}

    def plan(self, files: Iterable[str]) -> tuple[RuffSetup, ...]:
        """The files grouped by configuration and target version, in a stable order."""
        groups: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
        for path in files:
            directory = str(PurePosixPath(path).parent).strip(".")
            config = self.nearest_config(directory)
            target = self.target_version(config, directory)
            settings = self.black_settings(directory) if config is None else ()
            groups.setdefault((config or "", target or "", settings), []).append(path)
        return tuple(
            RuffSetup(config or None, target or None, tuple(sorted(paths)), settings)
            for (config, target, settings), paths in sorted(groups.items())
        )

    def black_settings(self, directory: str) -> tuple[str, ...]:
        """The nearest project's black settings as ruff settings (none without black)."""
        for folder in _ancestors(directory):
            pyproject = f"{folder}/pyproject.toml" if folder else "pyproject.toml"
            table = self._table(pyproject)
            if table is not None:  # the nearest project decides, as for the version
                return _as_ruff_settings(_tool_table(table, "black") or {})
        return ()

    def nearest_config(self, directory: str) -> str | None:
        """The ruff configuration that applies in ``directory`` ('' root), or None."""
        for folder in _ancestors(directory):
            for name in CONFIG_NAMES:
                path = f"{folder}/{name}" if folder else name
                table = self._table(path)
                if table is not None and (
                    name != "pyproject.toml" or _ruff_table(table) is not None
                ):
                    return path
        return None

    def target_version(self, config: str | None, directory: str) -> str | None:
        """``pyXY`` to pass, or None when the configuration sets its own (or nothing says)."""
        if config is not None:
            table = self._table(config) or {}
            own = _ruff_table(table) if config.endswith("pyproject.toml") else table
            if isinstance(own, dict) and "target-version" in own:
                return None
            folder = str(PurePosixPath(config).parent).strip(".")
            return self._requires(f"{folder}/pyproject.toml" if folder else "pyproject.toml")
        for folder in _ancestors(directory):
            pyproject = f"{folder}/pyproject.toml" if folder else "pyproject.toml"
            if self._table(pyproject) is not None:  # the nearest project decides
                return self._requires(pyproject)
        return None

    def _requires(self, pyproject: str) -> str | None:
        project = (self._table(pyproject) or {}).get("project")
        spec = project.get("requires-python") if isinstance(project, dict) else None
        return target_from_requires(spec) if isinstance(spec, str) else None

    def _table(self, path: str) -> dict[str, object] | None:
        """The parsed TOML of a workspace file, None when absent; bad TOML is bad input."""
        if path not in self._tables:
            if not self._exists(path):
                self._tables[path] = None
            else:
                try:
                    self._tables[path] = tomllib.loads(self._read(path))
                except tomllib.TOMLDecodeError as exc:
                    raise InputError(
                        f"not valid TOML, so its ruff settings cannot be read: {exc}",
                        path=path,
                        hint="fix the file",
                    ) from exc
        return self._tables[path]


def _ruff_table(pyproject: dict[str, object]) -> dict[str, object] | None:
    return _tool_table(pyproject, "ruff")


def _tool_table(pyproject: dict[str, object], name: str) -> dict[str, object] | None:
    tool = pyproject.get("tool")
    table = tool.get(name) if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def _as_ruff_settings(black: dict[str, object]) -> tuple[str, ...]:
    """``[tool.black]`` in ruff's ``--config`` spelling; a value of another type is ignored."""
    settings: list[str] = []
    length = black.get("line-length")
    if isinstance(length, int) and not isinstance(length, bool) and 0 < length <= MAX_LINE:
        settings.append(f"line-length = {length}")
    if black.get("skip-string-normalization") is True:
        settings.append("format.quote-style = 'preserve'")
    if black.get("skip-magic-trailing-comma") is True:
        settings.append("format.skip-magic-trailing-comma = true")
    return tuple(settings)


def _ancestors(directory: str) -> list[str]:
    """``directory`` and each ancestor up to the root ('')."""
    parts = [p for p in directory.split("/") if p]
    return ["/".join(parts[:depth]) for depth in range(len(parts), -1, -1)]
