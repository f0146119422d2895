"""The protobuf checks of stages 2 and 11 on the example and on mutated git copies of it.

Each mutation is made on a feature branch of a git copy whose base commit on main
is the untouched example, so the Change is exactly the mutation; every failing
case names the rule id, clause id, file and line.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.s11_compatibility import STAGE as STAGE11
from aces.stages.schema_proto import PROTO_CHECKS
from aces.tools.buf import find_buf
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
ENVELOPE = "proto/arqonbus/v1/envelope.proto"
CHECKS: tuple[Check, ...] = (*PROTO_CHECKS, *STAGE11.checks)
Found = tuple[tuple[str, tuple[str, ...], str, int | None], ...]

pytestmark = pytest.mark.skipif(
    find_buf(EXAMPLE, "") is None, reason="buf is not installed (make buf)"
)


def git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout


def git_example(tmp_path: Path) -> Path:
    """A git copy of the example: base commit on main, a feature branch checked out."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".aces"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def run(root: Path, base: str | None = "main") -> dict[str, tuple[Status, str, Found]]:
    """check id -> (status, NOT_APPLICABLE / ERROR reason, findings)."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    out: dict[str, tuple[Status, str, Found]] = {}
    for check in CHECKS:
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = (Status.NOT_APPLICABLE, skip.reason, ())
            continue
        try:
            findings = tuple(
                sorted(
                    (
                        f.rule_id,
                        f.clauses,
                        f.location.path if f.location else "",
                        f.location.line if f.location else None,
                    )
                    for f in check.run(ctx)
                )
            )
        except AcesError as exc:
            out[check.id] = (Status.ERROR, exc.diagnostics(), ())
            continue
        out[check.id] = (Status.FAIL if findings else Status.PASS, "", findings)
    return out


def failing(outcomes: dict[str, tuple[Status, str, Found]]) -> dict[str, Found]:
    return {cid: o[2] for cid, o in outcomes.items() if o[2]}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


TENANT = (
    "  // Tenant that owns the message; routing never crosses tenants.\n"
    "  // @since 1.0.0\n  string tenant_id = 9;\n"
)


# -- green -------------------------------------------------------------------------------------


def test_example_is_green_in_whole_tree_mode(tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".aces"))
    outcomes = run(root, base=None)
    status = {cid: o[0] for cid, o in outcomes.items()}
    assert status == {
        "schema.proto-lint": Status.PASS,
        "schema.proto-breaking": Status.NOT_APPLICABLE,
        "schema.reserved-tags": Status.NOT_APPLICABLE,
        "schema.no-field-rename": Status.NOT_APPLICABLE,
        "schema.deprecation-rules": Status.PASS,
        "schema.compat-comments": Status.PASS,
        "schema.golden-vectors": Status.PASS,
        "compat.deprecation": Status.NOT_APPLICABLE,
        "compat.optional-fields": Status.NOT_APPLICABLE,
    }
    assert outcomes["schema.reserved-tags"][1] == (
        "whole-tree run: there is no base version to compare with"
    )


def test_unchanged_branch_verifies_the_whole_tree(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    outcomes = run(root)
    # Nothing changed: the whole tree is verified, and the comparisons with a base have
    # nothing to compare.
    assert {o[0] for o in outcomes.values()} == {Status.PASS, Status.NOT_APPLICABLE}
    assert {o[1] for o in outcomes.values() if o[0] is Status.NOT_APPLICABLE} == {
        "whole-tree run: there is no base version to compare with"
    }
    assert git(root, "worktree", "list").count("\n") == 1  # the base worktree is gone


def test_compatible_addition_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    added = "\n  // Hop count.\n  // @since 1.1.0\n  optional int32 hops = 10;\n"
    edit(root, ENVELOPE, "  string tenant_id = 9;\n", "  string tenant_id = 9;\n" + added)
    assert failing(run(root)) == {}


def test_no_proto_files_is_not_applicable(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    (root / "README.md").write_text("nothing\n", encoding="utf-8")
    outcomes = run(root, base=None)
    assert {o[1] for o in outcomes.values()} == {"no .proto files in the repository"}


# -- failing mutations -------------------------------------------------------------------------


def test_lint_violation_and_compile_error(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    (root / "proto/arqonbus/v1/bad.proto").write_text(
        'syntax = "proto3";\npackage arqonbus.v1;\n// @since 1.1.0\nmessage bad_name {\n'
        "  // @since 1.1.0\n  strin a = 1;\n}\n",
        encoding="utf-8",
    )
    outcomes = run(root)
    assert outcomes["schema.proto-lint"][2] == (
        ("schema.proto-lint.compile", ("schema.proto-lint",), "proto/arqonbus/v1/bad.proto", 6),
    )
    # the other checks cannot verify a head that does not compile: ERROR naming the place
    status, reason, _ = outcomes["schema.reserved-tags"]
    assert status is Status.ERROR
    assert "proto/arqonbus/v1/bad.proto:6:3" in reason
    edit(root, "proto/arqonbus/v1/bad.proto", "strin", "string")
    assert run(root)["schema.proto-lint"][2] == (
        ("schema.proto-lint", ("schema.proto-lint",), "proto/arqonbus/v1/bad.proto", 4),
    )


def test_removed_field_fails_breaking_reserved_and_deprecation(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, TENANT, "")
    found = failing(run(root))
    line = line_of(root, ENVELOPE, "message Envelope")
    assert found == {
        "schema.proto-breaking": (
            ("schema.proto-breaking", ("schema.proto-breaking",), ENVELOPE, line),
        ),
        "schema.reserved-tags": (
            ("schema.reserved-tags.name", ("schema.reserved-tags",), ENVELOPE, line),
            ("schema.reserved-tags.number", ("schema.reserved-tags",), ENVELOPE, line),
        ),
        "schema.golden-vectors": (
            (
                "schema.golden-vectors.unknown-fields",
                ("schema.proto-breaking",),
                "tests/golden/proto/arqonbus.v1.Envelope/event-1.0.0.binpb",
                None,
            ),
        ),
        "compat.deprecation": (
            ("compat.deprecation.not-deprecated", ("compat.deprecation",), ENVELOPE, line),
        ),
    }


def test_renamed_field_fails_no_field_rename(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "string room = 5;", "string room_name = 5;")
    found = failing(run(root))
    line = line_of(root, ENVELOPE, "room_name = 5")
    assert found["schema.no-field-rename"] == (
        ("schema.no-field-rename.field", ("schema.no-field-rename",), ENVELOPE, line),
    )
    assert {f[0] for f in found["schema.proto-breaking"]} == {"schema.proto-breaking"}


def test_incomplete_deprecation_fails_deprecation_rules(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "string channel = 6;", "string channel = 6 [deprecated = true];")
    line = line_of(root, ENVELOPE, "string channel = 6")
    assert failing(run(root)) == {
        "schema.deprecation-rules": (
            (
                "schema.deprecation-rules.removal-version",
                ("schema.deprecation-rules",),
                ENVELOPE,
                line,
            ),
            ("schema.deprecation-rules.replacement", ("schema.deprecation-rules",), ENVELOPE, line),
        ),
    }


def test_deprecated_field_removed_too_early_fails_compat_deprecation(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "  // @since 1.0.0\n  string channel = 6;",
         "  // @since 1.0.0\n  // @replaced-by room\n  // @removal 2.0.0\n"
         "  string channel = 6 [deprecated = true];")  # fmt: skip
    git(root, "commit", "-q", "-am", "deprecate channel")
    git(root, "branch", "-f", "main", "HEAD")
    edit(root, ENVELOPE, "  // Channel inside the room.\n  // @since 1.0.0\n"
         "  // @replaced-by room\n  // @removal 2.0.0\n  string channel = 6 [deprecated = true];\n",
         '  reserved 6;\n  reserved "channel";\n')  # fmt: skip
    found = failing(run(root))
    line = line_of(root, ENVELOPE, "message Envelope")
    assert found["compat.deprecation"] == (
        ("compat.deprecation.too-early", ("compat.deprecation",), ENVELOPE, line),
    )
    assert "schema.reserved-tags" not in found


def test_new_field_without_comment_or_presence(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root, ENVELOPE, "  string tenant_id = 9;\n", "  string tenant_id = 9;\n  int32 hops = 10;\n"
    )
    line = line_of(root, ENVELOPE, "int32 hops = 10")
    assert failing(run(root)) == {
        "schema.compat-comments": (
            ("schema.compat-comments.missing", ("schema.compat-comments",), ENVELOPE, line),
        ),
        "compat.optional-fields": (
            ("compat.optional-fields.proto3-presence", ("compat.optional-fields",), ENVELOPE, line),
        ),
    }


def test_missing_golden_vector_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    shutil.rmtree(root / "tests/golden")
    line = line_of(root, ENVELOPE, "message Envelope")
    assert failing(run(root)) == {
        "schema.golden-vectors": (
            ("schema.golden-vectors.missing", ("schema.proto-breaking",), ENVELOPE, line),
        )
    }


def test_base_without_proto_folder(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    git(root, "checkout", "-q", "main")
    git(root, "rm", "-q", "-r", "proto")
    git(root, "commit", "-q", "-m", "no protos yet")
    git(root, "checkout", "-q", "feature")
    git(root, "checkout", "-q", "-b", "f2", "main")
    git(root, "checkout", "-q", "feature", "--", "proto")
    outcomes = run(root)
    assert outcomes["schema.proto-breaking"][0] is Status.NOT_APPLICABLE
    assert outcomes["schema.proto-breaking"][1].startswith("the base main has no .proto files")
    assert outcomes["schema.compat-comments"][0] is Status.PASS
