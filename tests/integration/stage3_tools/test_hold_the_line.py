"""Hold the line in PR mode: stage 3 blocks on what the change adds, counts the existing debt.

The fixture repository has lint debt in a file the change does not touch
(``legacy.py``: an unused import, a bare ``except``, a ``# noqa``) and on an
unchanged line of the touched file (``app.py`` line 1: an unused import), and the
change adds one unused variable on line 5 of ``app.py``. ruff runs for real.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aces.cli.main import main
from aces.doctrine.catalog import load_doctrine
from aces.model import Finding, Severity
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.static_patterns import PATTERN_CHECKS
from aces.stages.static_tools import TOOL_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

CHECKS = {check.id: check for check in (*TOOL_CHECKS, *PATTERN_CHECKS)}
LEGACY = (
    "import os\n"
    "\n"
    "\n"
    "def load(path):\n"
    "    try:\n"
    "        return open(path).read()  # noqa: SIM115\n"
    "    except:\n"
    "        return None\n"
)
APP_BASE = 'import sys\n\n\ndef main():\n    return "ok"\n'
APP_HEAD = 'import sys\n\n\ndef main():\n    unused = 1\n    return "ok"\n'


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "legacy.py").write_text(LEGACY, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP_BASE, encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "app.py").write_text(APP_HEAD, encoding="utf-8")
    git(tmp_path, "commit", "-q", "-am", "change")
    return tmp_path


def merged(root: Path) -> Path:
    """The change merged: HEAD is the default branch's tip, a whole-tree run."""
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "feature")
    return root


def findings(root: Path, check_id: str, base: str | None) -> tuple[Finding, ...]:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    check: Check = CHECKS[check_id]
    return tuple(check.run(ctx))


def blocking(found: tuple[Finding, ...]) -> list[tuple[str, tuple[str, ...], str, int | None]]:
    return sorted(
        (f.rule_id, f.clauses, f.location.path, f.location.line)
        for f in found
        if f.severity.blocks and f.location is not None
    )


def notes(found: tuple[Finding, ...]) -> list[tuple[str, str]]:
    assert all(f.clauses for f in found)  # the note names the check's clauses too
    return [(f.rule_id, f.message) for f in found if f.severity is Severity.NOTE]


CLAUSES = ("lint.python", "lint.warnings-are-errors")


def test_pr_mode_blocks_only_on_the_new_violation_and_counts_the_debt(repo: Path) -> None:
    found = findings(repo, "lint.python.ruff", "main")
    assert blocking(found) == [("lint.python.ruff.F841", CLAUSES, "app.py", 5)]
    # legacy.py is not even linted (ruff gets the changed files); app.py:1 is debt
    assert notes(found) == [
        (
            "lint.python.ruff.debt",
            "1 finding of existing debt outside the change (not blocking)",
        )
    ]


def test_whole_tree_run_judges_every_finding(repo: Path) -> None:
    found = findings(merged(repo), "lint.python.ruff", None)
    places = [(rule, path, line) for rule, _, path, line in blocking(found)]
    assert ("lint.python.ruff.F401", "app.py", 1) in places
    assert ("lint.python.ruff.F841", "app.py", 5) in places
    assert ("lint.python.ruff.F401", "legacy.py", 1) in places
    assert ("lint.python.ruff.E722", "legacy.py", 7) in places
    assert notes(found) == []


def test_debt_block_policy_blocks_on_every_finding_in_pr_mode(repo: Path) -> None:
    (repo / "aces.toml").write_text(
        'policy_version = "1.0.0"\n[patterns]\ndebt = "block"\n', encoding="utf-8"
    )
    found = findings(repo, "lint.python.ruff", "main")
    places = [(rule, path, line) for rule, _, path, line in blocking(found)]
    assert ("lint.python.ruff.F401", "legacy.py", 1) in places
    assert ("lint.python.ruff.F401", "app.py", 1) in places
    assert notes(found) == []


def test_suppressions_in_untouched_files_do_not_block_in_pr_mode(repo: Path) -> None:
    pr = findings(repo, "principle.no-manual-exceptions", "main")
    assert blocking(pr) == []
    # the scan reads only the changed files, so the untouched legacy.py is not even counted
    assert notes(pr) == []
    whole = findings(merged(repo), "principle.no-manual-exceptions", None)
    assert [(r, p, n) for r, _, p, n in blocking(whole)] == [
        ("principle.no-manual-exceptions.noqa", "legacy.py", 6)
    ]


