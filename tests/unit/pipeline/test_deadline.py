"""One deadline per check: children get the time left, the group dies at the deadline,
shared results time out once, and the stage closes its resources only after its checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from tests.unit.pipeline.test_runner import ctx
from tests.unit.tools.test_process_runner import pid_running

from aces.model import Finding, Status
from aces.pipeline.cache import ResultCache
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.pipeline.memo import RunMemo
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.tools.process import CommandError, ProcessRunner

HANG = ("sh", "-c", "sleep 300 & echo $!; wait")


class ScriptedCheck(Check):
    """A check of stage 1 that does what the test gives it."""

    stage = 1
    clauses = ("spec.required",)
    title = "scripted"

    def __init__(self, check_id: str, body: object) -> None:
        self.id = check_id  # type: ignore[misc]
        self.body = body

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        assert callable(self.body)
        self.body(ctx)
        return ()

    def cache_key(self, ctx: RunContext) -> str | None:
        return "k"


def stages(*checks: Check) -> tuple[StageDef, ...]:
    return (StageDef(1, "st1", "Stage 1", tuple(checks)),)


def bounded_ctx(budget: float, **options: object) -> RunContext:
    base = ctx(stages=(1,), check_timeout_seconds=budget, **options)
    return replace(base, processes=ProcessRunner(grace_seconds=0.2))


def hang(grandchildren: list[int]) -> object:
    def body(run_ctx: RunContext) -> None:
        try:
            run_ctx.processes.run(HANG, cwd=Path.cwd(), timeout=600)
        except CommandError as exc:
            grandchildren.append(int(exc.stdout.strip()))
            raise

    return body


def test_a_hung_tool_is_error_at_the_deadline_naming_the_command() -> None:
    grandchildren: list[int] = []
    started = time.monotonic()
    report = run_pipeline(stages(ScriptedCheck("a", hang(grandchildren))), bounded_ctx(1.0))
    elapsed = time.monotonic() - started
    result = report.stages[0].checks[0]
    assert result.status is Status.ERROR
    assert result.reason.splitlines()[0] == (
        "`sh -c 'sleep 300 & echo $!; wait'` timed out: the check's time budget of 1s ran out"
    )
    assert elapsed < 1.0 + 5.0
    assert grandchildren and not pid_running(grandchildren[0])


def test_a_shared_hung_run_times_out_once_for_every_check() -> None:
    builds: list[int] = []

    def shared(run_ctx: RunContext) -> None:
        def build() -> None:
            builds.append(1)
            run_ctx.processes.run(("sleep", "300"), cwd=Path.cwd(), timeout=600)

        run_ctx.memo.get("suite", build)

    checks = [ScriptedCheck(f"c{i}", shared) for i in range(6)]
    started = time.monotonic()
    report = run_pipeline(stages(*checks), bounded_ctx(1.0, jobs=4))
    elapsed = time.monotonic() - started
    assert builds == [1]
    assert [c.status for c in report.stages[0].checks] == [Status.ERROR] * 6
    assert all("time budget of 1s ran out" in c.reason for c in report.stages[0].checks)
    assert elapsed < 1.0 + 5.0


def test_shared_resources_close_after_the_checks_stopped() -> None:
    events: list[str] = []

    def body(run_ctx: RunContext) -> None:
        run_ctx.resources.add(lambda: events.append("resources closed"))
        try:
            run_ctx.processes.run(("sleep", "300"), cwd=Path.cwd(), timeout=600)
        finally:
            time.sleep(0.3)  # unwinding takes a while: the resources must still be there
            events.append("check stopped")

    run_pipeline(stages(ScriptedCheck("a", body)), bounded_ctx(0.5))
    assert events == ["check stopped", "resources closed"]


def test_a_check_that_never_stops_is_given_up_on_and_not_cached(tmp_path: Path) -> None:
    release = threading.Event()
    cache = ResultCache(tmp_path / "cache")
    check = ScriptedCheck("a", lambda _ctx: release.wait(30))
    started = time.monotonic()
    try:
        report = run_pipeline(stages(check), bounded_ctx(0.3), cache=cache)
    finally:
        release.set()
    assert time.monotonic() - started < 0.3 + 5.0  # the budget, then SIGTERM, grace, unwind
    assert report.stages[0].checks[0].status is Status.ERROR
    assert report.stages[0].checks[0].reason == "timed out after 0.3 s"
    time.sleep(0.2)  # the released check finishes late: its PASS must not be kept
    assert cache.get("a", "k") is None


def test_a_failed_memo_build_is_raised_again_without_rebuilding() -> None:
    memo = RunMemo()
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        raise ValueError("broken")

    for _ in range(3):
        try:
            memo.get("k", build)
        except ValueError as exc:
            assert str(exc) == "broken"
    assert calls == [1]
