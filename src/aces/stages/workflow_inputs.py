"""Which files of a repository GitHub reads as Actions configuration, and as what.

GitHub runs the workflows directly in ``.github/workflows`` (``*.yml`` or
``*.yaml``; not those in its subdirectories). A step's ``uses: ./dir`` or
``owner/repo/dir@ref`` runs the action defined in ``dir``: the runner reads its
``action.yml`` and, only when there is none, its ``action.yaml``, so an
``action.yaml`` beside an ``action.yml`` is never run. Dependabot reads
``.github/dependabot.yml`` (or ``.yaml``). Any directory may hold an action,
so action definitions are looked for everywhere in the tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum


class InputKind(Enum):
    """What GitHub reads a file as; the value is how a message names it."""

    WORKFLOW = "a GitHub workflow"
    ACTION = "a GitHub action definition"
    DEPENDABOT = "a Dependabot configuration"


_WORKFLOW = re.compile(r"\.github/workflows/[^/]+\.ya?ml")
_DEPENDABOT = re.compile(r"\.github/dependabot\.ya?ml")
_ACTION_NAMES = ("action.yml", "action.yaml")


def kind_of(path: str) -> InputKind | None:
    """What GitHub reads ``path`` as by its place and name (None: not Actions configuration).

    A workflow file is a workflow whatever its name; the action shadowed by an
    ``action.yml`` beside it is told apart by ``actions``, which sees the tree.
    """
    if _WORKFLOW.fullmatch(path):
        return InputKind.WORKFLOW
    if _DEPENDABOT.fullmatch(path):
        return InputKind.DEPENDABOT
    if path.rsplit("/", 1)[-1] in _ACTION_NAMES:
        return InputKind.ACTION
    return None


def workflows(files: Iterable[str]) -> tuple[str, ...]:
    """The workflow files GitHub runs, sorted."""
    return tuple(sorted(p for p in files if kind_of(p) is InputKind.WORKFLOW))


def actions(files: Iterable[str]) -> tuple[str, ...]:
    """The action definitions GitHub runs, sorted: ``action.yml``, else ``action.yaml``."""
    found = {p for p in files if kind_of(p) is InputKind.ACTION}
    shadowed = {p.removesuffix("yml") + "yaml" for p in found if p.endswith("action.yml")}
    return tuple(sorted(found - shadowed))


def dependabot_configs(files: Iterable[str]) -> tuple[str, ...]:
    """The Dependabot configuration files, sorted."""
    return tuple(sorted(p for p in files if kind_of(p) is InputKind.DEPENDABOT))


def audited(files: Iterable[str]) -> tuple[str, ...]:
    """Every workflow, action definition and Dependabot configuration, sorted."""
    paths = tuple(files)
    return tuple(sorted((*workflows(paths), *actions(paths), *dependabot_configs(paths))))
