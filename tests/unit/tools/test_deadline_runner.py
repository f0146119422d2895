"""DeadlineRunner: every child of a check bounded by the check's one deadline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from tests.unit.tools.test_process_runner import pid_running, wait_for

from aces.tools.deadline import DeadlineRunner
from aces.tools.process import CommandError, ProcessRunner


@pytest.fixture
def parent() -> ProcessRunner:
    return ProcessRunner(grace_seconds=0.5)


def test_a_long_timeout_is_clamped_to_the_time_left(parent: ProcessRunner, tmp_path: Path) -> None:
    scope = DeadlineRunner(parent, budget=1.0)
    started = time.monotonic()
    with pytest.raises(CommandError) as caught:
        scope.run(["sh", "-c", "sleep 300 & echo $!; wait"], cwd=tmp_path, timeout=600)
    assert time.monotonic() - started < 3
    assert caught.value.message == "timed out: the check's time budget of 1s ran out"
    assert not pid_running(int(caught.value.stdout.strip()))  # the grandchild too
    assert scope.live_process_groups() == ()


def test_the_remaining_time_shrinks_across_calls(parent: ProcessRunner) -> None:
    now = [100.0]
    scope = DeadlineRunner(parent, budget=10.0, clock=lambda: now[0])
    assert scope.remaining() == 10.0
    now[0] = 107.5
    assert scope.remaining() == 2.5
    assert not scope.expired
    now[0] = 111.0
    assert scope.remaining() == 0.0
    assert scope.expired


def test_a_shorter_timeout_of_the_caller_is_kept(parent: ProcessRunner, tmp_path: Path) -> None:
    scope = DeadlineRunner(parent, budget=60.0)
    with pytest.raises(CommandError) as caught:
        scope.run(["sleep", "300"], cwd=tmp_path, timeout=0.5)
    assert caught.value.message == "timed out after 0.5s"


def test_nothing_starts_once_the_budget_is_spent(parent: ProcessRunner, tmp_path: Path) -> None:
    scope = DeadlineRunner(parent, budget=0.0)
    marker = tmp_path / "ran"
    with pytest.raises(CommandError) as caught:
        scope.run(["touch", str(marker)], cwd=tmp_path, timeout=10)
    assert caught.value.message == (
        "was not started: timed out: the check's time budget of 0s ran out"
    )
    assert not marker.exists()


def test_expire_stops_a_running_child_from_another_thread(
    parent: ProcessRunner, tmp_path: Path
) -> None:
    scope = DeadlineRunner(parent, budget=60.0)
    errors: list[CommandError] = []

    def work() -> None:
        try:
            scope.run(["sleep", "300"], cwd=tmp_path, timeout=600)
        except CommandError as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    assert wait_for(lambda: scope.live_process_groups() != ())
    pgid = scope.live_process_groups()[0]
    scope.expire()
    thread.join(5)
    assert not thread.is_alive()
    assert errors[0].message == "was stopped: the check's time budget of 60s ran out"
    assert not pid_running(pgid)
    assert scope.closed and not parent.closed


def test_terminate_all_of_the_run_reaches_every_check(
    parent: ProcessRunner, tmp_path: Path
) -> None:
    scope = DeadlineRunner(parent, budget=60.0)
    done = threading.Event()

    def work() -> None:
        with pytest.raises(CommandError):
            scope.run(["sleep", "300"], cwd=tmp_path, timeout=600)
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    assert wait_for(lambda: scope.live_process_groups() != ())
    pgid = scope.live_process_groups()[0]
    parent.terminate_all()
    thread.join(5)
    assert done.is_set()
    assert not pid_running(pgid)
    late = DeadlineRunner(parent, budget=60.0)  # a check started after the signal
    assert late.closed


def test_servers_belong_to_the_run_not_to_the_check(parent: ProcessRunner, tmp_path: Path) -> None:
    scope = DeadlineRunner(parent, budget=60.0)
    started = scope.start(["sleep", "300"], cwd=tmp_path, log_path=tmp_path / "log")
    try:
        assert parent.live_process_groups() == (started.pid,)
        scope.expire()
        assert pid_running(started.pid)  # the stage's resources stop it, not the check
        # a shared environment may restart a server after the check that built it is over
        again = scope.start(["sleep", "300"], cwd=tmp_path, log_path=tmp_path / "log")
    finally:
        scope.stop([started], grace=0.5)
    scope.stop([again], grace=0.5)
    assert not pid_running(started.pid) and not pid_running(again.pid)
