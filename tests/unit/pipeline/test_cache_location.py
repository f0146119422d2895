"""Where the result cache lives: never an untracked directory in a developer's work tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

from aces.pipeline.cache import default_cache_dir


def init(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_in_git_the_cache_is_under_the_git_directory(tmp_path: Path) -> None:
    root = init(tmp_path / "repo")
    top = default_cache_dir(root, is_git=True, env={"HOME": str(tmp_path)})
    sub = default_cache_dir(root / "sub", is_git=True, env={"HOME": str(tmp_path)})
    assert top is not None and sub is not None
    assert top.parent == sub.parent == (root / ".git" / "aces" / "cache").resolve()
    assert top != sub  # one cache per workspace directory


def test_a_linked_worktree_shares_the_main_git_directory(tmp_path: Path) -> None:
    root = init(tmp_path / "repo")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    subprocess.run([*git, "worktree", "add", "-q", str(tmp_path / "wt")], check=True)
    found = default_cache_dir(tmp_path / "wt", is_git=True, env={})
    assert found is not None and found.parent == (root / ".git" / "aces" / "cache").resolve()


def test_outside_git_the_user_cache_directory(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    found = default_cache_dir(root, is_git=False, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert found is not None and found.parent == tmp_path / "xdg" / "aces"
    home = default_cache_dir(root, is_git=False, env={"HOME": str(tmp_path / "h")})
    assert home is not None and home.parent == tmp_path / "h" / ".cache" / "aces"
    assert default_cache_dir(root, is_git=False, env={}) is None


def test_ci_jobs_keep_the_cache_where_the_pipeline_saves_it(tmp_path: Path) -> None:
    root = init(tmp_path / "repo")
    for marker in ("GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CI"):
        assert default_cache_dir(root, is_git=True, env={marker: "true"}) == (
            root / ".aces" / "cache"
        )


def test_aces_cache_dir_wins(tmp_path: Path) -> None:
    root = init(tmp_path / "repo")
    env = {"ACES_CACHE_DIR": str(tmp_path / "elsewhere"), "GITLAB_CI": "true"}
    assert default_cache_dir(root, is_git=True, env=env) == tmp_path / "elsewhere"
