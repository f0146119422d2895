"""The repository's current version, read from the source the policy names.

``version_source`` is ``policy_version`` (the policy file's own version), or a
repository path: a ``Cargo.toml`` (``[package] version`` or
``[workspace.package] version``), a ``pyproject.toml`` (``[project] version`` or
``[tool.poetry] version``), or any other file holding just the version (``VERSION``).
"""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Callable
from typing import Any

from aces.engines.proto.annotations import Version, parse_version
from aces.errors import InputError
from aces.nesting import parse_bounded

POLICY_VERSION = "policy_version"


def current_version(source: str, policy_version: str, read_text: Callable[[str], str]) -> Version:
    """The version named by ``source``; ``InputError`` naming the file when unreadable."""
    if source == POLICY_VERSION:
        text, where = policy_version, "aces.toml policy_version"
    else:
        text, where = _from_file(source, read_text(source)), source
    version = parse_version(text)
    if version is None:
        raise InputError(
            f"the version {text!r} is not SemVer MAJOR.MINOR.PATCH",
            path=where,
            hint="set a version such as 1.4.0, or point [proto] version_source elsewhere",
        )
    return version


def _from_file(path: str, text: str) -> str:
    """The version text inside one file."""
    name = posixpath.basename(path)
    if name not in ("Cargo.toml", "pyproject.toml"):
        return text.strip()
    try:
        data = parse_bounded(tomllib.loads, text, path, "toml")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot parse TOML ({exc})", path=path) from exc
    keys = (
        (("package", "version"), ("workspace", "package", "version"))
        if name == "Cargo.toml"
        else (("project", "version"), ("tool", "poetry", "version"))
    )
    for key in keys:
        value = _lookup(data, key)
        if isinstance(value, str):
            return value
    shown = " or ".join(".".join(k) for k in keys)
    raise InputError(f"no version found (looked for {shown})", path=path)


def _lookup(data: dict[str, Any], key: tuple[str, ...]) -> object:
    """``data[k0][k1]...`` or None."""
    node: object = data
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
