"""Every reported location is a file of the repository and a line it has, or none."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.model import Finding, Location, Status
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.pipeline.locations import LocationVerifier, policy_file, verify_locations
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.policy.schema import LoadedPolicy, Policy
from aces.workspace.index import Workspace
from aces.workspace.types import Change, ChangedFile


@pytest.fixture
def tree(tmp_path: Path) -> Workspace:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("one\ntwo\nthree\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "no-newline.txt").write_text("one\ntwo", encoding="utf-8")
    return Workspace.open(tmp_path)


def finding(location: Location | None) -> Finding:
    return Finding("x.rule", ("spec.required",), "bad", location)


def verified(ws: Workspace, *locations: Location | None, change: Change | None = None) -> list:
    verifier = LocationVerifier(ws, change or Change(base=None, head=None, whole_tree=True))
    return verify_locations([finding(loc) for loc in locations], verifier)


@pytest.mark.parametrize(
    "location",
    [
        Location("src/a.py", 1),
        Location("src/a.py", 3, 2),
        Location("src/a.py"),
        Location("empty.txt", 1),
        Location("no-newline.txt", 2),
        None,
    ],
)
def test_real_places_are_kept_as_they_are(tree: Workspace, location: Location | None) -> None:
    assert verified(tree, location) == [finding(location)]


@pytest.mark.parametrize(
    "location",
    [
        Location("embedded doctrine default", 1),
        Location("crates/Cargo.toml", 1),
        Location("src", 1),  # a directory
        Location("../outside.txt", 1),
        Location("/etc/passwd", 1),
    ],
)
def test_a_file_that_does_not_exist_is_dropped_and_named(
    tree: Workspace, location: Location
) -> None:
    (out,) = verified(tree, location)
    assert out.location is None
    assert out.rule_id == "x.rule"
    assert out.message == f"bad (reported at {location}, which is not a file of the repository)"


@pytest.mark.parametrize("line", [0, 4, 90])
def test_a_line_past_the_end_keeps_only_the_file(tree: Workspace, line: int) -> None:
    (out,) = verified(tree, Location("src/a.py", line, 5))
    assert out.location == Location("src/a.py")
    assert f"line {line} of src/a.py, which has 3 line(s)" in out.message


def test_a_file_the_change_deletes_is_a_place_on_the_base_side(tree: Workspace) -> None:
    change = Change(
        base="b",
        head="h",
        whole_tree=False,
        files=(ChangedFile("gone.proto", "D"), ChangedFile("new.py", "R", old_path="old.py")),
    )
    kept = [Location("gone.proto", 12), Location("old.py", 3)]
    assert verified(tree, *kept, change=change) == [finding(loc) for loc in kept]


def test_the_embedded_default_policy_is_no_file(tree: Workspace) -> None:
    assert policy_file(LoadedPolicy(Policy(), "embedded doctrine default", True), tree) is None
    (tree.root / "aces.toml").write_text("", encoding="utf-8")
    ws = Workspace.open(tree.root)
    assert policy_file(LoadedPolicy(Policy(), "aces.toml", False), ws) == "aces.toml"


class FalsePlace(Check):
    """A check that reports at a file the repository lacks."""

    id = "spec.required"
    stage = 1
    clauses = ("spec.required",)
    title = "false place"
    remedy = "none"

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        yield self.finding("bad", Location("embedded doctrine default", 1))


def test_the_runner_reports_no_false_place(tree: Workspace) -> None:
    ctx = RunContext(
        tree,
        Change(base=None, head=None, whole_tree=True),
        LoadedPolicy(Policy(), "embedded doctrine default", is_default=True),
        load_doctrine(),
    )
    report = run_pipeline((StageDef(1, "spec", "Spec", (FalsePlace(),)),), ctx)
    (result,) = report.stages[0].checks
    assert result.status is Status.FAIL  # the finding still blocks
    (out,) = result.findings
    assert out.location is None
    assert "not a file of the repository" in out.message
