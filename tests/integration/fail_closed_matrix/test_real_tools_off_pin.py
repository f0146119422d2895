"""A real tool that works but is not the pinned version never judges a change.

The tool in ``.tools/bin`` is the real program behind a wrapper that reports
another version: everything it does is right, only its version is not the one
``[toolchain]`` pins. The stage that runs it is ERROR naming the tool, the
version found, the pin and where; ``aces doctor`` says ``version mismatch`` for
the same program, because both ask the same resolver.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.integration.fail_closed_matrix.shims import write

from aces.cli.cmd_doctor import run_doctor
from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import CheckResult, Status
from aces.pipeline.cache import ResultCache
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.stages import STAGES
from aces.stages.schema_proto import ProtoLint
from aces.stages.security_workflows import WORKFLOW_CHECKS
from aces.tools.buf import find_buf
from aces.tools.doctor import ToolStatus
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

REAL_BUF = find_buf(Path(__file__).resolve().parents[3], os.environ.get("PATH", ""))
REAL_GIT = shutil.which("git")
PING = 'syntax = "proto3";\npackage acme.v1;\n\nmessage Ping {\n  string id = 1;\n}\n'
POLICY = 'policy_version = "1.0.0"\ndoctrine = "aces-1.0.0"\n[toolchain]\n'


def wrapper(real: str, version_line: str, flag: str = "--version") -> str:
    """The real program, except that it reports ``version_line`` as its version."""
    arms = f"  {flag}) echo '{version_line}' ;;\n  *) exec {real} \"$@\" ;;\n"
    return f'#!/bin/sh\ncase "$1" in\n{arms}esac\n'


@pytest.mark.skipif(REAL_BUF is None, reason="buf is not installed (make buf)")
def test_a_working_buf_of_another_version_is_an_error_in_stage_2(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "proto/acme/v1").mkdir(parents=True)
    (root / "proto/acme/v1/ping.proto").write_text(PING, encoding="utf-8")
    (root / "aces.toml").write_text(POLICY + 'buf = "1.75.0"\n', encoding="utf-8")
    shim = root / ".tools/bin/buf"
    write(shim, wrapper(str(REAL_BUF), "1.74.0"))
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine(), RunOptions(use_cache=False))
    with pytest.raises(AcesError) as caught:
        list(ProtoLint().run(ctx))
    assert (
        caught.value.message == f"buf 1.74.0 found at {shim}, but [toolchain] pins buf = '1.75.0'"
    )
    doctor = run_doctor(root, env_path=os.environ.get("PATH", ""))
    buf = next(t for t in doctor.tools if t.name == "buf")
    assert (buf.status, buf.path, buf.version) == (ToolStatus.MISMATCH, str(shim), "1.74.0")


@pytest.mark.skipif(REAL_GIT is None, reason="git is not installed")
def test_a_working_git_of_another_version_stops_aces_run(tmp_path: Path) -> None:
    assert REAL_GIT is not None
    root = tmp_path / "repo"
    root.mkdir()
    (root / "aces.toml").write_text(POLICY + 'git = "2.39"\n', encoding="utf-8")
    write(root / ".tools/bin/git", wrapper(REAL_GIT, "git version 2.30.9"))
    subprocess.run([REAL_GIT, "init", "-q", str(root)], check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_COMMITTER_NAME": "t"}
    argv = [sys.executable, "-m", "aces", "run", str(root), "--stage", "1", "--no-cache"]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "git 2.30.9 found at " in result.stderr
    assert "but [toolchain] pins git = '2.39'" in result.stderr


REAL_RUFF = Path(sys.executable).parent / "ruff"


def stage3_ruff(root: Path, path_dir: Path) -> CheckResult:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    runner = ProcessRunner(base_env={"PATH": f"{path_dir}:/usr/bin:/bin"})
    options = RunOptions(stages=(3,))
    ctx = RunContext(ws, change, loaded, load_doctrine(), options, processes=runner)
    report = run_pipeline(STAGES, ctx, cache=ResultCache(root / ".aces/cache"))
    return next(c for c in report.checks if c.check_id == "lint.python.ruff")


@pytest.mark.skipif(not REAL_RUFF.is_file(), reason="ruff is not installed beside the interpreter")
def test_a_cached_pass_is_not_served_after_the_tool_changed_version(tmp_path: Path) -> None:
    real = subprocess.run([REAL_RUFF, "--version"], capture_output=True, text=True, check=True)
    version = real.stdout.split()[1]
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text("VALUE = 1\n", encoding="utf-8")
    (root / "aces.toml").write_text(POLICY + f'ruff = "{version}"\n', encoding="utf-8")
    path_dir = tmp_path / "path"  # outside the repository: the tree does not change
    write(path_dir / "ruff", wrapper(str(REAL_RUFF), f"ruff {version}"))
    assert stage3_ruff(root, path_dir).status is Status.PASS
    write(path_dir / "ruff", wrapper(str(REAL_RUFF), "ruff 0.0.1"))
    again = stage3_ruff(root, path_dir)
    assert (again.status, again.cached) == (Status.ERROR, False)
    assert f"but [toolchain] pins ruff = '{version}'" in again.reason


# -- GitHub workflows: the real zizmor and actionlint, reporting another version ---------------

WORKFLOW = """\
name: test
on: pull_request
permissions:
  contents: read
