"""Stage 4 on the reference example and on mutated copies of it.

The example (a release build of its Rust crate, a Dockerfile pinned by digest,
a compose file, a committed size baseline) is green; each mutation fails with
the exact rule id, clause id, file and line. Builds that are not the example's
Cargo build are declared through the copy's own ``[build]`` section.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Finding, Status
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.s04_build import STAGE
from aces.tools.process import ProcessRunner
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
CARGO = shutil.which("cargo") is not None
needs_cargo = pytest.mark.skipif(not CARGO, reason="cargo is not installed")


@dataclass(frozen=True)
class Outcome:
    """What one check said: status, reason, findings, and the error when it could not verify."""

    status: Status
    reason: str
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


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def declare_build(root: Path, section: str) -> None:
    """Replace the copy's ``[build]`` table (and its sub-tables) with ``section``."""
    path = root / "aces.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("[build]\n")
    end = start + 1
    while end < len(lines) and not (
        lines[end].startswith("[") and not lines[end].startswith(("[build.", "[[build."))
    ):
        end += 1
    path.write_text("".join([*lines[:start], section, "\n", *lines[end:]]), encoding="utf-8")


def run(root: Path, *only: str) -> dict[str, Outcome]:
    """Run the stage 4 checks (or those named); check id -> outcome."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine(), processes=ProcessRunner())
    out: dict[str, Outcome] = {}
    for check in STAGE.checks:
        if only and check.id not in only:
            continue
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = Outcome(Status.NOT_APPLICABLE, skip.reason, ())
            continue
        try:
            findings = tuple(sorted(check.run(ctx), key=Finding.sort_key))
        except AcesError as exc:
            out[check.id] = Outcome(Status.ERROR, "", (), exc.diagnostics())
            continue
        out[check.id] = Outcome(Status.FAIL if findings else Status.PASS, "", findings)
    return out


def where(finding: Finding) -> tuple[str, tuple[str, ...], str, int | None]:
    loc = finding.location
    assert loc is not None
    return finding.rule_id, finding.clauses, loc.path, loc.line


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp root of this test's own, to see that the build copies are removed."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


@needs_cargo
def test_the_example_is_green_on_stage_4(tmp_path: Path, private_tmp: Path) -> None:
    out = run(git_example(tmp_path))
    assert {cid: o.status for cid, o in out.items()} == {
        "build.reproducible": Status.PASS,
        "build.deterministic-flags": Status.PASS,
        "build.pinned-images": Status.PASS,
        "build.minimal-image": Status.NOT_APPLICABLE,
        "build.size-deviation": Status.PASS,
        "build.declared-dependencies": Status.PASS,
        "build.ci-dockerfiles": Status.NOT_APPLICABLE,
    }
    assert out["build.minimal-image"].reason == (
        "the policy declares no image build ([[build.images]])"
    )
    assert list(private_tmp.iterdir()) == []


def commands_line(root: Path) -> int:
    """The line of ``[build] commands`` in the example's policy."""
    lines = (root / "aces.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index("[build]")
    return next(i for i, line in enumerate(lines[start:], start + 1) if line.startswith("commands"))


def test_a_timestamp_written_into_an_artifact_is_named(tmp_path: Path, private_tmp: Path) -> None:
    root = git_example(tmp_path)
    declare_build(
        root,
        '[build]\ncommands = [["sh", "-c", "mkdir -p out && date > out/stamp.txt"]]\n'
        'artifacts = ["out/*.txt"]\n',
    )
    outcome = run(root, "build.reproducible")["build.reproducible"]
    # the artifact is no file of the repository: the finding is at the commands that make it
    assert [where(f) for f in outcome.findings] == [
        ("build.reproducible", ("build.reproducible",), "aces.toml", commands_line(root))
    ]
    message = outcome.findings[0].message
    assert message.startswith("artifact out/stamp.txt differs between two builds; likely cause: ")
    assert "timestamp" in message
    assert list(private_tmp.iterdir()) == []


def test_an_embedded_build_path_is_named(tmp_path: Path, private_tmp: Path) -> None:
    root = git_example(tmp_path)
    declare_build(
        root,
        '[build]\ncommands = [["sh", "-c", "mkdir -p out && echo in $(pwd) > out/where.txt"]]\n'
        'artifacts = ["out/where.txt"]\n',
    )
    (finding,) = run(root, "build.reproducible")["build.reproducible"].findings
    assert where(finding) == (
        "build.reproducible",
        ("build.reproducible",),
        "aces.toml",
        commands_line(root),
    )
    assert finding.message.startswith("artifact out/where.txt differs")
    assert "likely cause: embedded build path (the build directory " in finding.message


def test_an_artifact_only_one_build_makes_is_named(tmp_path: Path, private_tmp: Path) -> None:
    root = git_example(tmp_path)
    script = 'mkdir -p out && echo a > out/a.txt && if [ "$TZ" = UTC ]; then echo b > out/b.txt; fi'
    declare_build(
        root, f'[build]\ncommands = [["sh", "-c", {script!r}]]\nartifacts = ["out/*.txt"]\n'
    )
    (finding,) = run(root, "build.reproducible")["build.reproducible"].findings
    assert where(finding) == (
        "build.reproducible.missing",
        ("build.reproducible",),
        "aces.toml",
        commands_line(root),
    )
    assert finding.message.startswith("artifact out/b.txt was produced by only one")


def test_a_hanging_build_is_an_error_naming_the_command(tmp_path: Path, private_tmp: Path) -> None:
    root = git_example(tmp_path)
    declare_build(
        root, '[build]\ncommands = [["sleep", "30"]]\nartifacts = ["x"]\ntimeout_seconds = 1\n'
    )
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert outcome.status is Status.ERROR
    assert outcome.error.splitlines()[0] == "`sleep 30` build command timed out after 1s in build A"
    assert list(private_tmp.iterdir()) == []


def test_a_failing_build_is_an_error_naming_the_command(tmp_path: Path, private_tmp: Path) -> None:
    root = git_example(tmp_path)
    declare_build(root, '[build]\ncommands = [["sh", "-c", "exit 3"]]\nartifacts = ["x"]\n')
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert outcome.status is Status.ERROR
    assert "build command failed in build A: sh -c 'exit 3'" in outcome.error


def test_an_artifact_glob_matching_nothing_is_an_error(tmp_path: Path, private_tmp: Path) -> None:
    root = git_example(tmp_path)
    declare_build(root, '[build]\ncommands = [["true"]]\nartifacts = ["out/*.bin"]\n')
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert outcome.status is Status.ERROR
    assert "artifact glob 'out/*.bin' matched no file after the build" in outcome.error


def test_target_cpu_native_in_cargo_config_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(
        root,
        ".cargo/config.toml",
        'rustflags = ["--remap-path-prefix=/src=/arqonbus-mini"]',
        'rustflags = ["--remap-path-prefix=/src=/arqonbus-mini", "-C", "target-cpu=native"]',
    )
    (finding,) = run(root, "build.deterministic-flags")["build.deterministic-flags"].findings
    assert where(finding) == (
        "build.deterministic-flags.native",
        ("build.deterministic-flags",),
        ".cargo/config.toml",
        4,
    )
    assert finding.message == (
        "target-cpu=native makes the artifact depend on the CPU of the build machine"
    )


def test_a_release_profile_without_path_remapping_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    (root / ".cargo" / "config.toml").unlink()
    (finding,) = run(root, "build.deterministic-flags")["build.deterministic-flags"].findings
    assert where(finding) == (
        "build.deterministic-flags.remap-path-prefix",
        ("build.deterministic-flags",),
        "Cargo.toml",
        5,
    )


def test_an_unpinned_from_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    text = (root / "Dockerfile").read_text(encoding="utf-8")
    pinned = re.search(r"ARG RUST_IMAGE=(\S+)", text)
    assert pinned is not None
    replace(root, "Dockerfile", pinned.group(1), "rust:1-slim-bookworm")
    (finding,) = run(root, "build.pinned-images")["build.pinned-images"].findings
    assert where(finding) == (
        "build.pinned-images.from-digest",
        ("build.pinned-images",),
        "Dockerfile",
        10,
    )
    assert finding.message == (
        "base image ${RUST_IMAGE} (rust:1-slim-bookworm) is not pinned by digest (@sha256:...)"
    )


def test_an_apt_install_without_version_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(root, "Dockerfile", "tini=0.19.0-1", "tini")
    (finding,) = run(root, "build.pinned-images")["build.pinned-images"].findings
    assert where(finding) == (
        "build.pinned-images.package",
        ("build.pinned-images",),
        "Dockerfile",
        18,
    )
    assert finding.message == "`apt-get` installs tini without a pinned version (pkg=version)"


def test_an_unpinned_install_in_a_heredoc_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    replace(root, "Dockerfile", 'python -c "import arqonbus_mini"\nEOT', "pip install uvicorn\nEOT")
    (finding,) = run(root, "build.pinned-images")["build.pinned-images"].findings
    assert where(finding) == (
        "build.pinned-images.package",
        ("build.pinned-images",),
        "Dockerfile",
        29,
    )
    assert finding.message == "`pip` installs uvicorn without a pinned version (pkg==version)"


def test_an_unpinned_compose_image_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    text = (root / "compose.yaml").read_text(encoding="utf-8")
    image = re.search(r"image: (nats:\S+)", text)
    assert image is not None
    replace(root, "compose.yaml", image.group(1), "nats:2.10-alpine")
    (finding,) = run(root, "build.pinned-images")["build.pinned-images"].findings
    assert where(finding) == (
        "build.pinned-images.compose-image",
        ("build.pinned-images",),
        "compose.yaml",
        8,
    )


@needs_cargo
def test_a_size_deviation_names_artifact_sizes_and_percent(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    baseline = root / "aces-baselines" / "artifacts.json"
    recorded = re.search(r": (\d+)", baseline.read_text(encoding="utf-8"))
    assert recorded is not None
    smaller = int(recorded.group(1)) * 2 // 3
    replace(root, "aces-baselines/artifacts.json", recorded.group(1), str(smaller))
    (finding,) = run(root, "build.size-deviation")["build.size-deviation"].findings
    assert where(finding) == (
        "build.size-deviation",
        ("build.size-deviation",),
        "aces-baselines/artifacts.json",
        3,
    )
    assert re.fullmatch(
        rf"artifact target/release/libarqonbus_frame\.rlib is \d+ bytes, baseline {smaller} "
        r"bytes: \+\d+\.\d% exceeds the allowed 10%",
        finding.message,
    )


def test_a_declared_image_without_a_container_engine_is_an_error(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    (root / "aces.toml").write_text(
        (root / "aces.toml").read_text(encoding="utf-8")
        + '\n[[build.images]]\ndockerfile = "Dockerfile"\nmax_bytes = 200000000\n',
        encoding="utf-8",
    )
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    runner = ProcessRunner(base_env={"PATH": str(empty)})
    ctx = RunContext(ws, change, loaded, load_doctrine(), processes=runner)
    (check,) = [c for c in STAGE.checks if c.id == "build.minimal-image"]
    assert check.applies(ctx) is None
    with pytest.raises(AcesError, match=r"^no container engine: neither docker nor podman"):
        list(check.run(ctx))
