"""The reports of a real run are accepted by their consumers' own validators.

The CLI runs on a copy of the example with a planted finding (as a git change,
and as a whole tree without git); the junit.xml it writes must pass the Jenkins
xunit plugin's junit-10.xsd and the SARIF log both the OASIS schema and
GitHub's upload schema.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import EXAMPLE, git, run_aces
from tests.unit.report.conformance import junit_errors, sarif_errors

PLANTED = "proto/arqonbus/presence/v1/presence.proto"
PLANTED_TEXT = 'syntax = "proto3";\n\npackage arqonbus.presence.v1;\n\nmessage Presence {}\n'


def _run_with_planted_finding(tmp_path: Path, mode: str) -> Path:
    """A PR-mode run (a change against the committed example) or a whole-tree run (no git)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aces", "__pycache__"))
    base: tuple[str, ...] = ()
    if mode == "pr":
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        base = ("--base", "HEAD")
    (root / PLANTED).parent.mkdir(parents=True, exist_ok=True)
    (root / PLANTED).write_text(PLANTED_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    done = run_aces("run", str(root), "--stage", "1", *base, "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    return out


@pytest.mark.parametrize("mode", ["pr", "whole-tree"])
def test_real_reports_pass_the_consumers_schemas(tmp_path: Path, mode: str) -> None:
    out = _run_with_planted_finding(tmp_path, mode)
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert "<skipped" in junit and "<failure" in junit
    assert junit_errors(junit) == []
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert results
    assert sarif_errors(sarif) == []
    # Results on a line of a repository file carry GitHub's line fingerprint.
    on_lines = [r for r in results if "region" in r["locations"][0]["physicalLocation"]]
    assert on_lines
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in on_lines)
