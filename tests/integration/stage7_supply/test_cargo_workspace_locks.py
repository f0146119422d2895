"""A Cargo workspace shares one lock and one toolchain pin, found with or without a lock.

The tree: a root ``Cargo.toml`` with ``[workspace]`` listing two member crates
and excluding a guest crate that is a project of its own (with its own
``rust-toolchain.toml`` naming a channel). No ``Cargo.lock`` anywhere.

* a missing lock is reported once per project (the root and the excluded guest),
  never at each member, by ``infra.sbom`` and ``infra.locked-toolchains``;
* the toolchain pins are judged without a lock: the root has none
  (``.rust-unpinned``), the guest's names a channel (``.not-exact``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from aces.doctrine.catalog import load_doctrine
from aces.engines.supply.cargo_workspace import workspace_roots
from aces.model import Finding
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.stages.security_supply import SUPPLY_CHECKS
from aces.stages.unit_suite import cargo_projects
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

ROOT = '[workspace]\nmembers = ["crates/*"]\nexclude = ["guest"]\n'


def crate(name: str) -> str:
    return (
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nserde = "1"\n'
    )


FILES = {
    "Cargo.toml": ROOT,
    "crates/alpha/Cargo.toml": crate("alpha"),
    "crates/alpha/src/lib.rs": "pub fn a() {}\n",
    "crates/beta/Cargo.toml": crate("beta"),
    "crates/beta/src/lib.rs": "pub fn b() {}\n",
    "guest/Cargo.toml": crate("guest"),
    "guest/src/lib.rs": "pub fn g() {}\n",
    "guest/rust-toolchain.toml": '[toolchain]\nchannel = "stable"\n',
}


def make_repo(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "base")):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    return root


def findings(root: Path) -> dict[str, list[tuple[str, str, int | None]]]:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    report = run_pipeline((StageDef(7, "security", "Security", SUPPLY_CHECKS),), ctx)
    return {r.check_id: sorted(where(f) for f in r.findings) for r in report.stages[0].checks}


def where(finding: Finding) -> tuple[str, str, int | None]:
    return (finding.rule_id, finding.location.path, finding.location.line)


def test_members_share_the_root_lock_and_the_guest_is_its_own_project(tmp_path: Path) -> None:
    found = findings(make_repo(tmp_path))
    assert [f for f in found["infra.sbom"] if f[0] == "infra.sbom.no-lockfile"] == [
        ("infra.sbom.no-lockfile", "Cargo.toml", 1),
        ("infra.sbom.no-lockfile", "guest/Cargo.toml", 7),  # its first dependency
    ]
    missing = [f for f in found["infra.locked-toolchains"] if f[0].endswith("lockfile-missing")]
    assert [path for _, path, _ in missing] == ["Cargo.toml", "guest/Cargo.toml"]


def test_toolchain_pins_are_judged_without_a_lock(tmp_path: Path) -> None:
    found = findings(make_repo(tmp_path))
    pins = [f for f in found["infra.locked-toolchains"] if "lockfile" not in f[0]]
    assert pins == [
        ("infra.locked-toolchains.not-exact", "guest/rust-toolchain.toml", 2),
        ("infra.locked-toolchains.rust-unpinned", "Cargo.toml", 1),
    ]


def test_workspace_roots_follow_cargo_search_and_exclude() -> None:
    texts = {
        "Cargo.toml": ROOT,
        "crates/alpha/Cargo.toml": crate("alpha"),
        "guest/Cargo.toml": crate("guest"),
        "guest/inner/Cargo.toml": crate("inner"),
        "other/Cargo.toml": '[workspace]\nmembers = ["x"]\n',
        "other/x/Cargo.toml": crate("x"),
    }
    assert workspace_roots(texts, texts.__getitem__) == {
        "crates/alpha/Cargo.toml": "Cargo.toml",
        "other/x/Cargo.toml": "other/Cargo.toml",
    }


def test_a_crate_the_workspace_excludes_has_its_own_test_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    ws = Workspace.open(root)
    loaded = load_policy(root)
    ctx = RunContext(
        ws, compute_change(ws, loaded.policy, base=None, pr=PullRequest()), loaded, load_doctrine()
    )
    assert cargo_projects(ctx) == ("", "guest")  # members run with the root's `cargo test`


def test_a_nested_workspace_is_a_project_of_its_own(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "tools" / "gen").mkdir(parents=True)
    (root / "tools" / "gen" / "Cargo.toml").write_text(
        crate("gen") + '\n[workspace]\nmembers = ["."]\n', encoding="utf-8"
    )
    (root / "fixtures" / "plain").mkdir(parents=True)
    (root / "fixtures" / "plain" / "Cargo.toml").write_text(crate("plain"), encoding="utf-8")
    (root / "tests" / "data" / "ws").mkdir(parents=True)
    (root / "tests" / "data" / "ws" / "Cargo.toml").write_text(
        crate("ws") + '\n[workspace]\nmembers = ["."]\n', encoding="utf-8"
    )
    ws = Workspace.open(root)
    loaded = load_policy(root)
    ctx = RunContext(
        ws, compute_change(ws, loaded.policy, base=None, pr=PullRequest()), loaded, load_doctrine()
    )
    # a plain crate nested in the tree stays with the root; a workspace of its own does not,
    # unless it is test data (under a tests folder)
    assert cargo_projects(ctx) == ("", "guest", "tools/gen")
