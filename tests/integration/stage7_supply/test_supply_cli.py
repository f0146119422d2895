"""``aces sbom``, ``aces sign`` and ``aces verify`` on the example's build artifacts.

A git copy of the example is built with cargo; its release artifact is signed
with a key the test generates and verified (exit 0), then verification is
refused for a tampered artifact, another builder and another key (exit 1), and
for a missing key file (exit 2).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aces.cli.main import main
from aces.engines.supply.signing import private_pem, public_pem

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
BUILDER = "https://ci.example.invalid/arqonbus-mini/release"
ARTIFACT = "target/release/libarqonbus_frame.rlib"


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def git_example(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "target", ".aces")
    shutil.copytree(EXAMPLE, root, ignore=ignore)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def keys(tmp_path: Path) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private, public = tmp_path / "release.pem", tmp_path / "release.pub.pem"
    private.write_bytes(private_pem(key))
    public.write_bytes(public_pem(key.public_key()))
    return private, public


def test_sbom_is_written_reproducibly_from_the_lockfiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = git_example(tmp_path)
    out = tmp_path / "sbom.json"
    assert main(["sbom", str(root), "--output", str(out)]) == 0
    first = out.read_text(encoding="utf-8")
    assert main(["sbom", str(root)]) == 0
    assert capsys.readouterr().out.endswith(first)
    doc = json.loads(first)
    head = subprocess.run(
        ["git", "log", "-1", "--format=%H"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert doc["serialNumber"] == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'git-commit:{head}')}"
    assert doc["metadata"]["component"]["name"] == "arqonbus-mini"
    assert "pkg:cargo/arqonbus-frame@1.0.0" in [c["purl"] for c in doc["components"]]


def test_sbom_refuses_a_manifest_without_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = git_example(tmp_path)
    (root / "Cargo.lock").unlink()
    assert main(["sbom", str(root)]) == 2
    assert capsys.readouterr().err.startswith(
        "aces: error: Cargo.toml: declares dependencies but no lockfile pins them (Cargo.lock)"
    )


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_sign_and_verify_the_release_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = git_example(tmp_path)
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--offline"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    private, public = keys(tmp_path)
    monkeypatch.chdir(root)
    sign = ["sign", ARTIFACT, "--key", str(private), "--builder-id", BUILDER]
    assert main(sign) == 0
    bundle = f"{ARTIFACT}.intoto.json"
    assert capsys.readouterr().out == f"wrote {bundle} (1 subject(s), builder {BUILDER})\n"
    verify = ["verify", bundle, "--artifact", ARTIFACT, "--pubkey", str(public)]
    assert main([*verify, "--builder-id", BUILDER]) == 0
    assert capsys.readouterr().out == f"verified: {bundle} signs {ARTIFACT} (builder {BUILDER})\n"

    assert main([*verify, "--builder-id", "https://evil.invalid"]) == 1
    assert f"builder id is '{BUILDER}', expected 'https://evil.invalid'" in capsys.readouterr().out

    (tmp_path / "other").mkdir()
    _, other = keys(tmp_path / "other")
    assert (
        main(
            [
                "verify",
                bundle,
                "--artifact",
                ARTIFACT,
                "--pubkey",
                str(other),
                "--builder-id",
                BUILDER,
            ]
        )
        == 1
    )
    assert "no signature verifies with the public key" in capsys.readouterr().out

    (root / ARTIFACT).write_bytes((root / ARTIFACT).read_bytes() + b"\0")
    assert main([*verify, "--builder-id", BUILDER]) == 1
    assert "is not a subject" in capsys.readouterr().out

    assert (
        main(
            [
                "verify",
                bundle,
                "--artifact",
                ARTIFACT,
                "--pubkey",
                "missing.pem",
                "--builder-id",
                BUILDER,
            ]
        )
        == 2
    )
    assert "missing.pem: cannot read the public key" in capsys.readouterr().err


def test_sign_without_builder_identity_cannot_proceed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = git_example(tmp_path)
    private, _ = keys(tmp_path)
    (root / "a.bin").write_bytes(b"x")
    assert main(["sign", str(root / "a.bin"), "--key", str(private), "--repo", str(root)]) == 2
    assert capsys.readouterr().err == (
        "aces: error: no builder identity "
        "(pass --builder-id or set supply.builder_id in aces.toml)\n"
    )