def test_forbidden_patterns_outside_the_change_are_debt(repo: Path) -> None:
    pr = findings(repo, "lint.forbidden-patterns", "main")
    assert blocking(pr) == []
    assert [rule for rule, _ in notes(pr)] == ["lint.forbidden-patterns.debt"]
    whole = findings(merged(repo), "lint.forbidden-patterns", None)
    assert any(path == "legacy.py" for _, _, path, _ in blocking(whole))


def test_a_new_suppression_on_a_changed_line_blocks(repo: Path) -> None:
    (repo / "app.py").write_text(APP_HEAD + "X = 1  # noqa: E501\n", encoding="utf-8")
    found = findings(repo, "principle.no-manual-exceptions", "main")
    assert [(r, p, n) for r, _, p, n in blocking(found)] == [
        ("principle.no-manual-exceptions.noqa", "app.py", 7)
    ]


BRANCHY = "def pick(n):\n    if n == 1:\n        return 1\n    return 0\n"


def test_a_change_inside_a_function_that_makes_it_too_complex_blocks(repo: Path) -> None:
    arms = "".join(f"    if n == {i}:\n        return {i}\n" for i in range(3, 14))
    (repo / "app.py").write_text(APP_HEAD + "\n\n" + BRANCHY, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "add pick")
    git(repo, "branch", "-f", "main", "HEAD")
    grown = BRANCHY.replace("    return 0\n", arms + "    return 0\n")
    (repo / "app.py").write_text(APP_HEAD + "\n\n" + grown, encoding="utf-8")
    found = findings(repo, "lint.complexity", "main")
    # the finding is at the (unchanged) def line; the function's changed body makes it new
    assert [(r, p, n) for r, _, p, n in blocking(found)] == [
        ("lint.complexity.cyclomatic", "app.py", 9)
    ]


def test_a_change_that_makes_an_existing_function_too_long_blocks(repo: Path) -> None:
    body = "".join(f"    x{i} = {i % 2}\n" for i in range(50))
    (repo / "long.py").write_text(f"def long():\n{body}    return x0\n", encoding="utf-8")
    git(repo, "add", "long.py")
    git(repo, "commit", "-q", "-m", "add long")
    git(repo, "branch", "-f", "main", "HEAD")
    more = "".join(f"    y{i} = {i % 2}\n" for i in range(20))
    (repo / "long.py").write_text(f"def long():\n{body}{more}    return x0\n", encoding="utf-8")
    found = findings(repo, "lint.forbidden-patterns", "main")
    rules = [(r, p, n) for r, _, p, n in blocking(found)]
    assert ("lint.forbidden-patterns.python.long-function", "long.py", 1) in rules


def test_aces_run_in_pr_mode_fails_on_the_new_finding_and_reports_the_debt(repo: Path) -> None:
    out = repo.parent / "out"
    argv = ["run", str(repo), "--stage", "3", "--base", "main", "--no-cache", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    found = [
        (f["severity"], f["rule_id"], (f.get("location") or {}).get("path"))
        for stage in report["stages"]
        for check in stage["checks"]
        for f in check["findings"]
    ]
    assert ("error", "lint.python.ruff.F841", "app.py") in found
    assert ("note", "lint.python.ruff.debt", None) in found
    assert all(path == "app.py" for severity, _, path in found if severity == "error")
    status = {c["id"]: c["status"] for stage in report["stages"] for c in stage["checks"]}
    # legacy.py's bare except is debt: the check passes with its note
    assert status["lint.forbidden-patterns"] == "PASS"
    assert status["lint.python.ruff"] == "FAIL"


def test_a_new_import_that_unsorts_an_existing_block_blocks(repo: Path) -> None:
    (repo / "ruff.toml").write_text('[lint]\nextend-select = ["I"]\n', encoding="utf-8")
    git(repo, "add", "ruff.toml")
    git(repo, "commit", "-q", "-m", "sort imports")
    git(repo, "branch", "-f", "main", "HEAD")
    (repo / "app.py").write_text("import sys\nimport abc\n" + APP_HEAD[len("import sys\n") :])
    found = findings(repo, "lint.python.ruff", "main")
    # ruff reports the unsorted block at its first (unchanged) line; the block spans line 2
    assert ("lint.python.ruff.I001", "app.py", 1) in [(r, p, n) for r, _, p, n in blocking(found)]
