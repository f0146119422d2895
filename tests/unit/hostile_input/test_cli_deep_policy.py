"""An ``aces.toml`` nested 100,000 deep: exit 2 and one line naming the file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aces.cli.main import main


def test_deep_policy_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "aces.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert main(["run", str(tmp_path), "--stage", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "aces.toml: nested more than 100 levels deep" in err
    assert "RecursionError" not in err
