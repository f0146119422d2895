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
from aces.model import Severity
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.runner import run_pipeline
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


def repo(tmp_path: Path, workflows: dict[str, str], others: dict[str, str] | None = None) -> Path:
    """A repository with ``workflows`` (by name) and ``others`` (by path from the root)."""
    root = tmp_path / "repo"
    files = {f"{WORKFLOWS}/{name}": text for name, text in workflows.items()}
    for name, text in {**files, **(others or {})}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("fixture\n", encoding="utf-8")
    return root


def context(root: Path) -> RunContext:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    return RunContext(ws, change, loaded, load_doctrine())


def run(root: Path) -> dict[str, list[Row] | str]:
    """Check id -> sorted (rule, clauses, path, line) rows, or the NOT_APPLICABLE reason."""
    ctx = context(root)
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


def test_a_job_without_runs_on_is_one_finding_at_the_job(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"lint.yml": NO_RUNS_ON, "test.yml": CLEAN}))
    path = f"{WORKFLOWS}/lint.yml"
    assert out["ci.workflow-lint"] == [
        ("ci.workflow-lint.syntax-check", ("gov.pipeline-authority",), path, 5)
    ]
    # zizmor cannot read it either; actionlint says why, so that is the one finding
    assert out["ci.workflow-audit"] == []


def test_a_workflow_zizmor_skips_is_reported_when_actionlint_cannot_tell(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {"lint.yml": NO_RUNS_ON})
    fake = root / ".tools/bin/actionlint"  # found first, and not the version ACES reads
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho v1.7.11\n", encoding="utf-8")
    fake.chmod(0o755)
    ctx = context(root)
    (audit, lint) = WORKFLOW_CHECKS
    found = [(f.rule_id, f.location and f.location.line) for f in audit.run(ctx)]
    assert found == [("ci.workflow-audit.unreadable", 1)]
    with pytest.raises(AcesError, match=r"actionlint v?1\.7\.11 found at"):
        list(lint.run(ctx))


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
        "ci.workflow-audit": "no GitHub Actions workflow (.github/workflows/*.yml), action "
        "definition (action.yml) or Dependabot configuration (.github/dependabot.yml)",
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


def test_a_workflow_that_is_not_yaml_is_one_finding_where_it_breaks(tmp_path: Path) -> None:
    broken = "name: x\non: push\njobs:\n  a:\n    runs-on: [ubuntu\n"
    out = run(repo(tmp_path, {"broken.yml": broken, "test.yml": CLEAN}))
    path = f"{WORKFLOWS}/broken.yml"
    assert out["ci.workflow-lint"] == [
        ("ci.workflow-lint.syntax-check", ("gov.pipeline-authority",), path, 4)
    ]
    assert out["ci.workflow-audit"] == []


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


# A composite action expanding its input and the PR's title into its shell.
ACTION_INJECTION = """\
name: greet
description: says hello
inputs:
  who:
    description: whom to greet
    required: true
runs:
  using: composite
  steps:
    - name: greet
      shell: bash
      run: echo "hello ${{ inputs.who }}"
"""
# The same action passing its input through the environment.
ACTION_CLEAN = """\
name: greet
description: says hello
inputs:
  who:
    description: whom to greet
    required: true
runs:
  using: composite
  steps:
    - name: greet
      shell: bash
      env:
        WHO: ${{ inputs.who }}
      run: echo "hello $WHO"
"""


def test_a_composite_action_with_a_template_injection_fails_at_its_line(
    tmp_path: Path,
) -> None:
    out = run(repo(tmp_path, {}, {"tools/greet/action.yml": ACTION_INJECTION}))
    assert out["ci.workflow-audit"] == [
        (
            "ci.workflow-audit.template-injection",
            ("sec.unsafe-exposure",),
            "tools/greet/action.yml",
            12,
        )
    ]
    # actionlint reads workflows only
    assert out["ci.workflow-lint"] == "no GitHub Actions workflow (.github/workflows/*.yml)"


def test_a_clean_composite_action_passes(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"test.yml": CLEAN}, {"action.yaml": ACTION_CLEAN}))
    assert out == {"ci.workflow-audit": [], "ci.workflow-lint": []}


def test_the_action_github_runs_is_audited_not_the_yaml_beside_it(tmp_path: Path) -> None:
    others = {"greet/action.yml": ACTION_CLEAN, "greet/action.yaml": ACTION_INJECTION}
    out = run(repo(tmp_path, {}, others))
    assert out["ci.workflow-audit"] == []


def test_an_action_or_dependabot_file_zizmor_cannot_read_is_not_audited(
    tmp_path: Path,
) -> None:
    broken = {"greet/action.yml": "name: greet\nruns: [1, 2]\n"}
    broken[".github/dependabot.yml"] = "version: 2\nupdates: 3\n"
    out = run(repo(tmp_path, {}, broken))
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.unreadable", ("gov.pipeline-authority",), ".github/dependabot.yml", 1),
        ("ci.workflow-audit.unreadable", ("gov.pipeline-authority",), "greet/action.yml", 1),
    ]


DEPENDABOT = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule:
      interval: weekly
    cooldown:
      default-days: 7
