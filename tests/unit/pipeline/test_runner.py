"""The runner: order, fail fast, fail closed, partial runs, cache."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.errors import ToolError
from aces.model import Finding, Location, Status, Verdict
from aces.pipeline.cache import ResultCache
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import NOT_IMPLEMENTED, run_pipeline
from aces.policy.schema import LoadedPolicy, Policy
from aces.workspace.types import Change


class FakeCheck(Check):
    """A check whose behaviour the test chooses."""

    stage = 1
    clauses = ("spec.required",)
    title = "fake"
    remedy = "do the thing"

    def __init__(self, check_id: str, behaviour: str, stage: int = 1) -> None:
        self.id = check_id  # type: ignore[misc]
        self.stage = stage  # type: ignore[misc]
        self.behaviour = behaviour
        self.runs = 0

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        return NotApplicable("nothing here") if self.behaviour == "na" else None

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        self.runs += 1
        if self.behaviour == "crash":
            raise ZeroDivisionError("boom")
        if self.behaviour == "tool":
            raise ToolError("buf not found", hint="make tools")
        if self.behaviour == "slow":
            time.sleep(2)
        if self.behaviour == "fail":
            yield self.finding("bad", Location("b.md", 3))
            yield self.finding("worse", Location("a.md", 9, 2))

    def cache_key(self, ctx: RunContext) -> str | None:
        return "k1"


class Tree:
    """The least of a workspace the runner touches: the files the fake findings name."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="aces-runner-"))
        for name in ("a.md", "b.md"):
            (self.root / name).write_text("line\n" * 10, encoding="utf-8")

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()


def ctx(**options: Any) -> RunContext:
    return RunContext(
        workspace=Tree(),  # type: ignore[arg-type]
        change=Change(base=None, head=None, whole_tree=True),
        loaded_policy=LoadedPolicy(Policy(), "embedded doctrine default", is_default=True),
        doctrine=load_doctrine(),
        options=RunOptions(**options),
    )


def stages(*checks: FakeCheck) -> tuple[StageDef, ...]:
    by_stage: dict[int, list[FakeCheck]] = {}
    for check in checks:
        by_stage.setdefault(check.stage, []).append(check)
    return tuple(
        StageDef(n, f"st{n}", f"Stage {n}", tuple(by_stage.get(n, ()))) for n in range(1, 4)
    )


def test_all_pass_is_pass_and_stage_without_checks_is_error() -> None:
    report = run_pipeline(stages(FakeCheck("a", "pass"), FakeCheck("b", "pass", 2)), ctx())
    assert [s.status for s in report.stages] == [Status.PASS, Status.PASS, Status.ERROR]
    assert report.stages[2].reason == NOT_IMPLEMENTED
    assert report.verdict is Verdict.ERROR


def test_fail_fast_blocks_later_stages() -> None:
    report = run_pipeline(
        stages(FakeCheck("a", "fail"), FakeCheck("b", "pass", 2), FakeCheck("c", "pass", 3)),
        ctx(),
    )
    assert [s.status for s in report.stages] == [Status.FAIL, Status.BLOCKED, Status.BLOCKED]
    assert report.stages[1].reason == "blocked by stage 1"
    assert report.verdict is Verdict.FAIL
    assert report.verdict.exit_code == 1


def test_keep_going_runs_later_stages() -> None:
    later = FakeCheck("b", "pass", 2)
    report = run_pipeline(stages(FakeCheck("a", "fail"), later), ctx(keep_going=True))
    assert report.stages[1].status is Status.PASS
    assert later.runs == 1


def test_findings_are_sorted_and_carry_clause() -> None:
    report = run_pipeline(stages(FakeCheck("a", "fail")), ctx(stages=(1,)))
    found = report.stages[0].checks[0].findings
    assert [str(f.location) for f in found] == ["a.md:9:2", "b.md:3"]
    assert all(f.clauses == ("spec.required",) for f in found)


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("crash", "crashed: ZeroDivisionError: boom"),
        ("tool", "buf not found (make tools)"),
    ],
)
def test_fail_closed(behaviour: str, reason: str) -> None:
    report = run_pipeline(stages(FakeCheck("a", behaviour)), ctx(stages=(1,)))
    result = report.stages[0].checks[0]
    assert result.status is Status.ERROR
    assert result.reason.startswith(reason)
    assert report.verdict is Verdict.ERROR


def test_timeout_is_error() -> None:
    report = run_pipeline(
        stages(FakeCheck("a", "slow")), ctx(stages=(1,), check_timeout_seconds=0.2)
    )
    assert report.stages[0].checks[0].status is Status.ERROR
    assert report.stages[0].checks[0].reason == "timed out after 0.2 s"


def test_not_applicable_everywhere_is_not_applicable_with_reason() -> None:
    report = run_pipeline(stages(FakeCheck("a", "na")), ctx(stages=(1,)))
    assert report.stages[0].status is Status.NOT_APPLICABLE
    assert report.stages[0].reason == "nothing here"
    assert report.verdict is Verdict.PASS


def test_partial_run_only_passes_when_asked() -> None:
    asked = run_pipeline(stages(FakeCheck("a", "pass")), ctx(stages=(1,)))
    assert asked.verdict is Verdict.PASS
    assert [s.status for s in asked.stages][1:] == [Status.NOT_RUN, Status.NOT_RUN]
    assert "partial run" in asked.notes[1]


def test_report_is_deterministic_apart_from_timing() -> None:
    first = run_pipeline(stages(FakeCheck("a", "fail"), FakeCheck("b", "pass")), ctx())
    second = run_pipeline(stages(FakeCheck("b", "pass"), FakeCheck("a", "fail")), ctx())
    assert first.to_dict(with_timing=False) == second.to_dict(with_timing=False)
    assert [r.rule_id for r in first.rules] == ["a", "b"]


def test_cache_serves_unchanged_inputs(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    check = FakeCheck("a", "fail")
    first = run_pipeline(stages(check), ctx(stages=(1,)), cache=cache)
    second = run_pipeline(stages(check), ctx(stages=(1,)), cache=cache)
    assert check.runs == 1
    assert second.stages[0].checks[0].cached
    assert second.timing["cached"] == ["a"]
    assert first.to_dict(with_timing=False) == second.to_dict(with_timing=False)


def test_errors_are_never_cached(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    check = FakeCheck("a", "crash")
    run_pipeline(stages(check), ctx(stages=(1,)), cache=cache)
    run_pipeline(stages(check), ctx(stages=(1,)), cache=cache)
    assert check.runs == 2


def test_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    check = FakeCheck("a", "pass")
    run_pipeline(stages(check), ctx(stages=(1,)), cache=cache)
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_text('{"id": "a", "status": "PASS"', encoding="utf-8")
    run_pipeline(stages(check), ctx(stages=(1,)), cache=cache)
    assert check.runs == 2


def test_a_check_naming_an_unknown_clause_makes_its_stage_error() -> None:
    check = FakeCheck("a", "pass")
    check.clauses = ("spec.no-such-clause",)  # type: ignore[misc]
    report = run_pipeline(stages(check), ctx(stages=(1,)))
    assert report.stages[0].status is Status.ERROR
    assert "spec.no-such-clause" in report.stages[0].reason
