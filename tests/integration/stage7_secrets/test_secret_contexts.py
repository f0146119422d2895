"""sec.secrets judges each finding by its context: deploy, config, source, test, docs.

Deploy configuration and source code block; in tests and documents a clearly fake
or local value is information (severity ``note``: reported, not failing the check),
while a real-looking value blocks wherever it is. Files outside a sparse checkout
are not scanned, and one file that cannot be read does not stop the others.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.integration.stage7_secrets.test_stage7_secrets import (
    append_policy,
    commit,
    git,
    git_example,
)

from aces.cli.main import main
from aces.doctrine.catalog import load_doctrine
from aces.engines.secrets.samples import expand
from aces.errors import AcesError
from aces.model import Finding, Severity
from aces.pipeline.check import PartialResultError
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.security_secrets import SecretScan
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

TOKEN = expand("ghp_@@alnum:36@@", "ctx-gh")
PASSWORD = expand("@@alnum:14@@", "ctx-pw")
FILES = {
    "deploy/docker-compose.yml": (
        "services:\n"
        "  db:\n"
        "    image: postgres:16.4\n"
        "    environment:\n"
        "      POSTGRES_PASSWORD: hunter2\n"
        "  grafana:\n"
        "    environment:\n"
        "      - GF_SECURITY_ADMIN_PASSWORD=Adm1nPass\n"
    ),
    "tests/test_store.py": (
        '"""Store tests."""\n'
        "\n"
        f'DSN = "postgres://bus:{PASSWORD}@localhost:5432/bus"\n'
        'API_KEY = "test-Kq7Zx2vN9pLw4"\n'
        f'LEAKED = "{TOKEN}"\n'
    ),
    "docs/operations.md": (
        f"# Operations\n\nConnect with `postgres://bus:{PASSWORD}@db.example.com:5432/bus`.\n"
    ),
    "src/arqonbus_mini/store_dsn.py": (
        f'"""Default store address."""\n\nDSN = "postgres://bus:{PASSWORD}@localhost:5432/bus"\n'
    ),
}
EXPECTED = [
    ("sec.secrets.deploy-credential", "deploy/docker-compose.yml", 5, Severity.ERROR),
    ("sec.secrets.deploy-credential", "deploy/docker-compose.yml", 8, Severity.ERROR),
    ("sec.secrets.postgres-url-password", "docs/operations.md", 3, Severity.NOTE),
    ("sec.secrets.postgres-url-password", "src/arqonbus_mini/store_dsn.py", 3, Severity.ERROR),
    ("sec.secrets.postgres-url-password", "tests/test_store.py", 3, Severity.NOTE),
    ("sec.secrets.generic-secret", "tests/test_store.py", 4, Severity.NOTE),
    ("sec.secrets.github-token", "tests/test_store.py", 5, Severity.ERROR),
]


def context(root: Path, *, base: str | None = "main") -> RunContext:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=PullRequest())
    return RunContext(ws, change, loaded, load_doctrine())


def scanned(ctx: RunContext) -> list[Finding]:
    return sorted(SecretScan().run(ctx), key=Finding.sort_key)


def rows(found: list[Finding]) -> list[tuple[str, str, int | None, Severity]]:
    return [
        (
            f.rule_id,
            f.location.path if f.location else "",
            f.location.line if f.location else 0,
            f.severity,
        )
        for f in found
    ]


def planted(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    return root


def test_each_finding_is_judged_by_its_context(tmp_path: Path) -> None:
    found = scanned(context(planted(tmp_path)))
    assert rows(found) == EXPECTED
    assert {f.clauses for f in found} == {("sec.secrets",)}
    by_place = {(f.location.path, f.location.line): f for f in found if f.location}
    assert "in deploy configuration" in by_place[("deploy/docker-compose.yml", 5)].message
    note = by_place[("tests/test_store.py", 3)]
    assert "test fixture, a fake or local value: information, not blocking" in note.message
    assert "in documentation example" in by_place[("docs/operations.md", 3)].message


def test_with_no_information_context_every_fixture_blocks(tmp_path: Path) -> None:
    root = planted(tmp_path)
    append_policy(root, "\n[secrets]\ninfo_contexts = []\n")
    git(root, "commit", "-q", "-am", "policy")
    found = scanned(context(root))
    assert {f.severity for f in found} == {Severity.ERROR}
    assert len(found) == len(EXPECTED)


def test_information_alone_passes_the_check_and_is_reported(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    commit(
        root,
        "tests/test_store.py",
        FILES["tests/test_store.py"].replace(f'LEAKED = "{TOKEN}"\n', ""),
    )
    out = tmp_path / "out"
    main(
        [
            "run",
            str(root),
            "--stage",
            "7",
            "--base",
            "main",
            "--no-cache",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    check = next(c for s in report["stages"] for c in s["checks"] if c["id"] == "sec.secrets")
    assert check["status"] == "PASS"
    assert [(f["rule_id"], f["location"]["line"], f["severity"]) for f in check["findings"]] == [
        ("sec.secrets.postgres-url-password", 3, "note"),
        ("sec.secrets.generic-secret", 4, "note"),
    ]
    assert PASSWORD not in (out / "report.json").read_text(encoding="utf-8")


def test_files_outside_a_sparse_checkout_are_not_scanned(tmp_path: Path) -> None:
    source = planted(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", str(source), str(clone)],
        check=True,
        capture_output=True,
    )
    git(clone, "sparse-checkout", "set", "deploy", "src")
    git(clone, "checkout", "-q", "change")
    assert not (clone / "tests" / "test_store.py").exists()
    found = scanned(context(clone, base=None))
    assert sorted({f.location.path for f in found if f.location}) == [
        "deploy/docker-compose.yml",
        "src/arqonbus_mini/store_dsn.py",
    ]


def test_one_unreadable_file_is_named_and_the_others_are_scanned(tmp_path: Path) -> None:
    root = planted(tmp_path)
    ctx = context(root)
    (root / "docs" / "operations.md").unlink()  # gone after the workspace was listed
    with pytest.raises(PartialResultError) as caught:
        list(SecretScan().run(ctx))
    assert "docs/operations.md (file does not exist in the workspace)" in caught.value.message
    kept = rows(sorted(caught.value.findings, key=Finding.sort_key))
    assert kept == [row for row in EXPECTED if row[1] != "docs/operations.md"]
    assert isinstance(caught.value.error, AcesError)


def test_a_documented_example_key_is_information_in_tests_and_nothing_in_source(
    tmp_path: Path,
) -> None:
    root = git_example(tmp_path)
    example = 'KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_aws_client.py").write_text(f'"""AWS client."""\n{example}')
    (root / "src" / "arqonbus_mini" / "aws_client.py").write_text(f'"""AWS client."""\n{example}')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "aws")
    assert rows(scanned(context(root))) == [
        ("sec.secrets.aws-access-key-id", "tests/test_aws_client.py", 2, Severity.NOTE)
    ]
