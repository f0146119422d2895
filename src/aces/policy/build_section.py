"""The ``[build]`` section of ``aces.toml``: the build stage 4 reproduces and measures.

``commands`` are argv lists run in order in each of two copies of the tree;
``artifacts`` are globs of what they produce, relative to the repository root;
``size_baseline`` names the committed JSON of artifact sizes; ``[[build.images]]``
declares container images with a final size budget. The format is in
``docs/stage4-build.md``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.schema import BuildPolicy, ImageBuild
from aces.policy.values import (
    Reporter,
    as_positive,
    as_string,
    as_strings,
    as_table,
    check_keys,
    describe,
    no_duplicates,
)

BUILD_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(BuildPolicy))
IMAGE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ImageBuild))
_RELATIVE = "a path relative to the repository root"


def build_build(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: BuildPolicy
) -> BuildPolicy:
    """The ``[build]`` settings."""
    check_keys(r, table, path, BUILD_KEYS)
    return BuildPolicy(
        commands=_commands(r, table, path, default.commands),
        artifacts=_artifacts(r, table, path, default.artifacts),
        timeout_seconds=_timeout(r, table, path, default.timeout_seconds),
        size_baseline=_baseline(r, table, path, default.size_baseline),
        images=_images(r, table, path, default.images),
    )


def relative_path(r: Reporter, value: object, key: KeyPath) -> str | None:
    """A non-empty path that stays inside the repository."""
    text = as_string(r, value, key, _RELATIVE)
    if text is None:
        return None
    if text.startswith("/") or ".." in text.replace("\\", "/").split("/"):
        r.add(key, f"expected {_RELATIVE}, found {text!r}")
        return None
    return text


def _commands(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[tuple[str, ...], ...]
) -> tuple[tuple[str, ...], ...]:
    """An array of argv arrays (``[["cargo", "build", "--release"]]``)."""
    if "commands" not in table:
        return default
    key = (*path, "commands")
    value = table["commands"]
    if not isinstance(value, list):
        r.add(key, f"expected an array of argv arrays, found {describe(value)}")
        return default
    commands: list[tuple[str, ...]] = []
    for i, item in enumerate(value):
        argv = as_strings(r, item, (*key, i))
        if argv is not None and not argv:
            r.add((*key, i), "expected a non-empty argv array")
        elif argv is not None:
            commands.append(argv)
    return tuple(commands)


def _artifacts(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """Globs relative to the repository root."""
    if "artifacts" not in table:
        return default
    key = (*path, "artifacts")
    globs = as_strings(r, table["artifacts"], key)
    if globs is None:
        return default
    for i, glob in enumerate(globs):
        relative_path(r, glob, (*key, i))
    no_duplicates(r, globs, key)
    return globs


def _timeout(r: Reporter, table: dict[str, Any], path: KeyPath, default: float) -> float:
    """Seconds each build command may take."""
    if "timeout_seconds" not in table:
        return default
    value = as_positive(r, table["timeout_seconds"], (*path, "timeout_seconds"))
    return default if value is None else value


def _baseline(r: Reporter, table: dict[str, Any], path: KeyPath, default: str) -> str:
    """The committed artifact-size baseline file."""
    if "size_baseline" not in table:
        return default
    if table["size_baseline"] == "":
        return ""  # explicitly none, as a rendered default policy writes it
    value = relative_path(r, table["size_baseline"], (*path, "size_baseline"))
    return default if value is None else value


def _images(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[ImageBuild, ...]
) -> tuple[ImageBuild, ...]:
    """``[[build.images]]``: dockerfile, context and a positive byte budget."""
    if "images" not in table:
        return default
    key = (*path, "images")
    value = table["images"]
    if not isinstance(value, list):
        r.add(key, f"expected an array of tables ([[build.images]]), found {describe(value)}")
        return default
    images: list[ImageBuild] = []
    for i, item in enumerate(value):
        entry = as_table(r, item, (*key, i))
        image = None if entry is None else _image(r, entry, (*key, i))
        if image is not None:
            images.append(image)
    return tuple(images)


def _image(r: Reporter, table: dict[str, Any], key: KeyPath) -> ImageBuild | None:
    """One image declaration; ``dockerfile`` and ``max_bytes`` are required."""
    check_keys(r, table, key, IMAGE_KEYS)
    missing = [name for name in ("dockerfile", "max_bytes") if name not in table]
    for name in missing:
        r.add(key, f"missing required key {name!r}")
    if missing:
        return None
    dockerfile = relative_path(r, table["dockerfile"], (*key, "dockerfile"))
    context = relative_path(r, table.get("context", "."), (*key, "context"))
    budget = table["max_bytes"]
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        found = str(budget) if isinstance(budget, int) and not isinstance(budget, bool) else None
        shown = found or describe(budget)
        r.add((*key, "max_bytes"), f"expected a positive integer, found {shown}")
        return None
    if dockerfile is None or context is None:
        return None
    return ImageBuild(dockerfile=dockerfile, context=context, max_bytes=budget)