jobs:
  test:
    name: test
    runs-on: ubuntu-24.04
    steps:
      - run: echo test
"""
REPO_ROOT = Path(__file__).resolve().parents[3]


def real_tool(name: str) -> Path | None:
    """The tool ``aces run`` would use from this checkout (``make`` installs both)."""
    resolver = ToolResolver.for_repository(REPO_ROOT, ProcessRunner(), {})
    return resolver.locate(name)


REAL_ZIZMOR = real_tool("zizmor")
REAL_ACTIONLINT = real_tool("actionlint")


def workflow_repo(tmp_path: Path, pins: str) -> Path:
    root = tmp_path / "repo"
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/test.yml").write_text(WORKFLOW, encoding="utf-8")
    (root / "aces.toml").write_text(POLICY + pins, encoding="utf-8")
    return root


def workflow_check_error(root: Path, check_id: str) -> str:
    """The error one stage 7 workflow check raises (it must raise)."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine(), RunOptions(use_cache=False))
    check = next(c for c in WORKFLOW_CHECKS if c.id == check_id)
    with pytest.raises(AcesError) as caught:
        list(check.run(ctx))
    return caught.value.message


@pytest.mark.skipif(REAL_ZIZMOR is None, reason="zizmor is not installed (make)")
def test_a_working_zizmor_of_another_version_is_an_error_in_stage_7(tmp_path: Path) -> None:
    root = workflow_repo(tmp_path, "")  # no pin: ACES's own (the catalog's default pin)
    shim = root / ".tools/bin/zizmor"
    write(shim, wrapper(str(REAL_ZIZMOR), "zizmor 1.31.0"))
    assert workflow_check_error(root, "ci.workflow-audit") == (
        f"zizmor 1.31.0 found at {shim}, but ACES (no [toolchain] pin) pins zizmor = '1.32.0'"
    )
    doctor = run_doctor(root, env_path=os.environ.get("PATH", ""))
    found = next(t for t in doctor.tools if t.name == "zizmor")
    assert (found.status, found.path, found.version) == (ToolStatus.MISMATCH, str(shim), "1.31.0")


@pytest.mark.skipif(REAL_ACTIONLINT is None, reason="actionlint is not installed (make actionlint)")
def test_a_working_actionlint_of_another_version_is_an_error_in_stage_7(tmp_path: Path) -> None:
    root = workflow_repo(tmp_path, 'actionlint = "1.7.12"\n')
    shim = root / ".tools/bin/actionlint"
    write(shim, wrapper(str(REAL_ACTIONLINT), "v1.7.11", "-version"))
    assert workflow_check_error(root, "ci.workflow-lint") == (
        f"actionlint 1.7.11 found at {shim}, but [toolchain] pins actionlint = '1.7.12'"
    )
    doctor = run_doctor(root, env_path=os.environ.get("PATH", ""))
    found = next(t for t in doctor.tools if t.name == "actionlint")
    assert (found.status, found.path, found.version) == (ToolStatus.MISMATCH, str(shim), "1.7.11")
