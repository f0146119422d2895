"""A run outside CI leaves the work tree as it found it; its reports are where it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.example_repo import git_example

CI_MARKERS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "ACES_CACHE_DIR")
REPORTS = ("report.json", "report.sarif", "junit.xml", "summary.md", "codequality.json")


def test_a_run_outside_ci_leaves_git_status_clean(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in CI_MARKERS}
    argv = [sys.executable, "-m", "aces", "run", str(root), "--keep-going", "--quiet"]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode in (0, 1, 2), result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("reports: "))
    written = [Path(p) for p in line.removeprefix("reports: ").split(", ")]
    assert sorted(p.name for p in written) == sorted(REPORTS)
    assert all(p.is_file() for p in written), written
    assert all(p.is_relative_to(root / ".git") for p in written), written
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    assert not (root / ".aces").exists()
