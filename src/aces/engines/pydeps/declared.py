"""The runtime dependencies a Python project declares, from its manifests.

Read: ``pyproject.toml`` (``[project] dependencies`` and ``optional-dependencies``,
Poetry's ``dependencies`` and ``extras``), ``requirements*.txt`` and
``requirements/*.txt`` beside it, ``setup.cfg`` (``install_requires``,
``extras_require``), ``setup.py`` (literal ``install_requires`` /
``extras_require``) and a ``Pipfile`` (``[packages]``). ``Declared.known`` is
False when the project's dependencies cannot be read from these (``dynamic``
dependencies with no requirements file, a ``setup.py`` that computes them): then
nothing is reported for it.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from aces.engines.pydeps.names import normalise

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRAS = re.compile(r"\s*\[([^\]]*)\]")


@dataclass(frozen=True)
class Declared:
    """Normalised distribution names, and whether the declarations could be read."""

    names: frozenset[str]
    known: bool


def requirement_names(lines: Iterable[str]) -> set[str]:
    """Distribution names of requirement lines (options, URLs and comments skipped)."""
    found: set[str] = set()
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http:", "https:", "file:")):
            continue
        match = _NAME.match(line)
        if match:
            found.add(normalise(match.group(1)))
            # an extra named after a package pulls that package in (passlib[bcrypt])
            extras = _EXTRAS.match(line, match.end())
            if extras:
                found.update(normalise(e) for e in extras.group(1).split(",") if e.strip())
    return found


def from_pyproject(text: str) -> Declared | None:
    """Declarations of a pyproject.toml; None when it declares no project at all."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return Declared(frozenset(), known=False)
    names: set[str] = set()
    project = data.get("project")
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(project, dict) and not isinstance(poetry, dict):
        return None
    if isinstance(project, dict):
        if "dependencies" in project.get("dynamic", ()):
            return Declared(frozenset(), known=False)
        names |= requirement_names(_strings(project.get("dependencies")))
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for group in optional.values():
                names |= requirement_names(_strings(group))
    if isinstance(poetry, dict):
        table = poetry.get("dependencies")
        if isinstance(table, dict):
            names |= {normalise(k) for k in table if k.lower() != "python"}
    return Declared(frozenset(names), known=True)


def from_pipfile(text: str) -> Declared:
    """The ``[packages]`` of a Pipfile (its ``[dev-packages]`` are not runtime)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return Declared(frozenset(), known=False)
    packages = data.get("packages")
    names = {normalise(k) for k in packages} if isinstance(packages, dict) else set()
    return Declared(frozenset(names), known=True)


def from_setup_cfg(text: str) -> Declared | None:
    """``[options] install_requires`` and ``[options.extras_require]``; None without them."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return Declared(frozenset(), known=False)
    if not parser.has_option("options", "install_requires"):
        return None
    names = requirement_names(parser.get("options", "install_requires").splitlines())
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            names |= requirement_names(value.splitlines())
    return Declared(frozenset(names), known=True)


def from_setup_py(text: str) -> Declared | None:
    """Literal ``install_requires`` / ``extras_require`` of ``setup(...)``; None without."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return Declared(frozenset(), known=False)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if "install_requires" not in keywords:
            continue
        try:
            install = ast.literal_eval(keywords["install_requires"])
            extras_node = keywords.get("extras_require")
            extras = ast.literal_eval(extras_node) if extras_node is not None else {}
        except ValueError:
            return Declared(frozenset(), known=False)
        names = requirement_names(_strings(install))
        if isinstance(extras, dict):
            for group in extras.values():
                names |= requirement_names(_strings(group))
        return Declared(frozenset(names), known=True)
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []
