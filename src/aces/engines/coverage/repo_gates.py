"""Coverage gates a repository configures for itself, read from its configuration files.

A repository may enforce its own coverage floor: Codecov's
``coverage.status.project.<name>.target``, coverage.py's ``fail_under`` (in
``[tool.coverage.report]`` of ``pyproject.toml``, ``[report]`` of
``.coveragerc``, ``[coverage:report]`` of ``setup.cfg``/``tox.ini``), or a
``--cov-fail-under=N`` / ``--fail-under=N`` option on a command line (pytest
``addopts``, tox, CI workflows, Makefiles). Each is a ``RepoGate`` at its
file and line; the stage compares it with the doctrine's floor.

Pure functions over file texts; lines are scanned (TOML, INI and YAML alike)
so that every gate keeps its line number.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

CODECOV_FILES = frozenset({"codecov.yml", "codecov.yaml", ".codecov.yml", ".codecov.yaml"})
# Sections whose ``fail_under`` is coverage.py's, per file name.
REPORT_SECTIONS: dict[str, frozenset[str]] = {
    "pyproject.toml": frozenset({"tool.coverage.report"}),
    ".coveragerc": frozenset({"report"}),
    "setup.cfg": frozenset({"coverage:report"}),
    "tox.ini": frozenset({"coverage:report"}),
}
COMMAND_FILE_NAMES = frozenset(
    {"pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "Makefile", "noxfile.py"}
)
COMMAND_SUFFIXES = (".yml", ".yaml", ".sh", ".mk")
SECTION = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+\s*$")
FAIL_UNDER_KEY = re.compile(r"^\s*fail_under\s*[=:]\s*['\"]?(\d+(?:\.\d+)?)")
FAIL_UNDER_OPTION = re.compile(r"--(?:cov-)?fail-under[=\s]+['\"]?(\d+(?:\.\d+)?)")
YAML_KEY = re.compile(r"^(\s*)([A-Za-z0-9_.-]+)\s*:\s*(.*?)\s*$")
TARGET = re.compile(r"^['\"]?(\d+(?:\.\d+)?)%?['\"]?$")


@dataclass(frozen=True)
class RepoGate:
    """A coverage floor the repository sets itself: where, how much, in what form."""

    path: str
    line: int
    percent: float
    form: str  # e.g. "fail_under", "--cov-fail-under", "codecov project target"


def is_gate_file(path: str) -> bool:
    """Whether ``path`` is a file that may configure a coverage gate."""
    name = posixpath.basename(path)
    return (
        name in CODECOV_FILES
        or name in REPORT_SECTIONS
        or name in COMMAND_FILE_NAMES
        or (path.startswith(".github/workflows/") and name.endswith(COMMAND_SUFFIXES))
        or name.endswith(".mk")
    )


def repo_gates(path: str, text: str) -> tuple[RepoGate, ...]:
    """The coverage gates one configuration file sets."""
    name = posixpath.basename(path)
    lines = text.splitlines()
    found: list[RepoGate] = []
    if name in CODECOV_FILES:
        found.extend(_codecov_targets(path, lines))
    sections = REPORT_SECTIONS.get(name)
    if sections:
        found.extend(_fail_under_keys(path, lines, sections))
    found.extend(_options(path, lines))
    return tuple(sorted(found, key=lambda gate: (gate.line, gate.form)))


def _options(path: str, lines: list[str]) -> Iterator[RepoGate]:
    for number, line in enumerate(lines, 1):
        for match in FAIL_UNDER_OPTION.finditer(line):
            form = "--cov-fail-under" if "cov-" in match.group(0) else "--fail-under"
            yield RepoGate(path, number, float(match.group(1)), form)


def _fail_under_keys(path: str, lines: list[str], sections: frozenset[str]) -> Iterator[RepoGate]:
    current = ""
    for number, line in enumerate(lines, 1):
        header = SECTION.match(line)
        if header:
            current = header.group(1).strip().strip("\"'")
            continue
        key = FAIL_UNDER_KEY.match(line)
        if key and current in sections:
            yield RepoGate(path, number, float(key.group(1)), "fail_under")


def _codecov_targets(path: str, lines: list[str]) -> Iterator[RepoGate]:
    """``target`` values under ``coverage.status.project`` (keys tracked by indentation)."""
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = YAML_KEY.match(line)
        if match is None:
            continue
        indent, key, value = len(match.group(1)), match.group(2), match.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        keys = [k for _, k in stack]
        if key == "target" and keys[:3] == ["coverage", "status", "project"]:
            target = TARGET.match(value.split("#", 1)[0].strip())
            if target:  # "auto" compares with the base commit: not a floor
                yield RepoGate(path, number, float(target.group(1)), "codecov project target")
        stack.append((indent, key))
