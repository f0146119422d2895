"""Reaping recorded environments: only processes that are provably ours, only run directories."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aces.runtime.proc import group_members, start_time
from aces.runtime.state import (
    STATE_VERSION,
    identity,
    read_state,
    reap,
    reap_stale,
    state_dir,
    wait_until,
    write_state,
)
from aces.runtime.supervisor import Supervisor


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process leading its own group, as every server of an environment does."""
    proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def _state(run_dir: Path, owner: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "owner": owner,
        "supervisor": None,
        "run_dir": str(run_dir),
        "processes": list(entries),
    }


def _entry(name: str, pid: int, started: int | None) -> dict[str, Any]:
    return {"name": name, "kind": "nats", "pid": pid, "pgid": pid, "start_time": started}


def _dead_owner() -> dict[str, Any]:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return {"pid": gone.pid, "start_time": 1, "session": None}


def test_a_recorded_group_whose_leader_started_at_another_time_is_not_signalled(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    started = start_time(sleeper.pid)
    assert started is not None
    path = tmp_path / "env.json"
    write_state(
        path,
        _state(tmp_path / "aces-env-x", _dead_owner(), _entry("nats-0", sleeper.pid, started + 1)),
    )
    reaped = reap(path, grace=0.2)
    assert reaped.stopped == ()
    assert sleeper.poll() is None  # a recycled pid: someone else's program, left alone
    assert not path.exists()


def test_a_recorded_group_that_is_ours_is_stopped_and_its_run_directory_removed(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    run_dir = tmp_path / "aces-env-abc"
    (run_dir / "logs").mkdir(parents=True)
    path = tmp_path / "env.json"
    entry = _entry("valkey", sleeper.pid, start_time(sleeper.pid))
    write_state(path, _state(run_dir, _dead_owner(), entry))
    reaped = reap(path, grace=0.5)
    assert reaped.stopped == ("valkey",)
    assert wait_until(lambda: not group_members(sleeper.pid), 2.0)
    assert not run_dir.exists() and reaped.run_dir_removed
    assert reaped.describe().endswith(f"(env.json): stopped valkey; removed {run_dir}")


def test_a_directory_that_is_not_a_run_directory_is_never_removed(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    path = tmp_path / "env.json"
    write_state(path, _state(precious, _dead_owner()))
    assert reap(path).run_dir_removed is False
    assert precious.is_dir()


def test_only_environments_whose_owner_is_gone_are_stale(tmp_path: Path) -> None:
    directory = state_dir(tmp_path)
    write_state(directory / "live.json", _state(tmp_path / "aces-env-1", identity(os.getpid())))
    write_state(directory / "dead.json", _state(tmp_path / "aces-env-2", _dead_owner()))
    reaped = reap_stale(tmp_path)
    assert [r.state_file.name for r in reaped] == ["dead.json"]
    assert read_state(directory / "live.json")["owner"]["pid"] == os.getpid()


def _supervised(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> tuple[Path, Supervisor]:
    run_dir = tmp_path / "aces-env-sup"
    (run_dir / "logs").mkdir(parents=True)
    path = tmp_path / "env.json"
    entry = _entry("standin-0", sleeper.pid, start_time(sleeper.pid))
    write_state(path, _state(run_dir, identity(os.getpid()), entry))
    return path, Supervisor.start(path, 0.5, tmp_path / "supervisor.log")


def test_a_released_supervisor_exits_and_touches_nothing(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    path, supervisor = _supervised(tmp_path, sleeper)
    supervisor.release()
    assert sleeper.poll() is None
    assert path.exists()


def test_a_supervisor_whose_owner_vanished_reaps(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    path, supervisor = _supervised(tmp_path, sleeper)
    code = (
        "import subprocess, sys; from pathlib import Path\n"
        "from aces.runtime.supervisor import Supervisor\n"
        f"Supervisor.start(Path({str(path)!r}), 0.5, Path({str(tmp_path / 'two.log')!r}))\n"
    )
    supervisor.release()
    # an owner that starts a supervisor and exits without releasing it (as if killed)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    assert wait_until(lambda: not path.exists(), 10.0)
    assert wait_until(lambda: not group_members(sleeper.pid), 5.0)
    assert "stopped standin-0" in (tmp_path / "two.log").read_text()


def test_a_process_started_but_not_yet_recorded_is_found_by_its_run_directory(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "aces-env-stray"
    run_dir.mkdir()
    # what aces started just before it was killed: in the run directory, not in the state
    stray = subprocess.Popen(["sleep", "30"], cwd=run_dir, start_new_session=True)
    bystander = subprocess.Popen(["sleep", "30"], cwd=run_dir)  # in the owner's session
    try:
        path = tmp_path / "env.json"
        write_state(path, _state(run_dir, identity(os.getpid())))
        reaped = reap(path, grace=0.2)
        assert reaped.stray == 1
        assert stray.wait(5) == -9
        assert bystander.poll() is None  # a shell of the person who ran aces is left alone
        assert "1 stray processes killed" in reaped.describe()
    finally:
        for proc in (stray, bystander):
            proc.kill()
            proc.wait()
