"""Container build files: Dockerfiles and compose files parsed, pinning rules, size budget.

No knowledge of stages: ``parse_dockerfile`` and ``compose_issues`` take a path
and its text, the rules return plain ``Issue`` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from aces.engines.containers.budget import over_budget, parse_image_size
from aces.engines.containers.compose import compose_issues, is_compose_file
from aces.engines.containers.dockerfile import (
    BaseImage,
    Dockerfile,
    Instruction,
    base_images,
    parse_dockerfile,
)
from aces.engines.containers.naming import (
    exact_name,
    is_ci_file,
    named_as_build_file,
    reads_as_build_file,
    referenced_build_files,
)
from aces.engines.containers.rules import (
    Issue,
    base_image_issues,
    package_issues,
    plaintext_downloads,
)
from aces.errors import AcesError


def is_dockerfile(path: str) -> bool:
    """Whether the name of ``path`` is one of the ecosystem's namings of a build file."""
    return named_as_build_file(path)


def container_build_files(files: Sequence[str], read_text: Callable[[str], str]) -> tuple[str, ...]:
    """The container build files among ``files`` (see ``aces.engines.containers.naming``).

    A name variant whose text cannot be read is kept: reading it is then the
    caller's finding, not a reason to look away.
    """
    present = frozenset(files)
    ci = _texts((p for p in files if is_ci_file(p)), read_text)
    compose = _texts((p for p in files if is_compose_file(p)), read_text)
    referenced = set(referenced_build_files(ci, present.__contains__))
    referenced.update(referenced_build_files(compose, present.__contains__, is_compose=True))
    named = {p for p in files if named_as_build_file(p) and _reads_as_one(p, read_text)}
    return tuple(sorted(named | referenced))


def _texts(paths: Iterable[str], read_text: Callable[[str], str]) -> list[tuple[str, str]]:
    """(path, text) of each readable file (an unreadable one is its own check's finding)."""
    out = []
    for path in paths:
        try:
            out.append((path, read_text(path)))
        except AcesError:
            continue
    return out


def _reads_as_one(path: str, read_text: Callable[[str], str]) -> bool:
    if exact_name(path):
        return True
    try:
        return reads_as_build_file(read_text(path))
    except AcesError:
        return True


__all__ = [
    "BaseImage",
    "Dockerfile",
    "Instruction",
    "Issue",
    "base_image_issues",
    "base_images",
    "compose_issues",
    "container_build_files",
    "is_compose_file",
    "is_dockerfile",
    "over_budget",
    "package_issues",
    "parse_dockerfile",
    "parse_image_size",
    "plaintext_downloads",
]
