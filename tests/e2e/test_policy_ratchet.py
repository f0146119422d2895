"""The policy ratchet through the real CLI: deleting aces.toml does not weaken the run.

A change that deletes a test file and ``aces.toml`` used to run stage 5 under the
doctrine default (no coverage baseline) and pass. Now stage 1 reports the deleted
policy (gov.only-stricter) and stage 5 runs under the base's policy, whose
coverage ratchet fails the deleted test's lost coverage (test.coverage-drop).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.helpers import EXAMPLE, git, run_aces


def test_deleting_a_test_and_the_policy_fails_under_the_base_policy(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aces", "target", "__pycache__"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "change")
    git(root, "rm", "-q", "aces.toml", "tests/test_session.py")
    git(root, "commit", "-q", "-m", "drop a test and the policy")
    done = run_aces(
        "run", str(root), "--base", "main", "--stage", "1", "--stage", "5", "--keep-going",
        "--no-cache", "--quiet", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["policy"] == {"source": f"{base[:12]}:aces.toml", "version": "1.0.0"}
    statuses = {
        check["id"]: check["status"] for stage in report["stages"] for check in stage["checks"]
    }
    assert statuses["gov.only-stricter"] == "FAIL"
    assert statuses["test.coverage-drop"] == "FAIL"


def test_a_looser_policy_flag_fails_and_the_repository_policy_stays(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aces", "target", "__pycache__"))
    text = (root / "aces.toml").read_text(encoding="utf-8")
    looser = tmp_path / "other.toml"
    looser.write_text(text.replace('core_libraries = ["src/arqonbus_mini/*.py"]\n', ""), "utf-8")
    done = run_aces(
        "run", str(root), "--policy", str(looser), "--stage", "1", "--no-cache", "--quiet",
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["policy"]["source"] == "aces.toml"
    stricter = report["stages"][0]["checks"]
    found = [f for check in stricter for f in check["findings"]]
    # a file outside the repository is no report location: the message names it
    assert [(f["rule_id"], "location" in f) for f in found] == [("gov.only-stricter", False)]
    assert found[0]["message"].startswith(f"{looser}:")
