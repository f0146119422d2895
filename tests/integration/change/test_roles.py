"""Test data is not the product: a testdata proto needs no spec and is not a stray proto.

A PR adds deliberately broken ``.proto`` files under ``testdata/`` and ``tests/fixtures/``
of the example. Stage 1 does not ask for a spec for them, stage 2 does not report them
as outside the proto directories, and the report counts the files classified so.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context, git, git_example

from aces.model import Status
from aces.pipeline.runner import run_pipeline
from aces.stages import STAGES
from aces.stages.s01_spec import SpecRequired
from aces.stages.schema_proto import ProtoLint

BROKEN = 'syntax = "proto3";\npackage Bad_Package;\nmessage lower_case { int32 X = 1 }\n'
PRODUCT = 'syntax = "proto3";\n\npackage side.v1;\n\n// A stray message.\nmessage Side {\n'


def with_test_protos(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    git(root, "checkout", "-q", "-b", "change")
    for rel in ("crates/arqonbus-frame/testdata/broken.proto", "tests/fixtures/old.proto"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(BROKEN, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "test protos")
    return root


def test_a_testdata_proto_needs_no_spec_and_is_no_stray_proto(tmp_path: Path) -> None:
    root = with_test_protos(tmp_path)
    ctx = context(root, base="main")
    assert ctx.change.in_class("protocol") == ()
    assert SpecRequired().applies(ctx) is not None  # nothing relevant changed
    assert [f.rule_id for f in ProtoLint().run(ctx)] == []


def test_a_product_proto_outside_the_proto_directories_still_counts(tmp_path: Path) -> None:
    root = with_test_protos(tmp_path)
    (root / "side").mkdir()
    (root / "side" / "side.proto").write_text(PRODUCT + "}\n", encoding="utf-8")
    ctx = context(root, base="main")
    assert ctx.change.in_class("protocol") == ("side/side.proto",)
    found = [(f.rule_id, f.location.path if f.location else "") for f in ProtoLint().run(ctx)]
    assert ("schema.proto-lint.outside", "side/side.proto") in found
    assert not [p for _, p in found if "testdata" in p or "fixtures" in p]


def test_the_report_counts_the_files_classified_as_test_data(tmp_path: Path) -> None:
    root = with_test_protos(tmp_path)
    ctx = context(root, base="main")
    roles = ctx.change.roles
    git(root, "checkout", "-q", "main")
    before = context(root, base="main").change.roles
    git(root, "checkout", "-q", "change")
    assert roles["fixture"] == before.get("fixture", 0) + 2
    assert roles["test"] >= 1 and roles["docs"] >= 1
    stage = next(s for s in STAGES if s.number == 1)
    report = run_pipeline((stage,), ctx)
    assert report.change.to_dict()["roles"] == roles
    assert report.stages[0].status in (Status.PASS, Status.NOT_APPLICABLE)
