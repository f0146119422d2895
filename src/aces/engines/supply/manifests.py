"""Dependency manifests: what each declares, where, and which lockfile must pin it.

``Cargo.toml`` needs a ``Cargo.lock`` in its directory or an ancestor (a
workspace shares one); a ``pyproject.toml`` with dependencies needs a Python
lock next to it; a ``package.json`` with dependencies a ``package-lock.json``
(or ``npm-shrinkwrap.json``, ``bun.lock``); a ``mix.exs`` with dependencies a ``mix.lock``.
A requirements file counts as a Python lock only when it pins (``==``) every
dependency of the manifest. A manifest without dependencies needs no lock.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from aces.engines.supply.lockfiles import normalise_python, refuse_conflicts
from aces.errors import InputError
from aces.nesting import parse_bounded

_CARGO_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")
_PEP508_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_MIX_DEP = re.compile(r"\{\s*:([a-z_][a-z0-9_]*)\s*,([^}\n]*)")
_NPM_TABLES = ("dependencies", "devDependencies", "optionalDependencies")
NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "bun.lock")
PYTHON_LOCK = re.compile(r"(poetry\.lock|uv\.lock|pylock(\.[^/]+)?\.toml|requirements[^/]*\.txt)")


@dataclass(frozen=True)
class Dependency:
    """A dependency a manifest declares: the name the lock records, and its line."""

    name: str
    line: int
    spec: str = ""  # the declared requirement, when the manifest states one as a string
    inherited: bool = False  # Cargo ``workspace = true``: the workspace root says which package


@dataclass(frozen=True)
class Manifest:
    """A manifest, its ecosystem, its declared dependencies and the lock it needs."""

    path: str
    ecosystem: str  # cargo | pypi | npm | hex
    dependencies: tuple[Dependency, ...]
    lock_names: tuple[str, ...]  # file names that lock it
    lock_in_ancestors: bool = False  # Cargo: a workspace root's lock counts
    workspace_root: str | None = None  # Cargo member: the root manifest whose lock it shares

    @property
    def needs_lock(self) -> bool:
        """Whether the manifest must have a lockfile of its own (Cargo always: the crate
        itself; a workspace member shares its root's, so a missing lock is the root's)."""
        if self.workspace_root is not None:
            return False
        return self.ecosystem == "cargo" or bool(self.dependencies)

    @property
    def directory(self) -> str:
        """The manifest's directory ("" for the root)."""
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""


def line_of(text: str, pattern: str, default: int = 1) -> int:
    """1-based line of the first match of the regex ``pattern`` (MULTILINE), else ``default``."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else default


def _toml(path: str, text: str) -> dict[str, object]:
    """Parsed TOML, or InputError naming the file."""
    refuse_conflicts(path, text)
    try:
        return parse_bounded(tomllib.loads, text, path, "toml")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path, hint="fix the file") from exc


def cargo_manifest(path: str, text: str) -> Manifest:
    """A Cargo.toml: the packages its dependency tables name (renames resolved)."""
    data = _toml(path, text)
    deps: dict[str, Dependency] = {}
    tables: list[dict[str, object]] = [data]
    target = data.get("target")
    if isinstance(target, dict):
        tables.extend(t for t in target.values() if isinstance(t, dict))
    for table in tables:
        for kind in _CARGO_TABLES:
            section = table.get(kind)
            if isinstance(section, dict):
                for key, value in section.items():
                    dep = _cargo_dep(text, key, value)
                    deps.setdefault(dep.name, dep)
    return Manifest(path, "cargo", tuple(deps.values()), ("Cargo.lock",), lock_in_ancestors=True)


def _cargo_dep(text: str, key: str, value: object) -> Dependency:
    """One Cargo dependency: the package it names and the line declaring it."""
    name = key
    if isinstance(value, dict) and isinstance(value.get("package"), str):
        name = str(value["package"])
    inherited = isinstance(value, dict) and value.get("workspace") is True
    escaped = re.escape(key)
    inline = rf'^[ \t]*(?:{escaped}|"{escaped}")\s*(?:=|\.)'
    table = rf"^[ \t]*\[[^\]]*\.{escaped}\]"
    line = line_of(text, f"{inline}|{table}")
    return Dependency(name, line, value if isinstance(value, str) else "", inherited)


def cargo_workspace_packages(path: str, text: str) -> dict[str, str]:
    """``[workspace.dependencies]`` of a workspace root: dependency key -> package it names.

    A key renamed there (``foo = { version = "0.8", package = "foo-core" }``) is locked
    under its package name, also in every member that inherits it with ``workspace = true``.
    """
    workspace = _toml(path, text).get("workspace")
    table = workspace.get("dependencies") if isinstance(workspace, dict) else None
    if not isinstance(table, dict):
        return {}
    return {
        key: value["package"] if isinstance(value, dict) and isinstance(value.get("package"), str)
        else key
        for key, value in table.items()
    }  # fmt: skip


def resolve_inherited(
    manifests: Sequence[Manifest], read_text: Callable[[str], str]
) -> tuple[Manifest, ...]:
    """Cargo manifests with each ``workspace = true`` dependency named as its root names it.

    The root is the nearest Cargo.toml at or above the member that has a ``[workspace]``
    table; a dependency it does not list keeps its key (cargo itself reports that).
    """
    cargo_dirs = {m.directory for m in manifests if m.ecosystem == "cargo"}
    roots: dict[str, dict[str, str] | None] = {}

    def packages_at(directory: str) -> dict[str, str] | None:
        if directory not in cargo_dirs:
            return None
        if directory not in roots:
            path = f"{directory}/Cargo.toml" if directory else "Cargo.toml"
            text = read_text(path)
            is_root = "workspace" in _toml(path, text)
            roots[directory] = cargo_workspace_packages(path, text) if is_root else None
        return roots[directory]

    out: list[Manifest] = []
    for manifest in manifests:
        if manifest.ecosystem != "cargo" or not any(d.inherited for d in manifest.dependencies):
            out.append(manifest)
            continue
        names = _nearest_root(manifest.directory, packages_at) or {}
        deps = tuple(
            replace(d, name=names.get(d.name, d.name)) if d.inherited else d
            for d in manifest.dependencies
        )
        out.append(replace(manifest, dependencies=deps))
    return tuple(out)


def _nearest_root(
    directory: str, packages_at: Callable[[str], dict[str, str] | None]
) -> dict[str, str] | None:
    """The ``[workspace.dependencies]`` of the nearest workspace root at or above a directory."""
    while True:
        found = packages_at(directory)
        if found is not None or not directory:
            return found
        directory = directory.rsplit("/", 1)[0] if "/" in directory else ""


def pyproject_manifest(path: str, text: str) -> Manifest:
    """A pyproject.toml: ``[project].dependencies`` and Poetry's dependency table."""
    data = _toml(path, text)
    deps: list[Dependency] = []
    project = data.get("project")
    if isinstance(project, dict) and isinstance(project.get("dependencies"), list):
        for item in project["dependencies"]:
            match = _PEP508_NAME.match(item) if isinstance(item, str) else None
            if match:
                name = match.group(1)
                line = line_of(text, rf"""^[ \t]*["']{re.escape(name)}\b""")
                deps.append(Dependency(normalise_python(name), line, item))
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    table = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(table, dict):
        for key in table:
            if key.lower() != "python":
                line = line_of(text, rf"^[ \t]*{re.escape(key)}\s*=")
                deps.append(Dependency(normalise_python(key), line))
    return Manifest(path, "pypi", tuple(deps), ("poetry.lock", "uv.lock", "pylock.toml"))


