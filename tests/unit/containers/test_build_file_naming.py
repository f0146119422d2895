"""Container build files by the ecosystem's namings and content, never by a substring."""

from __future__ import annotations

import pytest

from aces.engines.buildflags.scan import is_build_config
from aces.engines.containers import container_build_files
from aces.engines.containers.naming import named_as_build_file, reads_as_build_file


@pytest.mark.parametrize(
    "path",
    [
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "docker/Dockerfile.dev",
        "Dockerfile-cuda",
        "Dockerfile-arm64",
        "Dockerfile_gpu",
        "gpu.Dockerfile",
        "app.containerfile",
        "Containerfile.prod",
        "Containerfile-ubi9",
    ],
)
def test_namings_of_build_files(path: str) -> None:
    assert named_as_build_file(path)
    assert is_build_config(path)


@pytest.mark.parametrize(
    "path",
    [
        "src/aces/engines/containers/dockerfile.py",
        "tools/dockerfile_parse.py",
        "Dockerfile.dockerignore",
        "docs/Dockerfile.md",
        "Dockerfile.json",
        "Dockerfiles/README",
        "mydockerfile",
        "dockerfiles.txt",
    ],
)
def test_other_kinds_of_files_are_not_build_files(path: str) -> None:
    assert not named_as_build_file(path)
    assert not is_build_config(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM debian:12\n", True),
        ("# syntax=docker/dockerfile:1\n\nARG BASE=x\nFROM ${BASE}\n", True),
        ("from alpine\n", True),
        ("{{ header }}\nFROM {{ base }}\n", False),
        ('"""A module."""\nFROM = 1\n', False),
        ("", False),
    ],
)
def test_content_of_a_variant(text: str, expected: bool) -> None:
    assert reads_as_build_file(text) is expected


def test_what_builds_name_is_a_build_file_whatever_its_name() -> None:
    files = {
        ".github/workflows/ci.yml": (
            "jobs:\n  a:\n    steps:\n      - run: docker build -f ops/image.build .\n"
            "      - uses: docker/build-push-action@v6\n"
            "        with: {context: svc, file: svc/release.build}\n"
        ),
        "ops/image.build": "FROM x\n",
        "svc/release.build": "FROM y\n",
        "deploy/compose.yaml": (
            "services:\n  a:\n    build: {context: ../app, dockerfile: App.docker}\n"
        ),
        "app/App.docker": "FROM z\n",
        "Dockerfile.template": "{{ x }}\n",
        "Dockerfile": "",
    }
    found = container_build_files(sorted(files), files.__getitem__)
    assert found == ("Dockerfile", "app/App.docker", "ops/image.build", "svc/release.build")
