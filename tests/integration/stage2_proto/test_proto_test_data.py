"""Test data inside a proto directory is not the protocol: stages 2 and 11 leave it out.

A repository of our own writing: ``proto/`` holds one good module and
``proto/testdata/broken/`` deliberately broken files (a syntax error, lint
violations). buf builds and lints the module without them (ACES's config excludes the
directory; a repository's own v1 ``buf.yaml`` gets the same exclude), the native
rules and the compatibility checks do not judge them, and the report counts them as
fixtures. The same broken file moved out of the test-data directory is reported.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.integration.stage2_proto.test_stage2_proto import run

from aces.model import Status
from aces.policy.loader import load_policy
from aces.stages.s11_compatibility import STAGE as STAGE11
from aces.stages.schema_proto import PROTO_CHECKS
from aces.tools.buf import find_buf
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

pytestmark = pytest.mark.skipif(
    find_buf(Path(__file__).parent, "") is None, reason="buf is not installed (make buf)"
)

GOOD = """syntax = "proto3";

package acme.v1;

// A greeting.
// @since 1.0.0
message Greeting {
  // Who is greeted.
  // @since 1.0.0
  string name = 1;
  // How often.
  // @since 1.0.0
  int32 times = 2;
}
"""
SYNTAX_ERROR = 'syntax = "proto3";\npackage Bad_Package;\nmessage lower_case { int32 X = 1 }\n'
LINT_ERRORS = 'syntax = "proto3";\npackage acme.v1;\nmessage lower_case {\n  int32 X = 1;\n}\n'
OLD_FIXTURE = """syntax = "proto3";
package legacy.v1;
message Old {
  int32 gone = 1;
  int32 kept = 2;
}
"""
NEW_FIXTURE = 'syntax = "proto3";\npackage legacy.v1;\nmessage Old {\n  int32 renamed = 2;\n}\n'
BROKEN = ("proto/testdata/broken/syntax.proto", "proto/testdata/broken/lint.proto")
PROTO_CHECK_IDS = {c.id for c in (*PROTO_CHECKS, *STAGE11.checks)}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def repo(tmp_path: Path, old: str = "proto/testdata/compat/old.proto") -> Path:
    """Base on main: the good module and an old proto (test data by default); a feature
    branch adds the broken test data and changes the old one incompatibly (removes a field,
    renames another)."""
    root = tmp_path / "repo"
    write(root, "proto/acme/v1/greeting.proto", GOOD)
    write(root, old, OLD_FIXTURE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-q", "-b", "feature")
    write(root, BROKEN[0], SYNTAX_ERROR)
    write(root, BROKEN[1], LINT_ERRORS)
    write(root, old, NEW_FIXTURE)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "test data")
    return root


def statuses(root: Path, base: str | None) -> dict[str, Status]:
    return {cid: o[0] for cid, o in run(root, base=base).items()}


def test_broken_test_data_under_the_proto_directory_is_not_judged(tmp_path: Path) -> None:
    root = repo(tmp_path)
    outcomes = run(root, base="main")
    assert set(outcomes) == PROTO_CHECK_IDS
    assert {cid: o[2] for cid, o in outcomes.items() if o[2]} == {}
    assert {o[0] for o in outcomes.values()} <= {Status.PASS, Status.NOT_APPLICABLE}
    for cid in ("schema.proto-lint", "schema.reserved-tags", "compat.deprecation"):
        assert outcomes[cid][0] is Status.PASS, cid
    whole = statuses(root, base=None)
    assert whole["schema.proto-lint"] is Status.PASS
    assert whole["schema.compat-comments"] is Status.PASS
    assert whole["schema.deprecation-rules"] is Status.PASS


def test_the_change_counts_the_broken_files_as_fixtures(tmp_path: Path) -> None:
    root = repo(tmp_path)
    ws = Workspace.open(root)
    change = compute_change(ws, load_policy(root).policy, base="main", pr=PullRequest())
    assert change.roles == {"fixture": 3}


def test_the_same_broken_files_outside_test_data_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path)
    write(root, "proto/acme/v1/lint.proto", LINT_ERRORS)
    found = run(root, base="main")["schema.proto-lint"][2]
    assert ("schema.proto-lint", ("schema.proto-lint",), "proto/acme/v1/lint.proto", 3) in found
    assert not [f for f in found if "testdata" in f[2]]
    write(root, "proto/acme/v1/syntax.proto", SYNTAX_ERROR)
    found = run(root, base="main")["schema.proto-lint"][2]
    assert found == (
        ("schema.proto-lint.compile", ("schema.proto-lint",), "proto/acme/v1/syntax.proto", 3),
    )


def test_the_same_incompatible_change_outside_test_data_is_reported(tmp_path: Path) -> None:
    old = "proto/legacy/v1/old.proto"
    root = repo(tmp_path, old)
    found = {cid: o[2] for cid, o in run(root, base="main").items() if o[2]}
    assert found["schema.reserved-tags"] == (
        ("schema.reserved-tags.name", ("schema.reserved-tags",), old, 3),
        ("schema.reserved-tags.number", ("schema.reserved-tags",), old, 3),
    )
    assert found["schema.no-field-rename"] == (
        ("schema.no-field-rename.field", ("schema.no-field-rename",), old, 4),
    )
    assert found["compat.deprecation"] == (
        ("compat.deprecation.not-deprecated", ("compat.deprecation",), old, 3),
    )
    assert ("schema.proto-breaking", ("schema.proto-breaking",), old, 3) in found[
        "schema.proto-breaking"
    ]


def test_a_repository_v1_buf_yaml_gets_the_test_data_excluded(tmp_path: Path) -> None:
    root = repo(tmp_path)
    write(root, "proto/buf.yaml", "version: v1\nlint:\n  use:\n    - STANDARD\n")
    assert statuses(root, base=None)["schema.proto-lint"] is Status.PASS
    write(root, "proto/acme/v1/lint.proto", LINT_ERRORS)
    found = run(root, base=None)["schema.proto-lint"][2]
    assert {f[2] for f in found} == {"proto/acme/v1/lint.proto"}


def test_a_buf_yaml_that_builds_broken_test_data_is_a_finding_not_a_pass(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path)
    # a v2 workspace config ACES does not rewrite: buf builds the test data and stops
    write(root, "proto/buf.yaml", "version: v2\nlint:\n  use:\n    - STANDARD\n")
    outcomes = run(root, base=None)
    assert outcomes["schema.proto-lint"][2] == (
        ("schema.proto-lint.compile", ("schema.proto-lint",), "proto/buf.yaml", 1),
    )
    # the native rules cannot read a module buf cannot build: ERROR, saying what to do
    status, reason, _ = outcomes["schema.compat-comments"]
    assert status is Status.ERROR
    assert "excludes of the module's buf.yaml" in reason
    write(root, "proto/buf.yaml", "version: v2\nmodules:\n  - path: .\n    excludes: [testdata]\n")
    assert statuses(root, base=None)["schema.proto-lint"] is Status.PASS