def package_json_manifest(path: str, text: str) -> Manifest:
    """A package.json: its dependency objects (peer dependencies are the host's)."""
    refuse_conflicts(path, text)
    try:
        data = parse_bounded(json.loads, text, path, "json")
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno})", path=path, hint="fix it") from exc
    deps: list[Dependency] = []
    if isinstance(data, dict):
        for kind in _NPM_TABLES:
            table = data.get(kind)
            if isinstance(table, dict):
                for name, spec in table.items():
                    line = line_of(text, rf'^[ \t]*"{re.escape(name)}"\s*:')
                    deps.append(Dependency(name, line, spec if isinstance(spec, str) else ""))
    return Manifest(path, "npm", tuple(deps), NPM_LOCKS)


def mix_manifest(path: str, text: str) -> Manifest:
    """A mix.exs: ``{:name, ...}`` tuples (path and umbrella dependencies are not locked)."""
    deps: list[Dependency] = []
    for match in _MIX_DEP.finditer(text):
        rest = match.group(2)
        if "path:" in rest or "in_umbrella:" in rest:
            continue
        if not re.search(r'"[~><=]|git:|github:|hex:|"\d', rest):
            continue  # not a dependency tuple (a keyword list entry, an application spec)
        line = text.count("\n", 0, match.start()) + 1
        deps.append(Dependency(match.group(1), line))
    return Manifest(path, "hex", tuple(deps), ("mix.lock",))


MANIFEST_READERS: dict[str, Callable[[str, str], Manifest]] = {
    "Cargo.toml": cargo_manifest,
    "pyproject.toml": pyproject_manifest,
    "package.json": package_json_manifest,
    "mix.exs": mix_manifest,
}


def manifest_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """The dependency manifests among ``paths`` (vendored trees left out), sorted."""
    skip = ("node_modules", "vendor", "target", "deps", "_build", ".venv")
    return tuple(
        sorted(
            p
            for p in paths
            if p.rsplit("/", 1)[-1] in MANIFEST_READERS
            and not any(part in skip for part in p.split("/")[:-1])
        )
    )


def read_manifest(path: str, text: str) -> Manifest:
    """The manifest at ``path`` read with the reader of its file name."""
    return MANIFEST_READERS[path.rsplit("/", 1)[-1]](path, text)


def find_lock(
    manifest: Manifest, files: frozenset[str], pins_every: Callable[[str], bool] | None = None
) -> str | None:
    """The lockfile that pins ``manifest``, or None when there is none.

    A requirements file is a Python lock only when it pins every dependency of the
    manifest (``pins_every(path)``; None: not asked): an empty one, or one of ranges
    (``fastapi>=0.110``), locks nothing.
    """
    directory = manifest.directory
    while True:
        prefix = f"{directory}/" if directory else ""
        for name in manifest.lock_names:
            if f"{prefix}{name}" in files:
                return f"{prefix}{name}"
        if manifest.ecosystem == "pypi":
            for path in sorted(files):
                rest = path[len(prefix) :] if path.startswith(prefix) else None
                if rest and "/" not in rest and PYTHON_LOCK.fullmatch(rest):
                    if pins_every is None or not rest.startswith("requirements"):
                        return path
                    if pins_every(path):
                        return path
        if not manifest.lock_in_ancestors or not directory:
            return None
        directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
