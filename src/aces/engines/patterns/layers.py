"""Architecture layers: which layer a file is in, and which dependencies cross a boundary.

A layer is a set of path globs. A dependency of a file in layer L is a finding when

- it names a workspace file (a module, a crate, a mix project) in a layer L may not
  depend on (``arch.layers.dependency``), or
- one of its names starts with a prefix L forbids (``arch.layers.forbidden-import``:
  ``reqwest`` forbids ``reqwest`` and ``reqwest.Client``, not ``reqwest_middleware``).

How names resolve to files: Rust ``crate::`` / ``self::`` / ``super::`` paths to the
module files of the crate, other crate names to the workspace crate of that
(``-`` -> ``_``) name; Python dotted names to the longest matching module of the
workspace; Elixir aliases to the file that defines the longest matching module;
``mod x;`` and manifest ``path`` dependencies name their files directly.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from aces.engines.patterns.imports import Import, python_module
from aces.workspace.globs import GlobMatcher

DEPENDENCY_RULE = "arch.layers.dependency"
FORBIDDEN_RULE = "arch.layers.forbidden-import"


@dataclass(frozen=True)
class LayerDef:
    """A layer as the engine needs it."""

    name: str
    paths: tuple[str, ...]
    may_not_depend_on: tuple[str, ...]
    forbidden_imports: tuple[str, ...]


@dataclass(frozen=True, order=True)
class Violation:
    """One dependency that crosses a declared boundary."""

    path: str
    line: int
    rule_id: str
    message: str


class LayerMap:
    """Which layer each path is in (the first declared layer whose globs match)."""

    def __init__(self, layers: Sequence[LayerDef]) -> None:
        self.layers = tuple(layers)
        self._matchers = [(layer, GlobMatcher(layer.paths)) for layer in layers]

    def layer_of(self, path: str) -> LayerDef | None:
        """The layer of ``path``, or None when no layer claims it."""
        return next((layer for layer, m in self._matchers if m.match(path)), None)


class Resolver:
    """Maps dependency names to workspace files."""

    def __init__(
        self,
        files: Iterable[str],
        elixir_modules: Mapping[str, str],
        crates: Mapping[str, str],
    ) -> None:
        self.files = frozenset(files)
        packages = {posixpath.dirname(f) for f in self.files if f.endswith("/__init__.py")}
        python_files = sorted(f for f in self.files if f.endswith(".py"))
        self.python = {python_module(f, packages): f for f in python_files}
        self.elixir = dict(elixir_modules)
        self.crates = dict(crates)  # crate name as code spells it -> crate directory

    def resolve(self, item: Import) -> tuple[str, ...]:
        """The workspace files an import names."""
        found = [f for f in item.files if f in self.files]
        for name in item.names:
            target = self._resolve_name(item.path, name)
            if target is not None:
                found.append(target)
                break
        return tuple(dict.fromkeys(found))

    def _resolve_name(self, origin: str, name: str) -> str | None:
        if origin.endswith(".py"):
            return _longest(name, self.python)
        if origin.endswith((".ex", ".exs")):
            return _longest(name, self.elixir)
        if origin.endswith(".rs"):
            return self._rust(origin, name.split("."))
        return None

    def _rust(self, origin: str, parts: list[str]) -> str | None:
        """``crate.a.b`` / ``super.x`` / ``other_crate.y`` to a module file."""
        if not parts:
            return None
        head = parts[0]
        if head == "crate":
            src = _crate_src(origin, self.crates)
            return self._module_file(src, parts[1:]) if src is not None else None
        if head in ("self", "super"):
            directory = posixpath.dirname(origin)
            stem = posixpath.basename(origin).removesuffix(".rs")
            owns_dir = stem in ("mod", "lib", "main")
            if head == "self":
                base = directory if owns_dir else posixpath.join(directory, stem)
            else:
                base = posixpath.dirname(directory) if owns_dir else directory
            return self._module_file(base, parts[1:])
        root = self.crates.get(head)
        if root is None:
            return None
        return self._module_file(posixpath.join(root, "src"), parts[1:])

    def _module_file(self, base: str, parts: list[str]) -> str | None:
        """The deepest module file ``base/a/b.rs`` or ``base/a/b/mod.rs`` that exists."""
        for size in range(len(parts), 0, -1):
            stem = posixpath.join(base, *parts[:size])
            for candidate in (f"{stem}.rs", f"{stem}/mod.rs"):
                if candidate in self.files:
                    return candidate
        for root_file in ("lib.rs", "main.rs", "mod.rs"):
            candidate = posixpath.join(base, root_file)
            if candidate in self.files:
                return candidate
        return None


def check_layers(
    imports: Iterable[Import], layers: LayerMap, resolver: Resolver
) -> list[Violation]:
    """Every boundary crossing among ``imports``, sorted; one per line, rule and target."""
    found: dict[tuple[str, int, str, str], Violation] = {}
    for item in imports:
        layer = layers.layer_of(item.path)
        if layer is None:
            continue
        for prefix in layer.forbidden_imports:
            if any(_has_prefix(name, prefix) for name in item.names):
                message = f"layer `{layer.name}` may not use `{prefix}` (`{item.shown}`)"
                key = (item.path, item.line, FORBIDDEN_RULE, prefix)
                found.setdefault(key, Violation(item.path, item.line, FORBIDDEN_RULE, message))
        for target in resolver.resolve(item):
            other = layers.layer_of(target)
            if other is not None and other.name in layer.may_not_depend_on:
                message = (
                    f"layer `{layer.name}` may not depend on layer `{other.name}` "
                    f"(`{item.shown}` -> {target})"
                )
                key = (item.path, item.line, DEPENDENCY_RULE, other.name)
                found.setdefault(key, Violation(item.path, item.line, DEPENDENCY_RULE, message))
    return sorted(found.values())


def _has_prefix(name: str, prefix: str) -> bool:
    """Whether dotted ``name`` starts with the dotted (or ``::``) ``prefix``, by segments."""
    wanted = prefix.replace("::", ".").strip(".")
    return name == wanted or name.startswith(wanted + ".")


def _longest(name: str, index: Mapping[str, str]) -> str | None:
    """The file of the longest dotted prefix of ``name`` found in ``index``."""
    parts = name.split(".")
    for size in range(len(parts), 0, -1):
        found = index.get(".".join(parts[:size]))
        if found is not None:
            return found
    return None


def _crate_src(origin: str, crates: Mapping[str, str]) -> str | None:
    """The ``src`` directory of the crate holding ``origin``."""
    best: str | None = None
    for directory in crates.values():
        prefix = f"{directory}/" if directory else ""
        if origin.startswith(prefix) and (best is None or len(directory) > len(best)):
            best = directory
    if best is None:
        return None
    return posixpath.join(best, "src") if best else "src"
