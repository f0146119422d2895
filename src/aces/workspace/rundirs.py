"""Where a run keeps its reports and reusable tool output, out of the work tree.

A run outside CI never leaves an untracked directory in the repository it checks:
reports (``out``), cargo's target directory (``cargo-target``), buf's cache and
compiled images (``proto``) and the histories of stage 6's workloads (``histories``)
go under the repository's git directory (``.git/aces/<name>/<workspace digest>``,
shared by its worktrees), or outside git in
the user's cache directory (``$XDG_CACHE_HOME/aces/<name>/<digest>``,
``~/.cache/aces/...``). In a CI job they stay in ``.aces/<name>`` of the workspace,
where the generated pipelines upload the reports and save the caches; the job's
work tree is thrown away. With nowhere else to go (no git, no home) they fall back to
``.aces/<name>``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from aces.workspace import git
from aces.workspace.cienv import is_ci

IN_TREE = ".aces"  # the workspace folder used in CI (and as the last resort)
OUT = "out"
CARGO_TARGET = "cargo-target"
PROTO = "proto"
HISTORIES = "histories"


def run_dir(root: Path, name: str, *, is_git: bool, env: Mapping[str, str] | None = None) -> Path:
    """The directory ``name`` (``out``, ``cargo-target``, ``proto``) of the workspace ``root``."""
    environ = os.environ if env is None else env
    if is_ci(environ):
        return root / IN_TREE / name
    if is_git:
        return git.common_dir(root) / "aces" / name / _digest(git.show_prefix(root))
    home = environ.get("XDG_CACHE_HOME") or (
        f"{environ['HOME']}/.cache" if environ.get("HOME") else ""
    )
    if not home:
        return root / IN_TREE / name
    return Path(home) / "aces" / name / _digest(str(root.resolve()))


def _digest(text: str) -> str:
    """A short name for a workspace, stable across runs."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
