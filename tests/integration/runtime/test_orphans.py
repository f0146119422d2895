"""A killed owner leaves nothing behind: the supervisor, `aces env down`, the next environment.

Each test starts a small environment (NATS, Valkey, two stand-in replicas) in a
holder process, as ``aces run`` would, then kills it the way nothing can clean up
after: SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from aces.runtime.proc import group_members, is_live
from aces.runtime.provider_local import Environment
from aces.runtime.state import read_state, state_path, wait_until

from .conftest import FIXTURES, needs_servers, small, standin

HOLDER = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {fixtures!r})
from conftest import small, standin
from aces.runtime.provider_local import Environment
from aces.runtime.topology import ValkeySpec
topology = small(standin())
topology = type(topology)(**{{**topology.__dict__, "valkey": ValkeySpec(enabled=True)}})
state = {state!r}
state = Path(state) if state else None
with Environment(topology, root=Path({root!r}), grace_seconds=1.0, state_file=state) as env:
    print(json.dumps({{"pgids": [p.pgid for _, _, p in env.processes()],
                      "run_dir": str(env.run_dir), "state": str(env.state_file)}}), flush=True)
    time.sleep(120)
"""


def _hold(root: Path, state: Path | None = None) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start an environment in a holder process; what it started."""
    script = root / "hold.py"
    script.write_text(
        HOLDER.format(fixtures=str(FIXTURES.parent), root=str(root), state=state and str(state))
    )
    holder = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    started = json.loads(holder.stdout.readline())
    assert len(started["pgids"]) == 4  # nats-0, valkey, standin-0, standin-1
    return holder, started


def _left(started: dict[str, Any]) -> dict[int, tuple[int, ...]]:
    return {g: group_members(g) for g in started["pgids"] if group_members(g)}


def _gone_within(started: dict[str, Any], seconds: float) -> float:
    """Seconds until no process group, run directory or state file remains; fails after."""
    begun = time.monotonic()
    while time.monotonic() - begun < seconds:
        paths = (Path(started["run_dir"]), Path(started["state"]))
        if not _left(started) and not any(p.exists() for p in paths):
            return time.monotonic() - begun
        time.sleep(0.05)
    raise AssertionError(
        f"left after {seconds} s: {_left(started)}, run dir exists: "
        f"{Path(started['run_dir']).exists()}, state exists: {Path(started['state']).exists()}"
    )


def _kill_owner_and_supervisor(tmp_path: Path, state: Path | None = None) -> dict[str, Any]:
    """SIGKILL the supervisor, then the holder: only a reaper can stop what is left."""
    holder, started = _hold(tmp_path, state)
    recorded = read_state(Path(started["state"]))
    os.kill(recorded["supervisor"]["pid"], signal.SIGKILL)
    holder.kill()
    holder.wait()
    time.sleep(0.3)
    assert len(_left(started)) == 4  # the situation a killed aces used to leave
    return started


def _aces(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aces", "env", *args], capture_output=True, text=True, timeout=30
    )


@needs_servers
def test_sigkilled_owner_is_reaped_by_its_supervisor_within_seconds(tmp_path: Path) -> None:
    holder, started = _hold(tmp_path)
    state = read_state(Path(started["state"]))
    assert [p["name"] for p in state["processes"]] == ["nats-0", "valkey", "standin-0", "standin-1"]
    assert all(isinstance(p["start_time"], int) for p in state["processes"])
    holder.kill()  # SIGKILL: no handler, no finally, no atexit
    holder.wait()
    assert _gone_within(started, 5.0) < 5.0
    assert wait_until(lambda: not is_live(state["supervisor"]["pid"]), 2.0)


@needs_servers
def test_env_down_reaps_an_environment_whose_owner_and_supervisor_were_killed(
    tmp_path: Path,
) -> None:
    started = _kill_owner_and_supervisor(tmp_path, state_path(tmp_path))  # as `aces env up`
    status = _aces("status", str(tmp_path))
    assert status.returncode == 1
    assert status.stdout.splitlines()[-1].endswith("is gone; `aces env down` reaps it")
    down = _aces("down", str(tmp_path))
    assert down.returncode == 0, down.stderr
    name = Path(started["state"]).name
    assert down.stdout.startswith("aces env: reaped the environment of pid "), down.stdout
    assert f"({name}): stopped nats-0, valkey, standin-0, standin-1; " in down.stdout
    assert down.stdout.endswith(f"; removed {started['run_dir']}\n")
    _gone_within(started, 1.0)
    again = _aces("down", str(tmp_path))
    assert again.returncode == 2
    assert "no environment is running here" in again.stderr


@needs_servers
def test_next_environment_of_the_repository_reaps_a_stale_one(tmp_path: Path) -> None:
    started = _kill_owner_and_supervisor(tmp_path)
    with Environment(small(standin(replicas=1)), root=tmp_path, grace_seconds=1.0) as env:
        assert [r.state_file.name for r in env.reaped] == [Path(started["state"]).name]
        assert env.reaped[0].stopped == ("nats-0", "valkey", "standin-0", "standin-1")
        _gone_within(started, 0.5)
        assert env.replicas()[0].running


SIGINT_HOLDER = """
import asyncio, sys, threading, time
from pathlib import Path
sys.path.insert(0, {fixtures!r})
from conftest import small
from aces.runtime.checks_spec import ChecksSpec
from aces.runtime.provider_local import Environment
from aces.runtime.taps import InfrastructureTaps
from aces.tools.process import ProcessRunner
from aces.tools.signals import InterruptError, terminate_children_on_signal

runner = ProcessRunner(grace_seconds=1.0)
env = Environment(small(), root=Path({root!r}), runner=runner, handle_signals=False)
tapped = threading.Event()

async def tap():
    taps = InfrastructureTaps(env, ChecksSpec())
    await taps.start()
    tapped.set()
    while not runner.closed:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # the servers are gone now: the client notices meanwhile

try:
    with terminate_children_on_signal(runner):
        env.up()
        worker = threading.Thread(target=asyncio.run, args=(tap(),))
        worker.start()
        tapped.wait(10)
        print("ready", flush=True)
        time.sleep(60)
except InterruptError as exc:
    env.down()
    print(f"aces: error: {{exc}}", file=sys.stderr)
    sys.exit(2)
"""


@needs_servers
def test_sigint_to_the_process_group_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    script = tmp_path / "interrupted.py"
    script.write_text(SIGINT_HOLDER.format(fixtures=str(FIXTURES.parent), root=str(tmp_path)))
    holder = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, as a shell gives a foreground job
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "ready\n"
        os.killpg(holder.pid, signal.SIGINT)  # what Ctrl-C does
        _, err = holder.communicate(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert holder.returncode == 2
    assert err == textwrap.dedent(
        """\
        aces: error: interrupted by SIGINT: every child process was stopped; the run is not verified
        """
    )
