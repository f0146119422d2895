"""Copies of the reference example for integration tests: plain, or a git repo with a base.

Integration tests mutate a copy and check the change against the untouched example,
so every stage's tests build their fixtures the same way.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from aces.doctrine.catalog import load_doctrine
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arqonbus-mini"
IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".aces", "target")


def copy_example(tmp_path: Path) -> Path:
    """A plain copy of the example (no git: the whole tree is the Change)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=IGNORED)
    return root


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` with a fixed identity."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def git_example(tmp_path: Path) -> Path:
    """A git copy of the example with one base commit on main."""
    root = copy_example(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def context(root: Path, *, base: str | None = None, body: str = "") -> RunContext:
    """The RunContext of a run on ``root`` (policy from its aces.toml)."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=PullRequest(body=body))
    return RunContext(ws, change, loaded, load_doctrine())
