"""The checks of one stage, run in parallel, each within one deadline.

Each check runs in its own daemon thread (at most ``jobs`` at a time) with a
``DeadlineRunner``: its clock starts when the check starts, every child it
runs gets the time left, and at the deadline the supervisor stops the check's
process groups and gives its thread a short while to unwind. A check still
running then is ERROR and left behind: its thread is a daemon, so it can never
keep ACES alive. The stage's shared resources are closed only after this, so a
check never sees them closed under it while it can still stop on its own.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from aces.model import CheckResult, Status
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.tools.deadline import DeadlineRunner

# After the deadline the check's groups get SIGTERM, the grace period, then SIGKILL;
# this much more is left for its thread to report before it is given up on.
UNWIND_MARGIN_SECONDS = 1.0
# The check's own children time out at the deadline and say so; the supervisor stops
# what is left only a moment later, so that the same run always reports the same reason.
EXPIRE_LAG_SECONDS = 0.25
_IDLE_WAIT_SECONDS = 0.5

Evaluate = Callable[[Check, RunContext], CheckResult]


@dataclass
class _Task:
    """One check on its way: its thread, its deadline runner, what it reported."""

    check: Check
    scope: DeadlineRunner | None = None
    result: CheckResult | None = None
    give_up_at: float | None = None  # set once the deadline passed
    late: bool = False  # the check reported after its deadline
    done: threading.Event = field(default_factory=threading.Event)


def run_checks(
    checks: tuple[Check, ...], ctx: RunContext, evaluate: Evaluate, *, jobs: int
) -> list[CheckResult]:
    """Every check's result (in the order of ``checks``), none later than its deadline allows."""
    budget = ctx.options.check_timeout_seconds
    margin = ctx.processes.grace_seconds + UNWIND_MARGIN_SECONDS
    finished: queue.SimpleQueue[_Task] = queue.SimpleQueue()
    pending = [_Task(check) for check in checks]
    waiting = list(reversed(pending))
    running: list[_Task] = []
    results: dict[int, CheckResult] = {}
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                task = waiting.pop()
                _start(task, ctx, evaluate, budget, finished)
                running.append(task)
            _wait(finished, running)
            now = time.monotonic()
            for task in list(running):
                outcome = _settle(task, now, margin)
                if outcome is not None:
                    results[id(task)] = outcome
                    running.remove(task)
    except BaseException:
        # Interrupted (SIGTERM): the checks still running clean up what they were building
        # (an environment half up) before the stage closes its resources and ACES exits.
        _stop_all(running, margin)
        raise
    return [results[id(task)] for task in pending]


def _stop_all(running: list[_Task], margin: float) -> None:
    """Stop the groups of every running check and wait, at most ``margin``, for them to end."""
    for task in running:
        if task.scope is not None:
            task.scope.expire()
    until = time.monotonic() + margin
    for task in running:
        task.done.wait(max(0.0, until - time.monotonic()))


def _start(
    task: _Task,
    ctx: RunContext,
    evaluate: Evaluate,
    budget: float,
    finished: queue.SimpleQueue[_Task],
) -> None:
    """Give the check its deadline runner and start its thread."""
    scope = DeadlineRunner(ctx.processes, budget=budget)
    task.scope = scope
    check_ctx = replace(ctx, processes=scope)

    def body() -> None:
        try:
            task.result = evaluate(task.check, check_ctx)
            task.late = scope.expired
        finally:
            task.done.set()
            finished.put(task)

    name = f"aces-{task.check.id}"
    threading.Thread(target=body, name=name, daemon=True).start()


def _wait(finished: queue.SimpleQueue[_Task], running: list[_Task]) -> None:
    """Sleep until a check finishes or the next deadline (or give-up time) comes."""
    now = time.monotonic()
    wakes = [_next_wake(task, now) for task in running]
    seconds = min([_IDLE_WAIT_SECONDS, *wakes])
    with contextlib.suppress(queue.Empty):
        finished.get(timeout=max(0.0, seconds))


def _next_wake(task: _Task, now: float) -> float:
    """Seconds until something must be done about this task."""
    if task.give_up_at is not None:
        return task.give_up_at - now
    assert task.scope is not None
    return task.scope.deadline + EXPIRE_LAG_SECONDS - now


def _settle(task: _Task, now: float, margin: float) -> CheckResult | None:
    """The task's final result once there is one; None while it may still run."""
    assert task.scope is not None
    overran = task.give_up_at is not None
    if task.done.is_set():
        result = task.result
        if result is None or ((overran or task.late) and result.status is not Status.ERROR):
            return _timed_out(task)
        return result
    if not overran and now >= task.scope.deadline + EXPIRE_LAG_SECONDS:
        task.scope.expire()  # stops every group the check still has
        task.give_up_at = now + margin
        return None
    if overran and task.give_up_at is not None and now >= task.give_up_at:
        return _timed_out(task)
    return None


def _timed_out(task: _Task) -> CheckResult:
    """ERROR: the check overran its budget."""
    assert task.scope is not None
    check = task.check
    return CheckResult(
        check_id=check.id,
        stage=check.stage,
        clauses=check.clauses,
        status=Status.ERROR,
        reason=f"timed out after {task.scope.budget:g} s",
    )
