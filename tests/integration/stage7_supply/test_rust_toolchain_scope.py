"""A rust-toolchain file pins every crate below it, as rustup applies it.

* a root ``rust-toolchain.toml`` with an exact release and three crates, each with
  its own lock, in folders below: no crate is reported unpinned;
* the same tree with a channel (``stable``) at the root: one ``.not-exact`` finding
  at the shared file, not one per crate;
* no toolchain file anywhere: each crate is ``.rust-unpinned``;
* a crate's own file, nearer than the root's, is the one judged.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from aces.doctrine.catalog import load_doctrine
from aces.engines.supply.toolchains import nearest_rust_toolchain
from aces.model import Finding, Status
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.stages.security_supply import SUPPLY_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

CRATES = ("crates/core", "crates/host", "tools/gen")
PINNED = '[toolchain]\nchannel = "1.95.0"\n'


def lock(name: str) -> str:
    return f'version = 3\n\n[[package]]\nname = "{name}"\nversion = "0.1.0"\n'


def manifest(name: str) -> str:
    return f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'


def make_repo(root: Path, extra: dict[str, str]) -> Path:
    files = dict(extra)
    for crate in CRATES:
        name = crate.rsplit("/", 1)[-1]
        files[f"{crate}/Cargo.toml"] = manifest(name)
        files[f"{crate}/Cargo.lock"] = lock(name)
        files[f"{crate}/src/lib.rs"] = "pub fn f() {}\n"
    for rel, text in files.items():
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


def toolchain_findings(root: Path) -> tuple[Status, list[tuple[str, str, int | None]]]:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    report = run_pipeline((StageDef(7, "security", "Security", SUPPLY_CHECKS),), ctx)
    result = next(r for r in report.stages[0].checks if r.check_id == "infra.locked-toolchains")
    return result.status, sorted(where(f) for f in result.findings if "rust" in f.message.lower())


def where(finding: Finding) -> tuple[str, str, int | None]:
    return (finding.rule_id, finding.location.path, finding.location.line)


def test_a_root_pin_covers_every_crate_below(tmp_path: Path) -> None:
    status, found = toolchain_findings(make_repo(tmp_path, {"rust-toolchain.toml": PINNED}))
    assert found == []
    assert status is Status.PASS


def test_a_loose_shared_pin_is_one_finding(tmp_path: Path) -> None:
    loose = '[toolchain]\nchannel = "stable"\n'
    _, found = toolchain_findings(make_repo(tmp_path, {"rust-toolchain.toml": loose}))
    assert found == [("infra.locked-toolchains.not-exact", "rust-toolchain.toml", 2)]


def test_no_pin_anywhere_reports_each_crate(tmp_path: Path) -> None:
    _, found = toolchain_findings(make_repo(tmp_path, {}))
    unpinned = [f for f in found if f[0] == "infra.locked-toolchains.rust-unpinned"]
    assert [path for _, path, _ in unpinned] == [f"{c}/Cargo.toml" for c in CRATES]


def test_the_nearest_file_is_the_one_rustup_applies() -> None:
    present = {"rust-toolchain.toml", "crates/host/rust-toolchain", "crates/rust-toolchain.toml"}
    assert nearest_rust_toolchain("crates/host/", present.__contains__) == (
        "crates/host/rust-toolchain"
    )
    assert nearest_rust_toolchain("crates/core/", present.__contains__) == (
        "crates/rust-toolchain.toml"
    )
    assert nearest_rust_toolchain("tools/gen/", present.__contains__) == "rust-toolchain.toml"
    assert nearest_rust_toolchain("", present.__contains__) == "rust-toolchain.toml"
    assert nearest_rust_toolchain("tools/gen/", set[str]().__contains__) is None
