"""Undeclared runtime imports of Python projects, and CI Dockerfile builds (flag / not flag)."""

from __future__ import annotations

import pytest

from aces.engines.cidocker import dockerfile_builds
from aces.engines.pydeps import undeclared_imports
from aces.engines.pydeps.names import import_names

PYPROJECT = '[project]\nname = "svc"\ndependencies = [{deps}]\n'


def _scan(files: dict[str, str]) -> list[tuple[str, int, str]]:
    found = undeclared_imports(sorted(files), files.__getitem__)
    return [(u.path, u.line, u.module) for u in found]


FLAG = [
    pytest.param(
        {
            "pyproject.toml": PYPROJECT.format(deps='"uvicorn==0.30"'),
            "src/svc/__init__.py": "",
            "src/svc/app.py": "import os\n\nimport fastapi\n",
        },
        [("src/svc/app.py", 3, "fastapi")],
        id="fastapi-not-declared",
    ),
    pytest.param(
        {
            "requirements.txt": "requests==2.32\n",
            "svc/__init__.py": "",
            "svc/a.py": "def f():\n    import yaml\n",
        },
        [("svc/a.py", 2, "yaml")],
        id="lazy-import-requirements-project",
    ),
]

CLEAN = [
    pytest.param(
        {
            "pyproject.toml": PYPROJECT.format(deps='"PyYAML>=6", "grpcio", "protobuf"'),
            "src/svc/__init__.py": "import yaml\nimport grpc\n"
            "from google.protobuf import any_pb2\n",
        },
        id="distribution-names-differ-from-import-names",
    ),
    pytest.param(
        {
            "pyproject.toml": PYPROJECT.format(deps=""),
            "src/svc/__init__.py": "from svc import core\nimport json, asyncio\n",
            "src/svc/core.py": "from . import x\n",
            "tests/test_a.py": "import pytest\n",
            "src/svc/tests/test_b.py": "import hypothesis\n",
        },
        id="stdlib-first-party-and-tests",
    ),
    pytest.param(
        {
            "pyproject.toml": PYPROJECT.format(deps=""),
            "src/svc/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    import numpy\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
        },
        id="type-checking-and-optional",
    ),
    pytest.param(
        {
            "pyproject.toml": '[project]\nname = "svc"\ndynamic = ["dependencies"]\n',
            "src/svc/__init__.py": "import fastapi\n",
        },
        id="dynamic-dependencies-cannot-be-read",
    ),
    pytest.param(
        {
            "pyproject.toml": PYPROJECT.format(deps="")
            + '[project.optional-dependencies]\nserver = ["websockets==15"]\n',
            "src/svc/__init__.py": "import websockets\n",
        },
        id="declared-in-an-extra",
    ),
    pytest.param(
        {
            "Pipfile": '[packages]\nrequests = "*"\n\n[dev-packages]\npytest = "*"\n',
            "requirements-dev.txt": "pytest==8\n",
            "app/__init__.py": "import requests\n",
        },
        id="pipfile-packages",
    ),
    pytest.param(
        {"requirements.txt": "passlib[bcrypt]==1.7.4\n", "app/__init__.py": "import bcrypt\n"},
        id="package-named-by-an-extra",
    ),
    pytest.param(
        {"scripts/tool.py": "import matplotlib\n", "pyproject.toml": PYPROJECT.format(deps="")},
        id="not-a-package-module",
    ),
]


@pytest.mark.parametrize(("files", "expected"), FLAG)
def test_undeclared_should_flag(
    files: dict[str, str], expected: list[tuple[str, int, str]]
) -> None:
    assert _scan(files) == expected


@pytest.mark.parametrize("files", CLEAN)
def test_undeclared_should_not_flag(files: dict[str, str]) -> None:
    assert _scan(files) == []


def test_import_names_of_well_known_distributions() -> None:
    assert "yaml" in import_names("PyYAML")
    assert "google" in import_names("protobuf")
    assert "grpc" in import_names("grpcio")
    assert "prometheus_client" in import_names("prometheus-client")
    assert "dotenv" in import_names("python-dotenv")
    assert "opentelemetry" in import_names("opentelemetry-sdk")


WORKFLOW = """name: images
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: deploy/server.Dockerfile
      - uses: docker/build-push-action@v6
        with:
          context: services/api
      - run: |
          docker build -t x:1 \\
            -f docker/worker/Dockerfile .
          docker buildx build --platform linux/amd64 tools/cli
      - run: docker build -f ${{ matrix.file }} .
      - run: docker build .
        working-directory: web
"""


def test_workflow_dockerfile_builds_are_resolved() -> None:
    found = [(b.line, b.dockerfile) for b in dockerfile_builds(".github/workflows/i.yml", WORKFLOW)]
    assert found == [
        (11, "deploy/server.Dockerfile"),
        (12, "services/api/Dockerfile"),
        (17, "docker/worker/Dockerfile"),
        (18, "tools/cli/Dockerfile"),
        (20, "web/Dockerfile"),
    ]
