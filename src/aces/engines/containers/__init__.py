"""Container build files: Dockerfiles and compose files parsed, pinning rules, size budget.

No knowledge of stages: ``parse_dockerfile`` and ``compose_issues`` take a path
and its text, the rules return plain ``Issue`` values.
"""

from __future__ import annotations

from aces.engines.containers.budget import over_budget, parse_image_size
from aces.engines.containers.compose import compose_issues, is_compose_file
from aces.engines.containers.dockerfile import (
    BaseImage,
    Dockerfile,
    Instruction,
    base_images,
    parse_dockerfile,
)
from aces.engines.containers.rules import Issue, base_image_issues, package_issues


def is_dockerfile(path: str) -> bool:
    """Whether ``path`` is a Dockerfile (``Dockerfile``, ``Dockerfile.x``, ``x.Dockerfile``)."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith((".dockerfile", ".containerfile"))
    )


__all__ = [
    "BaseImage",
    "Dockerfile",
    "Instruction",
    "Issue",
    "base_image_issues",
    "base_images",
    "compose_issues",
    "is_compose_file",
    "is_dockerfile",
    "over_budget",
    "package_issues",
    "parse_dockerfile",
    "parse_image_size",
]
