"""Shared helpers of the end-to-end tests: run the real CLI in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.example_repo import frozen_date_env

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "arqonbus-mini"


def run_aces(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m aces ARGS`` with a clean CI-free environment."""
    base = {k: v for k, v in os.environ.items() if not is_ci_variable(k)}
    return subprocess.run(
        [sys.executable, "-m", "aces", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def is_ci_variable(name: str) -> bool:
    """Whether a variable is one a CI system sets (it would change the run's Change)."""
    return name.startswith(("GITHUB_", "CI_", "BUILDKITE")) or name in ("GITLAB_CI", "CI")


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a fixed identity and the example's frozen commit date."""
    env = {
        **frozen_date_env(),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout
