"""Copies of the reference example for integration tests: plain, or a git repo with a base.

Integration tests mutate a copy and check the change against the untouched example,
so every stage's tests build their fixtures the same way.

The example is a frozen fixture: its committed vulnerability database is dated, and the
audit counts the database's age to the HEAD commit's date. Its copies are therefore
committed at :data:`FROZEN_COMMIT_DATE`, the day after the database's ``updated`` date,
whatever today's date is (``tests/conftest.py`` applies it to every commit of the suite).
"""

from __future__ import annotations

import datetime as dt
import json
import os
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


def frozen_commit_date(example: Path = EXAMPLE) -> str:
    """The date every commit of an example copy carries: a day after its database's."""
    meta = json.loads((example / ".osv" / "aces-vulndb.json").read_text(encoding="utf-8"))
    updated = dt.datetime.fromisoformat(str(meta["updated"]).replace("Z", "+00:00"))
    return (updated + dt.timedelta(days=1)).isoformat()


FROZEN_COMMIT_DATE = frozen_commit_date()


def frozen_date_env(date: str = FROZEN_COMMIT_DATE) -> dict[str, str]:
    """The environment of a git commit dated ``date`` (author and committer)."""
    return {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}


def copy_example(tmp_path: Path) -> Path:
    """A plain copy of the example (no git: the whole tree is the Change)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=IGNORED)
    return root


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` with a fixed identity and the frozen commit date."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        env=frozen_date_env(),
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
