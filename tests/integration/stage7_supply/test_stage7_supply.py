"""The ``infra.*`` supply-chain checks on the reference example and on mutated copies.

The example (Cargo workspace with Cargo.lock, a Python package, a pinned Rust
toolchain, a compose file pinned by digest, an image ledger) is green; each
mutation fails with the exact rule id, clause id, file and line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aces.doctrine.catalog import load_doctrine
from aces.engines.supply.provenance import (
    Artifact,
    Source,
    build_statement,
    envelope_text,
    sign_statement,
)
from aces.engines.supply.sbom import SourceState, Subject, build_sbom
from aces.engines.supply.signing import public_pem
from aces.engines.supply.source import sha256_path
from aces.errors import AcesError
from aces.model import Finding, Status
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.security_supply import SUPPLY_CHECKS
from aces.tools.process import ProcessRunner
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
needs_cargo = pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
BUILDER = "https://ci.example.invalid/arqonbus-mini/release"


@dataclass(frozen=True)
class Outcome:
    """What one check said."""

    status: Status
    findings: tuple[Finding, ...]
    error: str = ""


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def git_example(tmp_path: Path) -> Path:
    """A git copy of the example with one base commit on main (build outputs left out)."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "target", ".aces")
    shutil.copytree(EXAMPLE, root, ignore=ignore)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def on_branch(root: Path) -> None:
    """Start a feature branch so the Change has main as its base."""
    git(root, "checkout", "-q", "-b", "feature")


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def add_supply(root: Path, lines: str) -> None:
    """Add settings to the copy's ``[supply]`` section (other sections may follow it)."""
    replace(root, "aces.toml", "\n[supply]\n", "\n[supply]\n" + lines)


