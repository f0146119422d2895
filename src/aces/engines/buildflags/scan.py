"""Non-deterministic and non-portable build flags, found in build configuration.

Rules (each finding at file:line):

- ``native``: ``-C target-cpu=native``, ``-march=native``, ``-mtune=native``,
  ``-mcpu=native`` in Cargo manifests and configs, build scripts, Makefiles,
  CMake files, Dockerfiles and CI workflows: the artifact depends on the CPU
  of the machine that built it.
- ``date-macro``: ``__DATE__``, ``__TIME__``, ``__TIMESTAMP__`` in C and C++ sources.
- ``build-time``: a build script or Makefile reads the clock (``SystemTime::now``,
  ``chrono``'s ``Utc::now``, ``date``) and the file never mentions
  ``SOURCE_DATE_EPOCH``, so every build embeds a different time.
- ``remap-path-prefix``: a Cargo workspace that declares ``[profile.release]``
  releases without ``--remap-path-prefix`` in the rustflags of its
  ``.cargo/config.toml`` (or ``trim-paths`` in the release profile): the build
  machine's paths (registry sources, the checkout) end up in the binary.

Pure functions over a path and its text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from aces.engines.containers.naming import named_as_build_file
from aces.errors import InputError
from aces.nesting import parse_bounded

NATIVE = re.compile(r"target-cpu\s*=\s*native|-m(?:arch|tune|cpu)=native")
DATE_MACRO = re.compile(r"\b__(?:DATE|TIME|TIMESTAMP)__\b")
_RUST_CLOCK = re.compile(
    r"SystemTime::now\s*\(|(?:Utc|Local)::now\s*\(|OffsetDateTime::now_(?:utc|local)\s*\("
    r"|Command::new\(\s*\"date\"\s*\)"
)
_SHELL_CLOCK = re.compile(r"\$\(shell\s+date\b|`date\b|\$\(date\b")
_C_SUFFIXES = frozenset({".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"})
_CONFIG_NAMES = frozenset({"cargo.toml", "cmakelists.txt", "makefile", "gnumakefile", "build.rs"})
_CI_DIRS = (".github/workflows/", ".buildkite/", ".circleci/")


@dataclass(frozen=True)
class FlagIssue:
    """One flag problem: rule suffix, file, 1-based line, message and a line-free key."""

    rule: str
    path: str
    line: int
    message: str
    key: str


def is_build_config(path: str) -> bool:
    """Whether ``path`` configures a build (manifests, configs, scripts, CI, Dockerfiles)."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    if name in _CONFIG_NAMES or name.endswith((".mk", ".cmake")):
        return True
    if path.endswith((".cargo/config.toml", ".cargo/config")) or name == ".gitlab-ci.yml":
        return True
    if path.startswith(_CI_DIRS) and name.endswith((".yml", ".yaml")):
        return True
    return named_as_build_file(path)  # by the ecosystem's namings: dockerfile.py is Python


def is_c_source(path: str) -> bool:
    """Whether ``path`` is a C or C++ source or header."""
    return PurePosixPath(path).suffix.lower() in _C_SUFFIXES


def _comment_prefix(path: str) -> str:
    """The line-comment marker of the file's language."""
    name = PurePosixPath(path).name.lower()
    return "//" if name.endswith(".rs") or is_c_source(path) else "#"


