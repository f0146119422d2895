"""``aces run`` killed with SIGTERM stops every process it started, then exits 2.

Stage 2's transition-coverage check runs the policy's test command; here that
command starts a sleeping child and a sleeping grandchild with marker arguments.
Once both exist the test sends SIGTERM to aces and checks that neither survives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

MARKERS = ("4242.5", "4243.5")


def marked_pids() -> list[int]:
    """Live (non-zombie) processes whose command line carries one of the markers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(m.encode() in cmdline for m in MARKERS):
            found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_sigterm_leaves_no_child_behind(example_copy: Callable[[], Path]) -> None:
    repo = example_copy()
    policy = (repo / "aces.toml").read_text(encoding="utf-8")
    command = f"sleep {MARKERS[0]} & sleep {MARKERS[1]}; wait"
    policy = policy.replace(
        'test_command = ["python", "-m", "pytest", "-q"]',
        f'test_command = ["sh", "-c", "{command}"]',
    )
    (repo / "aces.toml").write_text(policy, encoding="utf-8")
    assert not marked_pids(), "stale marker processes from an earlier run"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aces", "run", str(repo), "--stage", "2", "--no-cache", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert wait_for(lambda: len(marked_pids()) == 2, 60), "the test command never started"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2
    assert "SIGTERM" in err
    assert "Traceback" not in err
    assert wait_for(lambda: not marked_pids(), 5), marked_pids()
