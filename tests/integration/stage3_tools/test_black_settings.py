"""A project formatted with black and no ruff configuration: ruff formats by black's settings.

ruff's formatter is black's, but ruff reads only its own configuration. Without one,
ACES's default takes ``[tool.black]`` from the project's ``pyproject.toml``: a line
black accepts at ``line-length = 100`` is not reported as unformatted at ruff's 88.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage3_tools.test_python_lint_scope import make_repo, places, pyproject

# 96 characters: over ruff's default 88, within the project's 100.
LONG_CALL = (
    "def send(client, payload, headers):\n"
    '    return client.post("/v1/messages", json=payload, headers=headers, timeout=30, retries=3)\n'
)
BLACK = "[tool.black]\nline-length = 100\ntarget-version = ['py310']\n"


def test_a_line_black_accepts_at_the_projects_length_is_formatted(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r", {"pyproject.toml": pyproject(">=3.10", BLACK), "m.py": LONG_CALL}
    )
    assert places(root, "lint.python.format") == []


def test_without_black_settings_ruffs_default_length_applies(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"pyproject.toml": pyproject(">=3.10"), "m.py": LONG_CALL})
    assert places(root, "lint.python.format") == [("lint.python.format", "m.py", 2)]


def test_a_ruff_configuration_wins_over_black_settings(tmp_path: Path) -> None:
    both = BLACK + "[tool.ruff]\nline-length = 88\n"
    root = make_repo(
        tmp_path / "r", {"pyproject.toml": pyproject(">=3.10", both), "m.py": LONG_CALL}
    )
    assert places(root, "lint.python.format") == [("lint.python.format", "m.py", 2)]
