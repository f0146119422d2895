"""Stage 4 on the example: runtime imports are declared, CI builds Dockerfiles that exist.

Failing cases name the rule id, clause ids, file and line.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import copy_example

from aces.doctrine.catalog import load_doctrine
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.build_inputs import CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

Row = tuple[str, tuple[str, ...], str, int | None]


def run(root: Path) -> dict[str, list[Row] | str]:
    """Each check's findings, or its NOT_APPLICABLE reason."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    out: dict[str, list[Row] | str] = {}
    for check in CHECKS:
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


def test_the_example_declares_its_imports_and_has_no_workflow(tmp_path: Path) -> None:
    out = run(copy_example(tmp_path))
    assert out["build.declared-dependencies"] == []
    assert out["build.ci-dockerfiles"] == "no workflow under .github/workflows/ builds a Dockerfile"


def test_an_undeclared_runtime_import_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "src" / "arqonbus_mini" / "web.py").write_text(
        '"""HTTP API."""\n\nimport fastapi\n', encoding="utf-8"
    )
    assert run(root)["build.declared-dependencies"] == [
        (
            "build.declared-dependencies.python-import",
            ("build.pinned-images",),
            "src/arqonbus_mini/web.py",
            3,
        )
    ]


WORKFLOW = """name: images
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: {file}
"""


def test_a_workflow_building_a_missing_dockerfile_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "images.yml").write_text(
        WORKFLOW.format(file="deploy/server.Dockerfile"), encoding="utf-8"
    )
    assert run(root)["build.ci-dockerfiles"] == [
        (
            "build.ci-dockerfiles.missing",
            ("build.reproducible",),
            ".github/workflows/images.yml",
            11,
        )
    ]
    (workflows / "images.yml").write_text(WORKFLOW.format(file="Dockerfile"), encoding="utf-8")
    assert run(root)["build.ci-dockerfiles"] == []
