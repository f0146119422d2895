"""Dependency manifests and their lockfiles: which exist, and what the locks pin.

A deliberately small reader of the locks the SBOM is built from: ``Cargo.lock``,
Python locks (``requirements*.txt`` pins, ``poetry.lock``, ``uv.lock``,
``pylock*.toml``), ``package-lock.json`` / ``npm-shrinkwrap.json``, Bun's text
``bun.lock`` and ``mix.lock``. Each parser takes a path and its text and returns
plain values; a lock that cannot be read (a merge conflict marker, bad TOML / JSON) raises
``InputError`` naming the file and line.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from aces.errors import InputError
from aces.nesting import parse_bounded

_CONFLICT = re.compile(r"^(<<<<<<<|=======|>>>>>>>)(\s|$)", re.MULTILINE)
_REQ_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;\\#]+)")
_MIX_ENTRY = re.compile(
    r'^\s*"([a-z_][a-z0-9_]*)":\s*\{:(hex|git),\s*(?::[a-z0-9_]+,\s*)?"([^"]+)"'
)
_PEP503 = re.compile(r"[-_.]+")


@dataclass(frozen=True, order=True)
class Package:
    """One locked package: its ecosystem (a purl type), name, version and lockfile."""

    ecosystem: str  # cargo | pypi | npm | hex
    name: str
    version: str
    lockfile: str

    @property
    def purl(self) -> str:
        """The package URL (``pkg:cargo/serde@1.0.0``; npm scopes percent-encoded)."""
        name = self.name.replace("@", "%40") if self.ecosystem == "npm" else self.name
        if self.ecosystem == "pypi":
            name = normalise_python(name)
        return f"pkg:{self.ecosystem}/{name}@{self.version}"


def normalise_python(name: str) -> str:
    """PEP 503 normalised distribution name (``Foo_Bar`` -> ``foo-bar``)."""
    return _PEP503.sub("-", name).lower()


def refuse_conflicts(path: str, text: str) -> None:
    """InputError when ``text`` holds a git merge conflict marker."""
    match = _CONFLICT.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise InputError(
            f"line {line} holds a merge conflict marker ({match.group(1)})",
            path=path,
            hint="resolve the conflict and regenerate the lockfile",
        )


def _toml(path: str, text: str) -> dict[str, object]:
    """Parsed TOML, or InputError naming the file."""
    refuse_conflicts(path, text)
    try:
        return parse_bounded(tomllib.loads, text, path, "toml")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path, hint="fix the file") from exc


def _json(path: str, text: str) -> object:
    """Parsed JSON, or InputError naming the file."""
    refuse_conflicts(path, text)
    try:
        return parse_bounded(json.loads, text, path, "json")
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON (line {exc.lineno}): {exc.msg}", path=path, hint="fix the file"
        ) from exc


def _toml_packages(path: str, text: str, ecosystem: str, key: str) -> list[Package]:
    """``[[<key>]]`` tables with ``name`` and ``version`` (Cargo.lock, poetry.lock, uv.lock)."""
    data = _toml(path, text)
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise InputError(f"'{key}' is not an array of tables", path=path, hint="fix the lockfile")
    out: list[Package] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise InputError(f"a '{key}' entry is not a table", path=path, hint="fix the lockfile")
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            raise InputError(
                f"a '{key}' entry lacks a string name or version", path=path, hint="fix the lock"
            )
        out.append(Package(ecosystem, name, version, path))
    return out


def parse_cargo_lock(path: str, text: str) -> list[Package]:
    """Every ``[[package]]`` of a Cargo.lock (workspace members included)."""
    return _toml_packages(path, text, "cargo", "package")


def parse_python_toml_lock(path: str, text: str) -> list[Package]:
    """``poetry.lock`` / ``uv.lock`` (``[[package]]``) or ``pylock.toml`` (``[[packages]]``)."""
    key = "packages" if path.rsplit("/", 1)[-1].startswith("pylock") else "package"
    return _toml_packages(path, text, "pypi", key)


def parse_requirements(path: str, text: str) -> list[Package]:
    """``name==version`` pins of a requirements file (hash continuation lines skipped)."""
    refuse_conflicts(path, text)
    out: list[Package] = []
    for line in text.splitlines():
        match = _REQ_PIN.match(line)
        if match:
            out.append(Package("pypi", match.group(1), match.group(2), path))
    return out


def parse_package_lock(path: str, text: str) -> list[Package]:
    """Installed packages of an npm lock (v2/v3 ``packages``, or v1 ``dependencies``)."""
    data = _json(path, text)
    if not isinstance(data, dict):
        raise InputError("not a JSON object", path=path, hint="regenerate it with npm install")
    packages = data.get("packages")
    out: list[Package] = []
    if isinstance(packages, dict):
        for key, entry in packages.items():
            if not key or not isinstance(entry, dict) or entry.get("link"):
                continue
            name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
            version = entry.get("version")
            if isinstance(name, str) and isinstance(version, str):
                out.append(Package("npm", name, version, path))
        return out
    out.extend(_npm_v1(path, data.get("dependencies")))
    return out


def _npm_v1(path: str, deps: object) -> Iterator[Package]:
    """The nested ``dependencies`` of an npm v1 lock."""
    if not isinstance(deps, dict):
        return
    for name, entry in deps.items():
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            yield Package("npm", name, entry["version"], path)
            yield from _npm_v1(path, entry.get("dependencies"))


_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def parse_bun_lock(path: str, text: str) -> list[Package]:
    """Installed packages of Bun's text lock: ``packages`` maps a key to ``["name@version", ...]``.

    The file is JSON with trailing commas; a workspace member's own entry
    (``name@workspace:dir``) is the project itself, not a dependency.
    """
    data = _json(path, _TRAILING_COMMA.sub(r"\1", text))
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, dict):
        raise InputError("no packages table", path=path, hint="regenerate it with bun install")
    out: list[Package] = []
    for entry in packages.values():
        spec = entry[0] if isinstance(entry, list) and entry else None
        if not isinstance(spec, str) or "@" not in spec[1:]:
            continue
        name, version = spec[0] + spec[1:].split("@", 1)[0], spec[1:].split("@", 1)[1]
        if not version.startswith("workspace:"):
            out.append(Package("npm", name, version, path))
    return out


def parse_mix_lock(path: str, text: str) -> list[Package]:
    """``"name": {:hex, :name, "version", ...}`` entries of a mix.lock (git: the ref)."""
    refuse_conflicts(path, text)
    out: list[Package] = []
    for line in text.splitlines():
        match = _MIX_ENTRY.match(line)
        if match:
            out.append(Package("hex", match.group(1), match.group(3), path))
    return out


Parser = Callable[[str, str], list[Package]]


def lock_parser(path: str) -> Parser | None:
    """The parser of the lockfile at ``path``, or None when it is not a lockfile."""
    name = path.rsplit("/", 1)[-1]
    if name == "Cargo.lock":
        return parse_cargo_lock
    if name in ("poetry.lock", "uv.lock") or re.fullmatch(r"pylock(\.[^/]+)?\.toml", name):
        return parse_python_toml_lock
    if re.fullmatch(r"requirements[^/]*\.txt", name):
        return parse_requirements
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return parse_package_lock
    if name == "bun.lock":
        return parse_bun_lock
    if name == "mix.lock":
        return parse_mix_lock
    return None


def lockfiles(paths: Iterable[str]) -> tuple[str, ...]:
    """The lockfiles among ``paths`` (vendored trees left out), sorted."""
    return tuple(sorted(p for p in paths if lock_parser(p) and not _vendored(p)))


def _vendored(path: str) -> bool:
    """Paths under dependency or build directories, which are not the project's own locks."""
    parts = path.split("/")[:-1]
    return any(p in ("node_modules", "vendor", "target", "deps", "_build", ".venv") for p in parts)


def read_packages(paths: Iterable[str], read_text: Callable[[str], str]) -> tuple[Package, ...]:
    """Every package of every lockfile among ``paths``, de-duplicated and sorted."""
    found: set[Package] = set()
    for path in lockfiles(paths):
        parser = lock_parser(path)
        assert parser is not None
        found.update(parser(path, read_text(path)))
    return tuple(sorted(found))
