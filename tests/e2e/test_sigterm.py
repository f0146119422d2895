"""Killing a run with SIGTERM leaves no child process behind.

A small program wired like the CLI (a ProcessRunner inside
``terminate_children_on_signal``, ``AcesError`` -> exit 2) starts long-running
children from worker threads and from the main thread, one of them with a
grandchild; the test signals it and checks that every process group is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import aces
from aces.tools.process import parse_proc_stat

PROGRAM = textwrap.dedent(
    """
    import json, sys, threading, time
    from pathlib import Path

    from aces.errors import AcesError
    from aces.tools.process import ProcessRunner
    from aces.tools.signals import terminate_children_on_signal

    work_dir = Path(sys.argv[1])
    grandchild_file = work_dir / "grandchild.pid"
    runner = ProcessRunner(grace_seconds=1.0)


    def run(argv):
        try:
            runner.run(argv, cwd=work_dir, timeout=600)
        except AcesError:
            pass  # stopped by the signal: expected


    def announce():
        # Tell the test which groups exist once all three children and the grandchild run.
        while len(runner.live_process_groups()) < 3 or not grandchild_file.exists():
            time.sleep(0.02)
        state = {
            "groups": list(runner.live_process_groups()),
            "grandchild": int(grandchild_file.read_text()),
        }
        (work_dir / "state.tmp").write_text(json.dumps(state))
        (work_dir / "state.tmp").rename(work_dir / "state.json")


    def main():
        with terminate_children_on_signal(runner):
            threading.Thread(target=run, args=(["sleep", "300"],), daemon=True).start()
            nested = (
                "sleep 300 & echo $! > grandchild.tmp && mv grandchild.tmp grandchild.pid; wait"
            )
            threading.Thread(target=run, args=(["sh", "-c", nested],), daemon=True).start()
            threading.Thread(target=announce, daemon=True).start()
            runner.run(["sleep", "300"], cwd=work_dir, timeout=600)
        return 0


    try:
        sys.exit(main())
    except AcesError as exc:
        print(f"aces: error: {exc.diagnostics()}", file=sys.stderr)
        sys.exit(2)
    """
)


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state, _ = parse_proc_stat(Path(f"/proc/{pid}/stat").read_text())
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def group_running(pgid: int) -> bool:
    """True while a non-zombie member of process group ``pgid`` exists."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, pgrp = parse_proc_stat((entry / "stat").read_text())
        except (FileNotFoundError, ProcessLookupError):
            continue
        if pgrp == pgid and state not in ("Z", "X"):
            return True
    return False


def wait_for_file(path: Path, seconds: float) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} was not written within {seconds}s")
        time.sleep(0.05)
    data: dict[str, object] = json.loads(path.read_text())
    return data


def all_gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(group_running(pid) or running(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to observe process groups")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_killing_a_run_leaves_no_child_process_behind(
    tmp_path: Path, signum: signal.Signals
) -> None:
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    src = Path(aces.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pids: list[int] = []
    try:
        state = wait_for_file(tmp_path / "state.json", seconds=30)
        groups = state["groups"]
        grandchild = state["grandchild"]
        assert isinstance(groups, list) and isinstance(grandchild, int)
        pids = [*groups, grandchild]
        assert len(groups) == 3
        assert all(group_running(pgid) for pgid in groups)
        assert running(grandchild)

        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=20)

        assert proc.returncode == 2
        assert stderr == (
            f"aces: error: interrupted by {signum.name}: every child process was stopped; "
            "the run is not verified\n"
        )
        assert all_gone(pids, seconds=5), [p for p in pids if group_running(p) or running(p)]
    finally:
        # Never leave sleepers behind, even when an assertion failed.
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
