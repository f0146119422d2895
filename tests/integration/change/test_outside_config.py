"""Nothing from outside the repository reaches a tool.

The same repository is run twice: once under a parent directory that holds tool
configuration (a hostile ``ruff.toml``, ``pyproject.toml`` with ``[tool.ruff]``,
``buf.yaml``, ``.cargo/config.toml`` and ``.editorconfig``), with its temp directory
(``TMPDIR``) below that parent too, and once elsewhere. Base-version worktrees, build
copies and temp files must not pick that configuration up: the verdicts, statuses and
findings are the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.helpers import REPO, is_ci_variable
from tests.integration.example_repo import git, git_example

from aces.errors import InputError
from aces.workspace.scratch import config_above, scratch_parent

HOSTILE = {
    "ruff.toml": 'line-length = 20\n[lint]\nselect = ["ALL"]\n',
    "pyproject.toml": (
        '[project]\nname = "outer"\nversion = "0"\n'
        '[tool.ruff]\nline-length = 20\n[tool.ruff.lint]\nselect = ["ALL"]\n'
    ),
    "buf.yaml": (
        "version: v2\nmodules:\n  - path: elsewhere\nlint:\n  use:\n    - STANDARD\n"
        "    - COMMENTS\nbreaking:\n  use:\n    - WIRE\n  ignore:\n    - arqonbus\n"
    ),
    ".cargo/config.toml": '[build]\ntarget = "thumbv7em-none-eabihf"\n',
    ".editorconfig": "root = true\n[*]\nindent_style = tab\nmax_line_length = 20\n",
}
ENVELOPE = "proto/arqonbus/v1/envelope.proto"
SERVICE = '''"""A service without its own lint configuration."""


def greet(name: str) -> str:
    """A greeting, in a line longer than the parent's twenty columns."""
    return f"hello {name}"
'''
PROTO = (
    'syntax = "proto3";\n\npackage bus.v1;\n\n// A message.\nmessage Note {\n'
    "  // Its id.\n  string id = 1;\n  // Its text.\n  string text = 2;\n}\n"
)


def hostile_parent(path: Path) -> Path:
    for rel, text in HOSTILE.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text, encoding="utf-8")
    return path


def outcome(root: Path, tmpdir: Path, out: Path, *stages: str) -> dict[str, object]:
    """Verdict, check statuses and findings of ``aces run`` on ``root`` with ``TMPDIR``."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not is_ci_variable(k)}
    env["TMPDIR"] = str(tmpdir)
    selected = [arg for number in stages for arg in ("--stage", number)]
    flags = ("--keep-going", "--no-cache", "--quiet", "--out", str(out))
    subprocess.run(
        [sys.executable, "-m", "aces", "run", str(root), *selected, *flags],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    checks = {}
    for stage in report["stages"]:
        for check in stage["checks"]:
            found = [
                (f["rule_id"], (f.get("location") or {}).get("path"), f["message"])
                for f in check.get("findings", [])
            ]
            checks[check["id"]] = (check["status"], sorted(found))
    return {"verdict": report["verdict"], "checks": checks}


def proto_change(parent: Path) -> Path:
    """The example with a PR that drops a field of the envelope (a breaking change)."""
    root = git_example(parent)
    git(root, "checkout", "-q", "-b", "change")
    path = root / ENVELOPE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  string tenant_id = 9;\n", ""), encoding="utf-8")
    git(root, "commit", "-qam", "drop tenant_id")
    return root


def test_the_example_under_a_configured_parent_gets_the_same_findings(tmp_path: Path) -> None:
    hostile = hostile_parent(tmp_path / "hostile")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    stages = ("2", "4", "11")
    there = outcome(proto_change(hostile), hostile / "tmp", tmp_path / "out-h", *stages)
    here = outcome(proto_change(elsewhere), tmp_path / "tmp", tmp_path / "out-e", *stages)
    assert there == here
    checks = here["checks"]
    assert isinstance(checks, dict)
    assert checks["schema.proto-breaking"][0] == "FAIL"  # the base worktree was compared
    assert checks["build.reproducible"][0] == "PASS"  # built in scratch copies


def small_repo(parent: Path) -> Path:
    """A Python + proto repository with no configuration of its own, and a PR."""
    root = parent / "small"
    (root / "proto").mkdir(parents=True)
    (root / "service.py").write_text(SERVICE, encoding="utf-8")
    (root / "proto" / "note.proto").write_text(PROTO, encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-q", "-b", "change")
    (root / "proto" / "note.proto").write_text(
        PROTO.replace("  string text = 2;\n", ""), encoding="utf-8"
    )
    git(root, "commit", "-qam", "drop text")
    return root


def test_a_repository_without_config_is_not_linted_by_its_parents(tmp_path: Path) -> None:
    hostile = hostile_parent(tmp_path / "hostile")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    there = outcome(small_repo(hostile), hostile / "tmp", tmp_path / "out-h", "2", "3")
    here = outcome(small_repo(elsewhere), tmp_path / "tmp", tmp_path / "out-e", "2", "3")
    assert there == here
    checks = here["checks"]
    assert isinstance(checks, dict)
    assert checks["lint.python.ruff"] == ("PASS", [])


def test_scratch_directories_avoid_configured_temp_locations(tmp_path: Path) -> None:
    hostile = hostile_parent(tmp_path / "hostile")
    (hostile / "tmp").mkdir()
    clean = tmp_path / "clean"
    clean.mkdir()
    assert config_above(hostile / "tmp") == (hostile / ".cargo/config.toml").resolve()
    assert scratch_parent([str(hostile / "tmp"), str(clean)]) == clean
    with pytest.raises(InputError, match="no temp directory is free of tool configuration"):
        scratch_parent([str(hostile / "tmp")])
