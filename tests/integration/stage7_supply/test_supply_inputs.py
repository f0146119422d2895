"""Supply checks on small repositories of their own: real places, unreadable files, publishing.

* a Cargo project whose lock sits in a folder that holds only the lock: the
  finding is at that lock, not at a ``Cargo.toml`` the folder does not have;
* a broken lockfile: a finding about that file, while the rest of the inventory is
  still judged (never the check's ERROR); among test fixtures it is test data, not
  judged as what the product ships;
* a workflow that publishes images or release assets with no SBOM (or no
  signature) step: ``infra.sbom`` fails at the publishing step's line.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.model import Finding, Status
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.stages.security_supply import SUPPLY_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

CARGO_LOCK = 'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n'
APP_MANIFEST = '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n'


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def results(root: Path) -> dict[str, tuple[Status, tuple[Finding, ...], str]]:
    """Check id -> (status, findings, reason), run through the runner."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    report = run_pipeline((StageDef(7, "security", "Security", SUPPLY_CHECKS),), ctx)
    return {r.check_id: (r.status, r.findings, r.reason) for r in report.stages[0].checks}


def places(findings: tuple[Finding, ...]) -> list[tuple[str, str, int | None]]:
    return [
        (f.rule_id, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in findings
    ]


@pytest.fixture
def lock_only_folder(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {
            "crates/Cargo.lock": CARGO_LOCK,
            "crates/app/Cargo.toml": APP_MANIFEST,
            "tests/fixtures/broken/poetry.lock": '[[package]\nname = "x"\n',
        },
    )


@pytest.fixture
def broken_product_lock(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {
            "crates/Cargo.lock": CARGO_LOCK,
            "crates/app/Cargo.toml": APP_MANIFEST,
            "tools/poetry.lock": '[[package]\nname = "x"\n',
        },
    )


def test_a_folder_holding_only_a_lock_is_named_by_its_lock(lock_only_folder: Path) -> None:
    status, findings, _ = results(lock_only_folder)["infra.locked-toolchains"]
    assert status is Status.FAIL
    assert ("infra.locked-toolchains.rust-unpinned", "crates/Cargo.lock", 1) in places(findings)
    assert all(path != "crates/Cargo.toml" for _, path, _ in places(findings))


@pytest.mark.parametrize("check_id", ["infra.sbom", "infra.locked-toolchains"])
def test_a_broken_lockfile_is_a_finding_about_it(broken_product_lock: Path, check_id: str) -> None:
    status, findings, reason = results(broken_product_lock)[check_id]
    assert status is Status.FAIL, reason
    broken = [f for f in findings if f.rule_id == f"{check_id}.unreadable"]
    assert places(tuple(broken)) == [(f"{check_id}.unreadable", "tools/poetry.lock", None)]
    assert "not valid TOML" in broken[0].message


@pytest.mark.parametrize("check_id", ["infra.sbom", "infra.locked-toolchains"])
def test_a_broken_fixture_lockfile_is_test_data_not_the_product(
    lock_only_folder: Path, check_id: str
) -> None:
    status, findings, reason = results(lock_only_folder)[check_id]
    assert status is not Status.ERROR, reason
    assert all("tests/fixtures" not in path for _, path, _ in places(findings))


BUILD_PUSH = """name: release
on:
  push:
    tags: ["v*"]
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - name: Build and push
        uses: docker/build-push-action@v6
        with:
          context: .
          push: true
          tags: ghcr.io/example/app:${{ github.ref_name }}
"""
SHELL_PUSH = """build:
  stage: deploy
  script:
    - docker build -t registry.example.org/app:1 .
    - docker push registry.example.org/app:1
"""
RELEASE_WITH_SBOM = """on: release
jobs:
  assets:
    runs-on: ubuntu-24.04
    steps:
      - uses: anchore/sbom-action@v0
        with:
          path: .
      - run: |
          make dist
          gh release upload "$TAG" dist/app.tar.gz
"""


def publishing(tmp_path: Path, files: dict[str, str]) -> tuple[Status, list[tuple], str]:
    root = make_repo(tmp_path / "repo", {"Dockerfile": "FROM scratch\n", **files})
    status, findings, reason = results(root)["infra.sbom"]
    return (
        status,
        [(*place, f.clauses) for place, f in zip(places(findings), findings, strict=True)],
        reason,
    )


def test_pushing_an_image_without_sbom_or_signature_fails_at_the_step(tmp_path: Path) -> None:
    status, rows, _ = publishing(tmp_path, {".github/workflows/release.yml": BUILD_PUSH})
    assert status is Status.FAIL
    assert rows == [
        (
            "infra.sbom.publish-without-sbom",
            ".github/workflows/release.yml",
            11,
            ("infra.sbom",),
        )
    ]


def test_the_message_says_which_steps_are_missing(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {".github/workflows/release.yml": BUILD_PUSH})
    (finding,) = results(root)["infra.sbom"][1]
    assert finding.message == (
        "docker/build-push-action@v6 with push: true publishes an artifact, but no CI step "
        "produces or attaches its SBOM: missing an SBOM step and a signature step"
    )


def test_a_docker_push_in_a_script_fails_at_its_line(tmp_path: Path) -> None:
    status, rows, _ = publishing(tmp_path, {".gitlab-ci.yml": SHELL_PUSH})
    assert status is Status.FAIL
    assert rows == [("infra.sbom.publish-without-sbom", ".gitlab-ci.yml", 5, ("infra.sbom",))]


def test_a_release_upload_with_an_sbom_but_no_signature_names_the_signature(
    tmp_path: Path,
) -> None:
    status, rows, _ = publishing(tmp_path, {".github/workflows/assets.yml": RELEASE_WITH_SBOM})
    assert status is Status.FAIL
    assert rows == [
        ("infra.sbom.publish-unsigned", ".github/workflows/assets.yml", 11, ("infra.signatures",))
    ]


def test_publishing_with_an_sbom_and_a_signature_passes(tmp_path: Path) -> None:
    attested = BUILD_PUSH.replace("push: true", "push: true\n          sbom: true") + (
        "      - run: cosign sign --yes ghcr.io/example/app@${{ steps.push.outputs.digest }}\n"
    )
    status, rows, reason = publishing(tmp_path, {".github/workflows/release.yml": attested})
    assert (status, rows) == (Status.PASS, []), reason


def test_a_build_that_does_not_push_publishes_nothing(tmp_path: Path) -> None:
    quiet = BUILD_PUSH.replace("push: true", "push: false")
    status, _, reason = publishing(tmp_path, {".github/workflows/release.yml": quiet})
    assert status is Status.NOT_APPLICABLE, reason
