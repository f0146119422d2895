"""The generated pipelines publish what each CI shows, after a failure too, never softening it.

The scripts are run here with stand-ins for ``aces`` and ``buildkite-agent`` on PATH, so the
tests check what the shell does with the stage's exit status, not only the YAML's shape.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from aces.generate import ci_github
from aces.generate.ci import render_ci
from aces.generate.ci_common import CiOptions
from aces.stages import STAGES

SLUGS = [stage.slug for stage in STAGES]


def load(provider: str) -> dict[str, Any]:
    """The pipeline of ``provider`` parsed back into data."""
    document = yaml.safe_load(render_ci(provider, STAGES, CiOptions()))
    assert isinstance(document, dict)
    return document


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _fake_aces(tmp_path: Path, exit_code: int, *, writes_summary: bool = True) -> Path:
    """A bin directory whose ``aces`` writes summary.md into --out and exits ``exit_code``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    summary = 'mkdir -p "$5" && echo "# ACES stage report" > "$5/summary.md"\n'
    _stub(bin_dir, "aces", (summary if writes_summary else "") + f"exit {exit_code}\n")
    return bin_dir


# ---------------------------------------------------------------------------- GitHub


def _github_steps(slug: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = load("github")["jobs"][slug]["steps"]
    return steps


def test_github_stage_summary_is_published_after_the_stage_step() -> None:
    for slug in SLUGS:
        names = [step["name"] for step in _github_steps(slug)]
        assert names[-2:] == ["Publish the stage summary", "Upload the stage report"]
        step = _github_steps(slug)[-2]
        assert step["if"] == "${{ !cancelled() }}"
        assert step["env"] == {"SUMMARY": f".aces/out/{slug}/summary.md"}
        # No expression is expanded inside the script.
        assert "${{" not in step["run"]


@pytest.mark.parametrize("written", [True, False])
def test_github_summary_step_appends_summary_md(tmp_path: Path, written: bool) -> None:
    step = _github_steps("s03-static")[-2]
    summary = tmp_path / "summary.md"
    if written:
        summary.write_text("# ACES: FAIL\n", encoding="utf-8")
    page = tmp_path / "step-summary"
    env = {"SUMMARY": str(summary), "GITHUB_STEP_SUMMARY": str(page), "PATH": os.defpath}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=False)
    assert done.returncode == 0
    text = page.read_text(encoding="utf-8")
    if written:
        assert text == "# ACES: FAIL\n"
    else:
        assert "ACES wrote no summary for stage 3" in text


def test_github_junit_of_every_stage_is_one_artifact() -> None:
    steps = load("github")["jobs"]["report"]["steps"]
    junit = next(s for s in steps if s["name"] == "Publish the JUnit results")
    assert junit["uses"] == ci_github.uses("actions/upload-artifact")
    assert junit["with"]["name"] == "aces-junit"
    # It runs before the gate, so a failed run publishes it too.
    assert steps.index(junit) < len(steps) - 1


def test_github_sarif_categories_are_one_per_stage() -> None:
    steps = load("github")["jobs"]["report"]["steps"]
    categories = [s["with"]["category"] for s in steps if "category" in s.get("with", {})]
    assert categories == [f"aces/{slug}" for slug in SLUGS]
    assert len(set(categories)) == len(SLUGS)


# ---------------------------------------------------------------------------- GitLab


def test_gitlab_every_stage_publishes_junit_and_code_quality_always() -> None:
    document = load("gitlab")
    for slug in SLUGS:
        artifacts = document[slug]["artifacts"]
        assert artifacts["when"] == "always"
        assert artifacts["reports"]["junit"] == f".aces/out/{slug}/junit.xml"
        assert artifacts["reports"]["codequality"] == f".aces/out/{slug}/codequality.json"
        assert "when" not in document[slug]
        assert "allow_failure" not in document[slug]


# ---------------------------------------------------------------------------- Buildkite


def _buildkite_script(slug: str) -> str:
    """The stage step's last command as the agent's shell receives it (``$$`` -> ``$``)."""
    step = next(s for s in load("buildkite")["steps"] if s["key"] == slug)
    command: str = step["commands"][-1]
    return command.replace("$$", "$")


def _run_buildkite(tmp_path: Path, aces_exit: int, annotate_exit: int = 0, **kw: bool) -> Any:
    bin_dir = _fake_aces(tmp_path, aces_exit, **kw)
    log = tmp_path / "annotate.log"
    _stub(
        bin_dir,
        "buildkite-agent",
        f'echo "$@" > "{log}"\ncat >> "{log}"\nexit {annotate_exit}\n',
    )
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.defpath}"}
    script = _buildkite_script("s04-build")
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    return done, log


@pytest.mark.parametrize("aces_exit", [1, 2])
def test_buildkite_failed_stage_is_annotated_and_still_fails(
    tmp_path: Path, aces_exit: int
) -> None:
    done, log = _run_buildkite(tmp_path, aces_exit)
    assert done.returncode == aces_exit
    assert log.read_text(encoding="utf-8").splitlines() == [
        "annotate --context aces-s04-build --style error",
        "# ACES stage report",
    ]


def test_buildkite_passed_stage_is_annotated_success(tmp_path: Path) -> None:
    done, log = _run_buildkite(tmp_path, 0)
    assert done.returncode == 0
    assert "--style success" in log.read_text(encoding="utf-8")


def test_buildkite_failing_annotation_never_changes_the_outcome(tmp_path: Path) -> None:
    done, _log = _run_buildkite(tmp_path, 1, annotate_exit=3)
    assert done.returncode == 1
    assert "could not annotate" in done.stdout


def test_buildkite_crash_without_reports_still_fails(tmp_path: Path) -> None:
    done, log = _run_buildkite(tmp_path, 2, writes_summary=False)
    assert done.returncode == 2
    assert not log.exists()


def test_buildkite_junit_is_among_the_artifacts() -> None:
    for step in load("buildkite")["steps"][:-1]:
        assert step["artifact_paths"] == [f".aces/out/{step['key']}/**/*"]
