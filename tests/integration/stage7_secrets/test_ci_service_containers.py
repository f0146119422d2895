"""A CI job's throwaway database is the job's test fixture, not a deploy secret.

A workflow starts a Postgres service container for its test job, with the image's
customary password, and the job connects to it on loopback. Those credentials are
information; the same password in a deploy job's ``env`` or a compose file still
blocks, and so does a URL to a real host in a workflow.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage7_secrets.test_secret_contexts import context, rows, scanned
from tests.integration.stage7_secrets.test_stage7_secrets import git, git_example

from aces.engines.secrets.ci_services import fixture_lines
from aces.model import Severity

WORKFLOW = """\
name: tests
on: [push]
jobs:
  integration:
    runs-on: ubuntu-latest
    env:
      DATABASE_URL: postgresql://bus:Pg7vQ2xLm9Kw@127.0.0.1:5432/bus
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_USER: bus
          POSTGRES_PASSWORD: Pg7vQ2xLm9Kw
        ports:
          - 5432:5432
    steps:
      - run: pytest
  deploy:
    runs-on: ubuntu-latest
    env:
      DATABASE_URL: postgresql://bus:Pg7vQ2xLm9Kw@db.prod.internal:5432/bus
      ADMIN_PASSWORD: Pg7vQ2xLm9Kw
    steps:
      - run: ./deploy.sh
"""


def planted(tmp_path: Path, files: dict[str, str]) -> Path:
    root = git_example(tmp_path)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    return root


def test_a_jobs_service_container_is_information_and_a_deploy_job_blocks(
    tmp_path: Path,
) -> None:
    path = ".github/workflows/tests.yml"
    found = rows(scanned(context(planted(tmp_path, {path: WORKFLOW}))))
    by_line = {line: severity for _, p, line, severity in found if p == path}
    assert by_line == {
        7: Severity.NOTE,  # the job's URL to its own container on loopback
        13: Severity.NOTE,  # the service container's password
        21: Severity.ERROR,  # a URL to a real host
        22: Severity.ERROR,  # a deploy job's password
    }


def test_the_same_password_in_a_compose_file_blocks(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres:16\n    environment:\n"
    compose += "      POSTGRES_PASSWORD: Pg7vQ2xLm9Kw\n"
    found = rows(scanned(context(planted(tmp_path, {"deploy/docker-compose.yml": compose}))))
    assert ("deploy/docker-compose.yml", 5, Severity.ERROR) in {(p, n, s) for _, p, n, s in found}


def test_only_workflow_files_have_job_fixture_lines() -> None:
    assert fixture_lines(".github/workflows/tests.yml", WORKFLOW) == frozenset({7, *range(9, 16)})
    assert fixture_lines("deploy/docker-compose.yml", WORKFLOW) == frozenset()
