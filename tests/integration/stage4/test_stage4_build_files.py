"""Container build files by every naming and by what builds name, never by a substring.

A small repository of its own holds Dockerfile variants of every spelling, a
build file only a CI workflow names, one only a compose file names, a Python
module whose name contains ``dockerfile`` (with text that would be a broken
heredoc), a per-Dockerfile ignore file and one broken build file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.model import Finding, Status
from aces.pipeline.context import RunContext
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.stages.s04_build import STAGE
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

DIGEST = "@sha256:" + "ab" * 32
FILES = {
    "docker/Dockerfile-cuda": (
        "FROM nvidia/cuda:latest\n"
        "RUN wget http://downloads.example.org/model.bin -O /model.bin\n"
        "RUN curl -fsSL https://downloads.example.org/ok.tgz -o /ok.tgz\n"
    ),
    "Dockerfile.dev": "# syntax=docker/dockerfile:1\nFROM python\n",
    "Dockerfile_arm64": f"ARG BASE=debian:12{DIGEST}\nFROM ${{BASE}}\n",
    "gpu.Dockerfile": "FROM ubuntu:22.04\n",
    "Containerfile": (
        f"FROM alpine:3.20{DIGEST}\nADD http://mirror.example.org/tool.tar.gz /opt/\n"
        "RUN curl http://localhost:8080/health\n"
    ),
    "build/app.build": "FROM golang:1.23\n",
    ".github/workflows/release.yml": (
        "on: push\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: docker/build-push-action@v6\n"
        "        with:\n          context: .\n          file: build/app.build\n"
        "          push: false\n"
    ),
    "services/api/api.docker": "FROM node:22\n",
    "services/compose.yaml": (
        "services:\n  api:\n    build:\n      context: api\n      dockerfile: api.docker\n"
        f"    image: registry.example.org/api:1{DIGEST}\n"
    ),
    "src/tool/containers/dockerfile.py": (
        '"""Reads Dockerfiles."""\nEXAMPLE = """\nRUN <<EOF\necho never closed\n"""\n'
    ),
    "Dockerfile.dockerignore": "target/\n",
    "Dockerfile.template": "{{ header }}\nFROM {{ base }}\n",
    "images/Dockerfile.broken": f"FROM scratch{DIGEST}\nRUN <<EOF\necho never closed\n",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def context(root: Path) -> RunContext:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    return RunContext(ws, change, loaded, load_doctrine())


def pinned_images(root: Path) -> list[Finding]:
    (check,) = (c for c in STAGE.checks if c.id == "build.pinned-images")
    return sorted(check.run(context(root)), key=Finding.sort_key)


def rows(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [
        (f.rule_id.rsplit(".", 1)[-1], f.location.path, f.location.line)
        for f in findings
        if f.location is not None
    ]


def test_every_naming_and_every_named_file_is_read(repo: Path) -> None:
    assert rows(pinned_images(repo)) == [
        ("plaintext-download", "Containerfile", 2),
        ("from-digest", "Dockerfile.dev", 2),
        ("from-digest", "build/app.build", 1),
        ("from-digest", "docker/Dockerfile-cuda", 1),
        ("plaintext-download", "docker/Dockerfile-cuda", 2),
        ("from-digest", "gpu.Dockerfile", 1),
        ("unreadable", "images/Dockerfile.broken", None),
        ("from-digest", "services/api/api.docker", 1),
    ]


def test_latest_and_plaintext_are_named_in_the_message(repo: Path) -> None:
    by_file = {(f.location.path, f.rule_id): f.message for f in pinned_images(repo) if f.location}
    assert (
        "nvidia/cuda:latest is not pinned by digest"
        in by_file[("docker/Dockerfile-cuda", "build.pinned-images.from-digest")]
    )
    assert (
        ":latest names whatever was pushed last"
        in by_file[("Dockerfile.dev", "build.pinned-images.from-digest")]
    )
    assert (
        "http://downloads.example.org/model.bin over plaintext"
        in by_file[("docker/Dockerfile-cuda", "build.pinned-images.plaintext-download")]
    )


def test_a_python_module_named_after_dockerfiles_is_not_one(repo: Path) -> None:
    findings = pinned_images(repo)
    paths = {f.location.path for f in findings if f.location}
    assert "src/tool/containers/dockerfile.py" not in paths
    assert "Dockerfile.dockerignore" not in paths
    assert "Dockerfile.template" not in paths


def test_one_unreadable_build_file_is_a_finding_not_the_checks_error(repo: Path) -> None:
    report = run_pipeline((STAGE,), context(repo))
    (result,) = (r for r in report.stages[0].checks if r.check_id == "build.pinned-images")
    assert result.status is Status.FAIL
    (broken,) = (f for f in result.findings if f.rule_id.endswith(".unreadable"))
    assert broken.location is not None and broken.location.path == "images/Dockerfile.broken"
    assert "heredoc" in broken.message