"""


def test_dependabot_running_dependency_code_fails_at_its_line(tmp_path: Path) -> None:
    unsafe = DEPENDABOT + "    insecure-external-code-execution: allow\n"
    out = run(repo(tmp_path, {}, {".github/dependabot.yml": unsafe}))
    assert out["ci.workflow-audit"] == [
        (
            "ci.workflow-audit.dependabot-execution",
            ("sec.unsafe-exposure",),
            ".github/dependabot.yml",
            9,
        )
    ]


def test_a_plain_dependabot_configuration_passes(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"test.yml": CLEAN}, {".github/dependabot.yml": DEPENDABOT}))
    assert out == {"ci.workflow-audit": [], "ci.workflow-lint": []}


# workflow_run runs with the base's token and secrets after a PR's workflow; this one checks
# out and runs the PR's code.
WORKFLOW_RUN = """\
name: report
on:
  workflow_run:
    workflows: [test]
    types: [completed]
permissions:
  contents: read
jobs:
  report:
    name: report
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2
        with:
          ref: ${{ github.event.workflow_run.head_sha }}
          persist-credentials: false
      - name: summarise
        run: make report
"""


def test_workflow_run_with_a_checkout_of_the_head_fails_at_the_trigger(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"report.yml": WORKFLOW_RUN}))
    path = f"{WORKFLOWS}/report.yml"
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.dangerous-triggers", ("gov.pipeline-authority",), path, 3)
    ]
    assert out["ci.workflow-lint"] == []


# A publishing workflow that restores a cache a pull request's run may have written.
PUBLISH = """\
name: publish
on:
  release:
    types: [published]
permissions:
  contents: read
jobs:
  publish:
    name: publish
    runs-on: ubuntu-24.04
    permissions:
      id-token: write # trusted publishing to the package registry
    steps:
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2
        with:
          persist-credentials: false
      - uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
        with:
          path: ~/.cache/pip
          key: pip-${{ hashFiles('requirements.txt') }}
      - name: build
        run: python -m build
"""


def test_a_publishing_workflow_restoring_a_cache_fails_at_the_cache_step(
    tmp_path: Path,
) -> None:
    out = run(repo(tmp_path, {"publish.yml": PUBLISH}))
    path = f"{WORKFLOWS}/publish.yml"
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.cache-poisoning", ("gov.pipeline-authority",), path, 17)
    ]
    assert out["ci.workflow-lint"] == []


# Problems both tools see: an if: that is always true, a container password in the file.
BOTH_SEE = """\
name: deploy
on: push
permissions: {}
jobs:
  deploy:
    name: deploy
    runs-on: ubuntu-24.04
    container:
      image: r.example/a@sha256:0000000000000000000000000000000000000000000000000000000000000000
      credentials:
        username: bot
        password: hunter2hunter2
    steps:
      - run: echo deploy
        if: ${{ github.ref }} == 'refs/heads/main'
"""


def test_a_problem_both_tools_see_is_one_finding(tmp_path: Path) -> None:
    out = run(repo(tmp_path, {"deploy.yml": BOTH_SEE}))
    path = f"{WORKFLOWS}/deploy.yml"
    assert out["ci.workflow-audit"] == [
        ("ci.workflow-audit.hardcoded-container-credentials", ("sec.secrets",), path, 10),
        ("ci.workflow-audit.unsound-condition", ("gov.pipeline-authority",), path, 15),
    ]
    assert out["ci.workflow-lint"] == []


def test_a_broken_workflow_is_one_finding_in_a_whole_stage_7_run(tmp_path: Path) -> None:
    root = repo(tmp_path, {"lint.yml": NO_RUNS_ON, "test.yml": CLEAN})
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    options = RunOptions(stages=(7,), use_cache=False, jobs=4)  # both checks at once
    report = run_pipeline(STAGES, RunContext(ws, change, loaded, load_doctrine(), options))
    found = [
        (f.rule_id, f.location and f.location.line)
        for check in report.checks
        if check.check_id.startswith("ci.workflow-")
        for f in check.findings
    ]
    assert found == [("ci.workflow-lint.syntax-check", 5)]


# A matrix value and a job's output expanded in run: no one outside the repository sets them.
WORKFLOW_VALUES = """\
name: images
on: push
permissions:
  contents: read  # the checkout
jobs:
  tag:
    name: tag
    runs-on: ubuntu-24.04
    outputs:
      version: ${{ steps.read.outputs.version }}
    steps:
      - id: read
        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
  pull:
    name: pull
    needs: tag
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        image: [postgres:16.4, postgres:17.2]
    steps:
      - name: pull
        run: |
          docker pull ${{ matrix.image }}
          echo "v${{ needs.tag.outputs.version }}"
"""


def test_a_workflow_value_expanded_in_run_is_information_an_event_value_blocks(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {"images.yml": WORKFLOW_VALUES, "greet.yml": PR_TARGET})
    found = [
        (f.location.path if f.location else "", f.location.line if f.location else 0, f.severity)
        for f in WORKFLOW_CHECKS[0].run(context(root))
        if f.rule_id == "ci.workflow-audit.template-injection"
    ]
    assert sorted(found) == [
        (f"{WORKFLOWS}/greet.yml", 15, Severity.ERROR),  # the PR's title: an attacker's text
        # line 24, the static matrix: zizmor files it as pedantic, no attacker sets it: not shown
        (f"{WORKFLOWS}/images.yml", 25, Severity.NOTE),  # a job's output: the workflow's own
    ]
