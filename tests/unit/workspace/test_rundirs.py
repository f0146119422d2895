"""Where reports and reusable tool output go: out of a developer's work tree, in CI's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aces.workspace.rundirs import CARGO_TARGET, OUT, PROTO, run_dir


def init(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.mark.parametrize("name", [OUT, CARGO_TARGET, PROTO])
def test_in_git_under_the_git_directory_one_per_workspace_directory(
    tmp_path: Path, name: str
) -> None:
    root = init(tmp_path / "repo")
    top = run_dir(root, name, is_git=True, env={"HOME": str(tmp_path)})
    sub = run_dir(root / "sub", name, is_git=True, env={"HOME": str(tmp_path)})
    assert top.parent == sub.parent == (root / ".git" / "aces" / name).resolve()
    assert top != sub
    assert run_dir(root, name, is_git=True, env={}) == top  # stable across runs


def test_outside_git_the_user_cache_directory_or_the_tree_as_a_last_resort(
    tmp_path: Path,
) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    xdg = run_dir(root, OUT, is_git=False, env={"XDG_CACHE_HOME": str(tmp_path / "x")})
    assert xdg.parent == tmp_path / "x" / "aces" / OUT
    home = run_dir(root, OUT, is_git=False, env={"HOME": str(tmp_path / "h")})
    assert home.parent == tmp_path / "h" / ".cache" / "aces" / OUT
    assert run_dir(root, OUT, is_git=False, env={}) == root / ".aces" / OUT


@pytest.mark.parametrize("marker", ["GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CI"])
def test_ci_jobs_keep_them_where_the_generated_pipelines_upload_them(
    tmp_path: Path, marker: str
) -> None:
    root = init(tmp_path / "repo")
    assert run_dir(root, OUT, is_git=True, env={marker: "true"}) == root / ".aces" / "out"
