"""Stage 7 workflow checks: zizmor and actionlint on fixture workflows, each problem at its
line and clause; a clean workflow and the workflow ``aces generate ci`` writes pass.

The fixtures are small workflows written for these tests. They need the real tools
(``make`` installs both); without them the tests are skipped, and the fail-closed
matrix proves that a missing tool is ERROR.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.generate.ci import render_ci
from aces.generate.ci_common import CiOptions
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages import STAGES
from aces.stages.security_workflows import WORKFLOW_CHECKS
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

Row = tuple[str, tuple[str, ...], str, int | None]
WORKFLOWS = ".github/workflows"
# pull_request_target with a checkout of the PR's head, a template injection, write-all.
PR_TARGET = """\
name: greet
on:
  pull_request_target:
    types: [opened]
permissions: write-all
jobs:
  greet:
    name: greet
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - name: say hello
        run: echo "${{ github.event.pull_request.title }}"
"""
# A job without runs-on: GitHub refuses the workflow.
NO_RUNS_ON = """\
name: lint
on: push
permissions: {}
jobs:
  lint:
    name: lint
    steps:
      - run: echo lint
"""
CLEAN = """\
name: test
on:
  pull_request:
permissions:
  contents: read
concurrency:
  group: test-${{ github.ref }}
  cancel-in-progress: true
jobs:
  test:
    name: test
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2
        with:
          persist-credentials: false
      - name: greet
        env:
          TITLE: ${{ github.event.pull_request.title }}
        run: echo "$TITLE"
"""


def tools_missing() -> str:
    """Why the real tools cannot run here, or ''."""
    resolver = ToolResolver.for_repository(Path.cwd(), ProcessRunner(), {})
    absent = [name for name in ("zizmor", "actionlint") if resolver.locate(name) is None]
    return f"not installed: {', '.join(absent)} (make installs them)" if absent else ""


pytestmark = pytest.mark.skipif(bool(tools_missing()), reason=tools_missing() or "-")


def repo(tmp_path: Path, workflows: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for name, text in workflows.items():
        path = root / WORKFLOWS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("fixture\n", encoding="utf-8")
    return root


def run(root: Path) -> dict[str, list[Row] | str]:
    """Check id -> sorted (rule, clauses, path, line) rows, or the NOT_APPLICABLE reason."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    out: dict[str, list[Row] | str] = {}
    for check in WORKFLOW_CHECKS:
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = skip.reason
            continue
        out[check.id] = sorted(
            (f.rule_id, f.clauses, f.location.path if f.location else "",
             f.location.line if f.location else None)
            for f in check.run(ctx)
        )  # fmt: skip
    return out


def test_each_problem_of_a_dangerous_workflow_is_a_finding_at_its_line(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"greet.yml": PR_TARGET}))
    path = f"{WORKFLOWS}/greet.yml"
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.artipacked", ("sec.secrets",), path, 11),
        ("ci.workflow-audit.dangerous-triggers", ("gov.pipeline-authority",), path, 3),
        ("ci.workflow-audit.excessive-permissions", ("sec.permission-matrix",), path, 5),
        ("ci.workflow-audit.template-injection", ("sec.unsafe-exposure",), path, 15),
        ("ci.workflow-audit.unpinned-uses", ("infra.immutable-tags",), path, 11),
    ]
    # actionlint's own warning about the same injection is left to zizmor: one problem, one finding
    assert out["ci.workflow-lint"] == []


def test_a_job_without_runs_on_is_a_finding_at_the_job(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"lint.yml": NO_RUNS_ON, "test.yml": CLEAN}))
    path = f"{WORKFLOWS}/lint.yml"
    assert out["ci.workflow-lint"] == [
        ("ci.workflow-lint.syntax-check", ("gov.pipeline-authority",), path, 5)
    ]
    # zizmor cannot read it as a workflow: it says it did not audit it
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.unreadable", ("gov.pipeline-authority",), path, 1)
    ]


def test_only_unreadable_workflows_still_give_findings(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"lint.yml": NO_RUNS_ON}))
    assert [row[0] for row in out["ci.workflow-audit"]] == ["ci.workflow-audit.unreadable"]