def run(root: Path, *, base: str | None = None) -> dict[str, Outcome]:
    """Run the supply checks; check id -> outcome."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine(), processes=ProcessRunner())
    out: dict[str, Outcome] = {}
    for check in SUPPLY_CHECKS:
        try:
            if check.applies(ctx) is not None:
                out[check.id] = Outcome(Status.NOT_APPLICABLE, ())
                continue
            findings = tuple(sorted(check.run(ctx), key=Finding.sort_key))
        except AcesError as exc:
            out[check.id] = Outcome(Status.ERROR, (), exc.diagnostics())
            continue
        out[check.id] = Outcome(Status.FAIL if findings else Status.PASS, findings)
    return out


def where(outcome: Outcome) -> list[tuple[str, tuple[str, ...], str, int | None]]:
    out = []
    for finding in outcome.findings:
        assert finding.location is not None
        loc = finding.location
        out.append((finding.rule_id, finding.clauses, loc.path, loc.line))
    return out


@needs_cargo
def test_the_example_is_green(tmp_path: Path) -> None:
    out = run(git_example(tmp_path))
    assert {cid: o.status for cid, o in out.items()} == {
        "infra.sbom": Status.PASS,
        "infra.signatures": Status.NOT_APPLICABLE,
        "infra.immutable-tags": Status.PASS,
        "infra.locked-toolchains": Status.PASS,
    }


# -- infra.sbom --------------------------------------------------------------------------------


@needs_cargo
def test_a_cargo_manifest_without_its_lock_fails_sbom_and_locked_toolchains(
    tmp_path: Path,
) -> None:
    root = git_example(tmp_path)
    (root / "Cargo.lock").unlink()
    out = run(root)
    # the member crate shares the workspace root's lock: one finding, at the root
    assert where(out["infra.sbom"]) == [
        ("infra.sbom.no-lockfile", ("infra.sbom",), "Cargo.toml", 1),
    ]
    assert (
        "infra.locked-toolchains.lockfile-missing",
        ("infra.locked-toolchains",),
        "Cargo.toml",
        1,
    ) in where(out["infra.locked-toolchains"])


def test_a_python_project_with_dependencies_and_no_lock_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    append(
        root,
        "tools/loadgen/pyproject.toml",
        '[project]\nname = "loadgen"\nversion = "0.1.0"\ndependencies = [\n  "httpx>=0.27",\n]\n',
    )
    out = run(root)
    assert where(out["infra.sbom"]) == [
        ("infra.sbom.no-lockfile", ("infra.sbom",), "tools/loadgen/pyproject.toml", 5)
    ]


def test_a_committed_sbom_must_match_the_lockfiles(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    add_supply(root, 'sbom = "sbom.cdx.json"\n')
    out = run(root)
    lines = (root / "aces.toml").read_text(encoding="utf-8").splitlines()
    line = lines.index('sbom = "sbom.cdx.json"') + 1
    assert where(out["infra.sbom"]) == [("infra.sbom.missing", ("infra.sbom",), "aces.toml", line)]
    stale = build_sbom(Subject("arqonbus-mini", "1.0.0"), [], SourceState("0" * 40, 0))
    (root / "sbom.cdx.json").write_text(stale, encoding="utf-8")
    git(root, "add", "-A")
    out = run(root)
    assert where(out["infra.sbom"]) == [("infra.sbom.stale", ("infra.sbom",), "sbom.cdx.json", 1)]
    assert "missing pkg:cargo/arqonbus-frame@1.0.0" in out["infra.sbom"].findings[0].message


def test_a_lockfile_with_a_conflict_marker_is_a_finding_about_it(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(
        root,
        "Cargo.lock",
        '[[package]]\nname = "arqonbus-frame"',
        '<<<<<<< HEAD\n[[package]]\nname = "arqonbus-frame"',
    )
    out = run(root)
    # one unreadable lockfile is a finding about that file, not the check's ERROR
    for check_id in ("infra.sbom", "infra.locked-toolchains"):
        assert out[check_id].status is Status.FAIL
        (finding,) = out[check_id].findings
        assert finding.rule_id == f"{check_id}.unreadable"
        assert finding.location is not None and finding.location.path == "Cargo.lock"
        assert finding.message == (
            "Cargo.lock cannot be read, so what it pins is unknown: line 5 holds a merge "
            "conflict marker (<<<<<<<) (resolve the conflict and regenerate the lockfile)"
        )


# -- infra.signatures --------------------------------------------------------------------------


def _declare_signed_artifact(root: Path) -> Ed25519PrivateKey:
    """Declare dist/frame.bin as an artifact, commit it, its key and a valid bundle."""
    key = Ed25519PrivateKey.generate()
    (root / "keys").mkdir()
    (root / "keys/release.pub.pem").write_bytes(public_pem(key.public_key()))
    (root / "dist").mkdir()
    artifact = root / "dist/frame.bin"
    artifact.write_bytes(b"\x00frame codec\x01")
    add_supply(
        root,
        'artifacts = ["dist/*.bin"]\npublic_key = "keys/release.pub.pem"\n'
        f'builder_id = "{BUILDER}"\n',
    )
    statement = build_statement(
        [Artifact("dist/frame.bin", sha256_path(artifact))],
        builder_id=BUILDER,
        source=Source("git+file:repo", "0" * 40),
    )
    (root / "dist/frame.bin.intoto.json").write_text(
        envelope_text(sign_statement(statement, key)), encoding="utf-8"
    )
    git(root, "add", "-A")
    return key


@needs_cargo
def test_a_declared_artifact_with_a_valid_bundle_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    _declare_signed_artifact(root)
    assert run(root)["infra.signatures"].status is Status.PASS


def test_a_tampered_artifact_and_a_missing_bundle_fail(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    _declare_signed_artifact(root)
    (root / "dist/frame.bin").write_bytes(b"tampered")
    (root / "dist/extra.bin").write_bytes(b"unsigned")
    out = run(root)
    assert where(out["infra.signatures"]) == [
        ("infra.signatures.missing", ("infra.signatures",), "dist/extra.bin", None),
        ("infra.signatures.invalid", ("infra.signatures",), "dist/frame.bin.intoto.json", None),
    ]
    assert "is not a subject" in out["infra.signatures"].findings[1].message


def test_a_bundle_signed_by_another_key_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    _declare_signed_artifact(root)
    other = Ed25519PrivateKey.generate()
    (root / "keys/release.pub.pem").write_bytes(public_pem(other.public_key()))
    out = run(root)
    (finding,) = out["infra.signatures"].findings
    assert finding.rule_id == "infra.signatures.invalid"
    assert finding.message.endswith("no signature verifies with the public key")


def test_a_declared_glob_without_artifact_fails_at_the_policy_line(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    _declare_signed_artifact(root)
    (root / "dist/frame.bin").unlink()
    out = run(root)
    text = (root / "aces.toml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.startswith('artifacts = ["dist'))
    assert where(out["infra.signatures"]) == [
        ("infra.signatures.no-artifact", ("infra.signatures",), "aces.toml", line)
    ]


# -- infra.immutable-tags ----------------------------------------------------------------------


def test_an_image_without_digest_in_compose_and_kubernetes_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(root, "compose.yaml", "image: nats:2.10-alpine@sha256:", "image: nats:2.10-alpine #")
    append(
        root,
        "deploy/k8s/bus.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bus\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: bus\n"
        "          image: ghcr.io/arqon/bus:${TAG}\n",
    )
    out = run(root)
    assert where(out["infra.immutable-tags"]) == [
        ("infra.immutable-tags.no-digest", ("infra.immutable-tags",), "compose.yaml", 8),
        ("infra.immutable-tags.templated", ("infra.immutable-tags",), "deploy/k8s/bus.yaml", 10),
    ]


def test_a_tag_that_moves_or_disappears_in_the_ledger_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    on_branch(root)
    ledger = root / "deploy/image-ledger.json"
    data = json.loads(ledger.read_text(encoding="utf-8"))
    data["tags"]["nats:2.10-alpine"] = "sha256:" + "e" * 64
    del data["tags"]["valkey/valkey:8.1-alpine"]
    ledger.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    commit(root)
    out = run(root, base="main")
    assert where(out["infra.immutable-tags"]) == [
        ("infra.immutable-tags.ledger-mismatch", ("infra.immutable-tags",), "compose.yaml", 8),
        ("infra.immutable-tags.unrecorded", ("infra.immutable-tags",), "compose.yaml", 11),
        ("infra.immutable-tags.removed", ("infra.immutable-tags",), "deploy/image-ledger.json", 1),
        ("infra.immutable-tags.moved", ("infra.immutable-tags",), "deploy/image-ledger.json", 4),
    ]


def test_a_malformed_ledger_cannot_verify(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    (root / "deploy/image-ledger.json").write_text('{"version": 1, "tags": [', encoding="utf-8")
    out = run(root)
    assert out["infra.immutable-tags"].status is Status.ERROR
    assert out["infra.immutable-tags"].error.startswith(
        "deploy/image-ledger.json: not valid JSON (line 1)"
    )


# -- infra.locked-toolchains -------------------------------------------------------------------


@needs_cargo
def test_a_channel_instead_of_a_release_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(root, "rust-toolchain.toml", 'channel = "1.95.0"', 'channel = "1.95"')
    out = run(root)
    assert where(out["infra.locked-toolchains"]) == [
        (
            "infra.locked-toolchains.not-exact",
            ("infra.locked-toolchains",),
            "rust-toolchain.toml",
            3,
        )
    ]


@needs_cargo
def test_a_rust_project_without_toolchain_pin_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    (root / "rust-toolchain.toml").unlink()
    out = run(root)
    assert where(out["infra.locked-toolchains"]) == [
        ("infra.locked-toolchains.rust-unpinned", ("infra.locked-toolchains",), "Cargo.toml", 1)
    ]


@needs_cargo
def test_a_dependency_missing_from_the_lock_fails_at_its_line(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    append(root, "crates/arqonbus-frame/Cargo.toml", 'bytes = "1"\n')
    out = run(root)
    lines = (root / "crates/arqonbus-frame/Cargo.toml").read_text(encoding="utf-8").splitlines()
    assert where(out["infra.locked-toolchains"]) == [
        (
            "infra.locked-toolchains.lockfile-stale",
            ("infra.locked-toolchains",),
            "crates/arqonbus-frame/Cargo.toml",
            len(lines),
        )
    ]


@needs_cargo
def test_cargo_refuses_a_lock_out_of_date_with_the_manifest(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(root, "crates/arqonbus-frame/Cargo.toml", 'version = "1.0.0"', 'version = "1.0.1"')
    out = run(root)
    (finding,) = out["infra.locked-toolchains"].findings
    assert where(out["infra.locked-toolchains"]) == [
        ("infra.locked-toolchains.lockfile-stale", ("infra.locked-toolchains",), "Cargo.lock", 1)
    ]
    assert "cargo metadata --locked" in finding.message


@needs_cargo
def test_tool_versions_must_be_exact(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    append(root, ".tool-versions", "python 3.11.9\nerlang latest\n")
    out = run(root)
    assert where(out["infra.locked-toolchains"]) == [
        ("infra.locked-toolchains.not-exact", ("infra.locked-toolchains",), ".tool-versions", 2),
    ]