def _lines(path: str, text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of every line that is not a whole-line comment."""
    marker = _comment_prefix(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith(marker):
            yield number, line


def native_issues(path: str, text: str) -> Iterator[FlagIssue]:
    """Every CPU-specific flag of a build configuration file."""
    for number, line in _lines(path, text):
        for match in NATIVE.finditer(line):
            flag = match.group()
            yield FlagIssue(
                "native",
                path,
                number,
                f"{flag} makes the artifact depend on the CPU of the build machine",
                flag,
            )


def date_macro_issues(path: str, text: str) -> Iterator[FlagIssue]:
    """Every ``__DATE__`` / ``__TIME__`` / ``__TIMESTAMP__`` of a C or C++ source."""
    for number, line in _lines(path, text):
        for match in DATE_MACRO.finditer(line):
            macro = match.group()
            yield FlagIssue(
                "date-macro", path, number, f"{macro} embeds the build time in the artifact", macro
            )


def build_time_issues(path: str, text: str) -> Iterator[FlagIssue]:
    """Clock reads of a build script or Makefile that ignores ``SOURCE_DATE_EPOCH``."""
    if "SOURCE_DATE_EPOCH" in text:
        return
    name = PurePosixPath(path).name.lower()
    pattern = _RUST_CLOCK if name == "build.rs" else _SHELL_CLOCK if _is_make(name) else None
    if pattern is None:
        return
    for number, line in _lines(path, text):
        match = pattern.search(line)
        if match:
            call = match.group().rstrip("(").strip()
            yield FlagIssue(
                "build-time",
                path,
                number,
                f"the build reads the clock ({call}) without honouring SOURCE_DATE_EPOCH",
                call,
            )


def _is_make(name: str) -> bool:
    return name in ("makefile", "gnumakefile") or name.endswith(".mk")


# -- release profiles and --remap-path-prefix ---------------------------------------

_PROFILE_RELEASE = re.compile(r"^\s*\[\s*profile\s*\.\s*release\s*\]")


def remap_issues(manifests: Mapping[str, str], configs: Mapping[str, str]) -> Iterator[FlagIssue]:
    """Release profiles of Cargo workspaces whose rustflags never remap paths.

    ``manifests`` maps each ``Cargo.toml`` path to its text, ``configs`` each
    ``.cargo/config(.toml)`` path to its text. A config applies to a manifest
    in its directory or below (Cargo's own lookup, limited to the repository).
    """
    remapping = {_config_dir(path) for path, text in configs.items() if _config_remaps(path, text)}
    for path, text in sorted(manifests.items()):
        line = _profile_line(text)
        if line is None:
            continue
        data = _toml(path, text)
        if _trims_paths(data) or _covered(path, remapping):
            continue
        yield FlagIssue(
            "remap-path-prefix",
            path,
            line,
            "the release profile is built without --remap-path-prefix in the rustflags of "
            ".cargo/config.toml (or trim-paths), so build paths reach the artifact",
            "release-profile",
        )


def _profile_line(text: str) -> int | None:
    """Line of ``[profile.release]`` in a manifest, or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if _PROFILE_RELEASE.match(line):
            return number
    return None


def _toml(path: str, text: str) -> dict[str, Any]:
    """Parsed TOML; ``InputError`` naming the file when it is not valid."""
    try:
        return parse_bounded(tomllib.loads, text, path, "toml")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot parse TOML: {exc}", path=path) from exc


def _trims_paths(data: dict[str, Any]) -> bool:
    """Whether the release profile sets ``trim-paths`` to something other than none."""
    value = data.get("profile", {}).get("release", {}).get("trim-paths")
    return value not in (None, False, "none", [])


def _config_dir(path: str) -> str:
    """The directory a Cargo config governs: the parent of its ``.cargo`` directory."""
    parent = PurePosixPath(path).parent.parent
    return "" if str(parent) == "." else str(parent)


def _config_remaps(path: str, text: str) -> bool:
    """Whether a Cargo config's rustflags (``[build]`` or any ``[target.*]``) remap paths."""
    data = _toml(path, text)
    tables = [data.get("build", {})]
    tables.extend(t for t in data.get("target", {}).values() if isinstance(t, dict))
    return any(_has_remap(table.get("rustflags")) for table in tables if isinstance(table, dict))


def _has_remap(flags: object) -> bool:
    """Whether a rustflags value (string or array) holds ``--remap-path-prefix``."""
    if isinstance(flags, str):
        return "--remap-path-prefix" in flags
    if isinstance(flags, list):
        return any(isinstance(f, str) and f.startswith("--remap-path-prefix") for f in flags)
    return False


def _covered(manifest: str, remapping: set[str]) -> bool:
    """Whether a remapping config governs ``manifest``'s directory."""
    directory = PurePosixPath(manifest).parent
    return any(
        d == "" or directory == PurePosixPath(d) or PurePosixPath(d) in directory.parents
        for d in remapping
    )


Scanner = Callable[[str, str], Iterator[FlagIssue]]


def scanners_for(path: str) -> tuple[Scanner, ...]:
    """The line scanners that apply to ``path``."""
    found: list[Scanner] = []
    if is_build_config(path):
        found.extend((native_issues, build_time_issues))
    if is_c_source(path):
        found.append(date_macro_issues)
    return tuple(found)
