"""State files of live environments: what runs, so another process can show, stop or reap it.

Every environment records itself under ``<root>/.aces/env/``: ``state.json`` for
the one ``aces env up`` holds, ``aces-env-<id>.json`` for the one of an ``aces
run``. The file is written before the first server starts and rewritten as each
one starts, so it always names every process group that may be alive. It holds
the owner process (the ``aces`` that started the environment), the supervisor
watching that owner, every process with its pid, process group and start time,
its log file and URL, and the run directory.

A pid is acted on only when its start time still matches the record, so a pid
the kernel gave to an unrelated program is never signalled. An environment
whose owner is gone is *stale*: ``reap`` stops what is left of it, removes its
run directory and its state file. ``aces env down`` and the next environment
started on the same repository reap stale ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aces.errors import InputError
from aces.runtime.proc import (
    group_members,
    group_started_by,
    is_live,
    processes_of_run_dir,
    session_id,
    start_time,
)

if TYPE_CHECKING:
    from aces.runtime.provider_local import Environment

STATE_DIR = Path(".aces") / "env"
STATE_FILE = STATE_DIR / "state.json"
STATE_VERSION = 1
RUN_DIR_PREFIX = "aces-env-"
_POLL = 0.05
_KILL_WAIT = 5.0


def state_path(root: Path) -> Path:
    """Where the state file of the ``aces env up`` environment of ``root`` is."""
    return root / STATE_FILE


def state_dir(root: Path) -> Path:
    """The directory holding the state file of every environment of ``root``."""
    return root / STATE_DIR


def identity(pid: int) -> dict[str, Any]:
    """A process as the state records it: pid, start time and session."""
    return {"pid": pid, "start_time": start_time(pid), "session": session_id(pid)}


def snapshot(
    env: Environment, owner: dict[str, Any], supervisor: dict[str, Any] | None
) -> dict[str, Any]:
    """The state of an environment as it is now (starting or up), as JSON-ready data."""
    urls = env.replica_urls()
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
        "owner": owner,
        "supervisor": supervisor,
        "run_dir": str(env.run_dir),
        "nats_urls": list(env.nats_urls()),
        "valkey_url": env.valkey_url(),
        "database_url": env.database_url(),
        "processes": processes,
    }


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Write the state atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
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


def still_ours(entry: Any) -> bool:
    """Whether the recorded process is alive and is the very process recorded (start time)."""
    if not isinstance(entry, dict):
        return False
    pid = entry.get("pid")
    if not isinstance(pid, int) or not is_live(pid):
        return False
    return start_time(pid) == entry.get("start_time")


def is_stale(state: dict[str, Any]) -> bool:
    """Whether the environment's owner is gone (nobody will stop it but a reaper)."""
    return not still_ours(state.get("owner"))


@dataclass(frozen=True)
class Reaped:
    """What reaping one environment did."""

    state_file: Path
    owner_pid: int | None
    stopped: tuple[str, ...]  # names of the processes whose groups were stopped
    stray: int  # processes found by their run directory, outside any recorded group
    run_dir: str
    run_dir_removed: bool

    def describe(self) -> str:
        """One line: whose environment, what was stopped, what was removed."""
        owner = f"pid {self.owner_pid}" if self.owner_pid is not None else "an unknown process"
        parts = [f"stopped {', '.join(self.stopped)}" if self.stopped else "no process was left"]
        if self.stray:
            parts.append(f"{self.stray} stray processes killed")
        if self.run_dir_removed:
            parts.append(f"removed {self.run_dir}")
        return f"the environment of {owner} ({self.state_file.name}): {'; '.join(parts)}"


def reap(path: Path, *, grace: float = 2.0) -> Reaped:
    """Stop every recorded process group still ours, then strays; remove run dir and state.

    Idempotent: a group already gone, a missing run directory or state file is fine.
    """
    try:
        state = read_state(path)
    except InputError:
        path.unlink(missing_ok=True)
        return Reaped(path, None, (), 0, "", run_dir_removed=False)
    entries = [p for p in state.get("processes", []) if isinstance(p, dict)]
    ours = [p for p in entries if _group_is_ours(p)]
    stop_groups([int(p["pgid"]) for p in ours], grace)
    run_dir = Path(str(state.get("run_dir", "")))
    valid_dir = run_dir.name.startswith(RUN_DIR_PREFIX) and run_dir.is_absolute()
    strays = _kill_strays(run_dir, state) if valid_dir else 0
    removed = False
    if valid_dir and run_dir.is_dir():
        shutil.rmtree(run_dir, ignore_errors=True)
        removed = not run_dir.exists()
    path.unlink(missing_ok=True)
    owner = state.get("owner")
    owner_pid = owner.get("pid") if isinstance(owner, dict) else None
    names = tuple(str(p.get("name", p["pgid"])) for p in ours)
    return Reaped(path, owner_pid, names, strays, str(run_dir), removed)


def reap_stale(root: Path, *, grace: float = 2.0) -> tuple[Reaped, ...]:
    """Reap every environment of ``root`` whose owner is gone, in file-name order."""
    reaped = []
    for path in recorded(root):
        try:
            state = read_state(path)
        except InputError:
            continue  # being written right now, or not ours to judge
        if is_stale(state):
            reaped.append(reap(path, grace=grace))
    return tuple(reaped)


def recorded(root: Path) -> tuple[Path, ...]:
    """Every state file under ``root``, sorted."""
    directory = state_dir(root)
    if not directory.is_dir():
        return ()
    return tuple(sorted(directory.glob("*.json")))


def stop_recorded(path: Path, *, owner_wait: float = 10.0, grace: float = 2.0) -> Reaped:
    """Stop the environment recorded at ``path``: ask its owner first, then reap what is left."""
    state = read_state(path)
    owner = state.get("owner")
    if still_ours(owner):
        assert isinstance(owner, dict)
        os.kill(owner["pid"], signal.SIGTERM)
        wait_until(lambda: not still_ours(owner), owner_wait)
    return reap(path, grace=grace)


def _group_is_ours(entry: dict[str, Any]) -> bool:
    pgid, started = entry.get("pgid"), entry.get("start_time")
    if not isinstance(pgid, int) or not isinstance(started, int):
        return False
    return group_started_by(pgid, started)


def _kill_strays(run_dir: Path, state: dict[str, Any]) -> int:
    """SIGKILL processes that still use the run directory (started just before aces died)."""
    owner = state.get("owner")
    owner = owner if isinstance(owner, dict) else {}
    started = owner.get("start_time")
    session = owner.get("session")
    candidates = processes_of_run_dir(
        run_dir,
        started_after=started if isinstance(started, int) else 0,
        outside_session=session if isinstance(session, int) else None,
    )
    spared = {os.getpid()}
    for key in ("owner", "supervisor"):
        entry = state.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("pid"), int):
            spared.add(entry["pid"])
    strays = [pid for pid in candidates if pid not in spared]
    for pid in strays:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not any(is_live(pid) for pid in strays), _KILL_WAIT)
    return len(strays)


def stop_groups(groups: Iterable[int], grace: float) -> None:
    """SIGTERM every group, ``grace`` seconds, SIGKILL the groups still alive."""
    pending = list(groups)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, _KILL_WAIT)):
        alive = [g for g in pending if group_members(g)]
        if not alive:
            return
        for group in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, sig)
        wait_until(lambda: not any(group_members(g) for g in alive), wait)  # noqa: B023


def wait_until(done: Callable[[], bool], seconds: float) -> bool:
    """Poll ``done`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)
    return True
