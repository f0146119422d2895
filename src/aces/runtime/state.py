"""The state file of ``aces env up``: what runs, so another ``aces`` can show or stop it.

``.aces/env/state.json`` (under the repository root) records the owner process
(the ``aces env up`` holding the environment), every process with its pid,
process group and start time, its log file and URL, and the run directory.
``aces env down`` asks the owner to stop (SIGTERM) and, should the owner be
gone or stuck, stops the recorded process groups itself. A pid is acted on only
when its start time still matches, so a reused pid is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

from aces.errors import InputError
from aces.runtime.proc import group_members, is_live, start_time
from aces.runtime.provider_local import Environment

STATE_FILE = Path(".aces") / "env" / "state.json"
STATE_VERSION = 1
_POLL = 0.05


def state_path(root: Path) -> Path:
    """Where the state file of the environment of ``root`` is."""
    return root / STATE_FILE


def snapshot(env: Environment, owner_pid: int) -> dict[str, Any]:
    """The state of a running environment, as JSON-ready data."""
    urls = {r.replica_id: r.url for r in env.replicas()}
    processes = [
        {
            "name": name,
            "kind": kind,
            "pid": proc.pid,
            "pgid": proc.pgid,
            "start_time": start_time(proc.pid),
            "log": str(proc.log_path),
            "url": urls.get(name, ""),
        }
        for name, kind, proc in env.processes()
    ]
    return {
        "version": STATE_VERSION,
        "owner": {"pid": owner_pid, "start_time": start_time(owner_pid)},
        "run_dir": str(env.run_dir),
        "nats_urls": list(env.nats_urls()),
        "valkey_url": env.valkey_url(),
        "database_url": env.database_url(),
        "processes": processes,
    }


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Write the state atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)


def read_state(path: Path) -> dict[str, Any]:
    """The recorded state, or ``InputError`` when no environment is recorded."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            "no environment is running here", path=str(path), hint="start one with `aces env up`"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable environment state: {exc}", path=str(path)) from None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise InputError("unknown environment state format", path=str(path))
    return data


def still_ours(entry: dict[str, Any]) -> bool:
    """Whether the recorded process is alive and is the very process recorded (start time)."""
    pid = entry.get("pid")
    if not isinstance(pid, int) or not is_live(pid):
        return False
    return start_time(pid) == entry.get("start_time")


def stop_recorded(path: Path, *, owner_wait: float = 10.0, grace: float = 2.0) -> int:
    """Stop the environment recorded at ``path``; returns how many process groups were stopped.

    The owner is asked first (it stops everything and removes the run directory);
    whatever is left is stopped here: SIGTERM, ``grace`` seconds, SIGKILL.
    """
    state = read_state(path)
    owner = state.get("owner", {})
    if still_ours(owner):
        os.kill(owner["pid"], signal.SIGTERM)
        _wait(lambda: not still_ours(owner), owner_wait)
    groups = [p["pgid"] for p in state.get("processes", []) if still_ours(p)]
    _stop_groups(groups, grace)
    run_dir = Path(str(state.get("run_dir", "")))
    if run_dir.name.startswith("aces-env-") and run_dir.is_dir():
        shutil.rmtree(run_dir, ignore_errors=True)
    path.unlink(missing_ok=True)
    return len(groups)


def _stop_groups(groups: list[int], grace: float) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        alive = [g for g in groups if group_members(g)]
        if not alive:
            return
        for group in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
        _wait(lambda: not any(group_members(g) for g in alive), wait)  # noqa: B023


def _wait(done: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)
    return True
