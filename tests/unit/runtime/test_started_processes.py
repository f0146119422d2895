"""ProcessRunner.start / stop: long-running servers logged to a file, stopped with the rest."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from aces.errors import ToolError
from aces.runtime.proc import group_members
from aces.tools.process import ProcessRunner

SERVE = "import sys, time; print('up', flush=True); time.sleep(60)"


def test_started_process_logs_to_its_file_and_stops(tmp_path: Path) -> None:
    runner = ProcessRunner(grace_seconds=0.5)
    log = tmp_path / "p.log"
    started = runner.start([sys.executable, "-c", SERVE], cwd=tmp_path, log_path=log)
    assert runner.live_process_groups() == (started.pgid,)
    deadline = time.monotonic() + 5
    while "up" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert log.read_text() == "up\n"
    runner.stop([started])
    assert started.poll() == -15
    assert group_members(started.pgid) == ()
    assert runner.live_process_groups() == ()


def test_terminate_all_stops_started_processes(tmp_path: Path) -> None:
    runner = ProcessRunner(grace_seconds=0.5)
    started = runner.start([sys.executable, "-c", SERVE], cwd=tmp_path, log_path=tmp_path / "l")
    runner.terminate_all()
    assert started.poll() is not None
    assert group_members(started.pgid) == ()
    with pytest.raises(ToolError, match="shutting down"):
        runner.start([sys.executable, "-c", SERVE], cwd=tmp_path, log_path=tmp_path / "l")


def test_a_missing_program_names_its_install_hint(tmp_path: Path) -> None:
    runner = ProcessRunner()
    with pytest.raises(ToolError) as caught:
        runner.start(["no-such-server"], cwd=tmp_path, log_path=tmp_path / "l", install_hint="x")
    assert caught.value.diagnostics() == "`no-such-server` not found on PATH (x)"