def test_a_clean_workflow_passes_both_tools(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"test.yml": CLEAN}))
    assert out == {"ci.workflow-audit": [], "ci.workflow-lint": []}


def test_the_generated_workflow_passes_both_tools(tmp_path: Path) -> None:
    generated = render_ci("github", STAGES, CiOptions())
    out = run(repo(tmp_path, {"aces.yml": generated}))
    assert out == {"ci.workflow-audit": [], "ci.workflow-lint": []}


def test_a_repository_without_workflows_is_not_applicable(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {}))
    assert out == {
        "ci.workflow-audit": "no GitHub Actions workflow (.github/workflows/*.yml)",
        "ci.workflow-lint": "no GitHub Actions workflow (.github/workflows/*.yml)",
    }


def test_another_version_than_aces_reads_is_an_error_without_a_policy_pin(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {"test.yml": CLEAN})
    fake = root / ".tools/bin/zizmor"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'zizmor 1.31.0'\n", encoding="utf-8")
    fake.chmod(0o755)
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    with pytest.raises(
        AcesError,
        match=r"zizmor 1\.31\.0 found at .*, but ACES \(no \[toolchain\] pin\) pins zizmor",
    ):
        list(WORKFLOW_CHECKS[0].run(ctx))


def test_the_generated_stage_7_job_installs_the_pinned_actionlint() -> None:
    import yaml

    jobs = yaml.safe_load(render_ci("github", STAGES, CiOptions()))["jobs"]
    installs = {
        key
        for key, job in jobs.items()
        for step in job["steps"]
        if "actionlint@v1.7.12" in step.get("run", "")
    }
    assert installs == {"s07-security"}


def test_a_workflow_that_is_not_yaml_is_invalid_and_not_audited(tmp_path: Path) -> None:
    broken = "name: x\non: push\njobs:\n  a:\n    runs-on: [ubuntu\n"
    out = run(repo(tmp_path, {"broken.yml": broken, "test.yml": CLEAN}))
    path = f"{WORKFLOWS}/broken.yml"
    assert out["ci.workflow-lint"] == [
        ("ci.workflow-lint.syntax-check", ("gov.pipeline-authority",), path, 4)
    ]
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.unreadable", ("gov.pipeline-authority",), path, 1)
    ]


def test_no_permissions_anywhere_is_a_finding_on_the_workflow_and_on_the_job(
    tmp_path: Path,
) -> None:
    unscoped = CLEAN.replace("permissions:\n  contents: read\n", "")
    root = repo(tmp_path, {"test.yml": unscoped})
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    found = list(WORKFLOW_CHECKS[0].run(ctx))
    assert [(f.rule_id, f.clauses, f.location and f.location.line) for f in found] == [
        ("ci.workflow-audit.excessive-permissions", ("sec.permission-matrix",), 1),
        ("ci.workflow-audit.excessive-permissions", ("sec.permission-matrix",), 8),
    ]
    assert len({f.fingerprint for f in found}) == 2


def test_self_hosted_labels_are_read_from_the_config_but_its_ignores_are_not(
    tmp_path: Path,
) -> None:
    self_hosted = CLEAN.replace("runs-on: ubuntu-24.04", "runs-on: [self-hosted, gpu-box]")
    self_hosted = self_hosted.replace("    name: test\n", "")  # an unnamed job: not judged
    self_hosted += "      - uses: actions/setup-python@v5 # no such input\n        with:\n"
    self_hosted += "          pyton-version: '3.11'\n"
    root = repo(tmp_path, {"test.yml": self_hosted})
    (root / ".github/actionlint.yaml").write_text(
        "self-hosted-runner:\n  labels: [gpu-box]\npaths:\n  '**/*':\n    ignore: ['.*']\n",
        encoding="utf-8",
    )
    out = run(root)
    path = f"{WORKFLOWS}/test.yml"
    assert out["ci.workflow-lint"] == [
        ("ci.workflow-lint.action", ("gov.pipeline-authority",), path, 22)
    ]
