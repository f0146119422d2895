"""Real git repositories built inside each test, isolated from the user's git config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.unit.workspace.gitrepo import GitRepo


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's global and system git configuration out of every test."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], GitRepo]:
    """Create an empty repository (default branch ``main``) in a fresh directory."""

    def make(name: str = "repo") -> GitRepo:
        root = tmp_path / name
        root.mkdir()
        repo = GitRepo(root)
        repo.git("init", "-q", "-b", "main")
        return repo

    return make


@pytest.fixture
def repo(make_repo: Callable[[str], GitRepo]) -> GitRepo:
    """An empty repository on branch ``main``."""
    return make_repo("repo")
