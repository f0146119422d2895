"""Package-manager workspaces: a member manifest is pinned by the lock at its workspace root.

A uv workspace (``[tool.uv.workspace] members`` in the root ``pyproject.toml``)
and an npm / Bun / Yarn workspace (``"workspaces"`` in the root ``package.json``,
a list of globs or ``{"packages": [...]}``) resolve every member into one lockfile
next to the root manifest. A member's own directory holds no lock, and needs none.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

from aces.engines.supply.manifests import Manifest
from aces.errors import AcesError

ReadText = Callable[[str], str]


def workspace_lock(
    manifest: Manifest, roots: Iterable[Manifest], files: frozenset[str], read_text: ReadText
) -> str | None:
    """The lock of the nearest workspace root above ``manifest`` that lists it as a member."""
    candidates = [
        root
        for root in roots
        if root.ecosystem == manifest.ecosystem
        and root.path != manifest.path
        and _is_below(manifest.directory, root.directory)
    ]
    for root in sorted(candidates, key=lambda r: -len(r.directory)):
        globs, excluded = _members(root, read_text)
        relative = _relative(manifest.directory, root.directory)
        if _matches(relative, globs) and not _matches(relative, excluded):
            prefix = f"{root.directory}/" if root.directory else ""
            for name in root.lock_names:
                if f"{prefix}{name}" in files:
                    return f"{prefix}{name}"
    return None


def _is_below(directory: str, root: str) -> bool:
    """Whether ``directory`` is strictly inside ``root`` ('' is the repository root)."""
    return directory != root and (not root or directory.startswith(f"{root}/"))


def _relative(directory: str, root: str) -> str:
    return directory[len(root) + 1 :] if root else directory


def _matches(relative: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(relative, g.strip("/").removeprefix("./")) for g in globs)


def _members(root: Manifest, read_text: ReadText) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The member globs and excluded globs a root manifest declares (none when unreadable)."""
    try:
        text = read_text(root.path)
        if root.ecosystem == "pypi":
            tool = tomllib.loads(text).get("tool", {})
            table = tool.get("uv", {}).get("workspace", {}) if isinstance(tool, dict) else {}
            return _strings(table.get("members")), _strings(table.get("exclude"))
        if root.ecosystem == "npm":
            declared = json.loads(text).get("workspaces")
            if isinstance(declared, dict):
                declared = declared.get("packages")
            return _strings(declared), ()
    except (AcesError, ValueError, AttributeError, OSError):
        pass  # the root manifest's own reader reports it as unreadable
    return (), ()


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
