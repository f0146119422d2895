"""`aces env up` in one process, `status`, `logs` and `down` from others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aces.runtime.proc import group_members
from aces.runtime.state import read_state, state_path

from .conftest import STANDIN, needs_servers

POLICY = f"""policy_version = "1.0.0"
[topology.nats]
nodes = 2
jetstream = false
[topology.valkey]
enabled = false
[topology.postgres]
enabled = false
[[topology.services]]
name = "standin"
command = ["{{python}}", "{STANDIN}"]
replicas = 2
"""


def aces(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aces", "env", *args], capture_output=True, text=True, timeout=60
    )


@needs_servers
def test_up_status_logs_down(tmp_path: Path) -> None:
    (tmp_path / "aces.toml").write_text(POLICY)
    up = subprocess.Popen(
        [sys.executable, "-m", "aces", "env", "up", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert up.stdout is not None
        printed = [up.stdout.readline() for _ in range(5)]  # NATS_URLS, 2 replicas, logs, running
        assert printed[-1] == "running; stop with Ctrl-C or `aces env down`\n", printed
        state = read_state(state_path(tmp_path))
        names = [p["name"] for p in state["processes"]]
        assert names == ["nats-0", "nats-1", "standin-0", "standin-1"]
        status = aces("status", str(tmp_path))
        assert status.returncode == 0
        assert [line.split()[:2] for line in status.stdout.splitlines()] == [
            [name, "running"] for name in names
        ]
        logs = aces("logs", "standin-0", str(tmp_path), "-n", "2")
        assert logs.stdout.startswith("standin standin-0 listening on ")
        assert logs.stdout.endswith('"GET /health HTTP/1.1" 200 -\n')
        unknown = aces("logs", "nope", str(tmp_path))
        assert unknown.returncode == 2
        assert "no process called 'nope'; expected one of: nats-0, nats-1" in unknown.stderr
        down = aces("down", str(tmp_path))
        assert down.returncode == 0
        assert down.stdout == "aces env: environment stopped\n"
        out, _ = up.communicate(timeout=20)
    finally:
        if up.poll() is None:
            up.terminate()  # SIGTERM: aces stops the environment before it exits
            up.wait(timeout=20)
    assert up.returncode == 0
    assert out.endswith("every process ended and the run directory was removed\n")
    assert not state_path(tmp_path).exists()
    assert all(group_members(p["pgid"]) == () for p in state["processes"])
    assert not Path(state["run_dir"]).exists()
    assert aces("status", str(tmp_path)).returncode == 2
