"""What keeps an environment from outliving the ``aces`` that started it.

``Guard`` is the lifecycle half of ``Environment`` that is about orphans:

- before the run directory is made, stale environments of the same repository
  (their owner is gone) are reaped (``state.reap_stale``);
- before the first server starts, the state file is written (owner, run
  directory, no process yet) and the supervisor is started;
- after each process starts, the state file is rewritten, so it always names
  every process group that may be alive, with start times;
- on ``down``, once everything is stopped, the state file is removed and the
  supervisor released.

Should aces be SIGKILLed at any point in between, the supervisor reaps what the
state file names; should the supervisor be killed too, ``aces env down`` or the
next environment on the repository does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aces.errors import InputError
from aces.runtime.state import (
    Reaped,
    identity,
    read_state,
    reap_stale,
    state_dir,
    still_ours,
    write_state,
)
from aces.runtime.supervisor import Supervisor

Snapshot = Callable[[dict[str, Any], dict[str, Any] | None], dict[str, Any]]


class Guard:
    """The state file and the supervisor of one environment (see the module docstring)."""

    def __init__(
        self, *, root: Path, state_file: Path | None, supervise: bool, grace: float
    ) -> None:
        """``state_file`` None: ``<root>/.aces/env/<run dir name>.json``."""
        self._root = root
        self._wanted = state_file
        self._supervise = supervise
        self._grace = grace
        self._path: Path | None = None
        self._owner: dict[str, Any] = {}
        self._supervisor: Supervisor | None = None
        self.reaped: tuple[Reaped, ...] = ()

    @property
    def state_file(self) -> Path | None:
        """The state file while the environment is recorded."""
        return self._path

    def reap_stale(self) -> None:
        """Stop what stale environments of the repository left behind."""
        self.reaped = reap_stale(self._root, grace=self._grace)

    def begin(self, run_dir: Path, snapshot: Snapshot) -> None:
        """Record the (still empty) environment, then start its supervisor."""
        path = self._wanted or state_dir(self._root) / f"{run_dir.name}.json"
        _refuse_live(path)
        self._owner = identity(os.getpid())
        try:
            write_state(path, snapshot(self._owner, None))
        except OSError:
            # A read-only checkout: record beside the run directory, where the
            # supervisor still finds it (``aces env down`` then cannot).
            path = run_dir.with_name(run_dir.name + ".json")
            write_state(path, snapshot(self._owner, None))
        self._path = path
        if self._supervise:
            self._supervisor = Supervisor.start(
                path, self._grace, run_dir / "logs" / "supervisor.log"
            )
        self.record(snapshot)

    def record(self, snapshot: Snapshot) -> None:
        """Rewrite the state file from the environment as it is now."""
        if self._path is None:
            return
        watcher = identity(self._supervisor.pid) if self._supervisor is not None else None
        write_state(self._path, snapshot(self._owner, watcher))

    def end(self) -> None:
        """Everything is stopped: forget the record, release the supervisor."""
        path, self._path = self._path, None
        if path is not None:
            path.unlink(missing_ok=True)
            _prune_empty(path.parent, self._root)
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.release()


def _prune_empty(directory: Path, root: Path) -> None:
    """Remove ``directory`` and its parents below ``root`` while empty (no leftover ``.aces``)."""
    while directory != root and directory.is_relative_to(root):
        try:
            directory.rmdir()
        except OSError:
            return  # not empty (another environment's record), or not ours to remove
        directory = directory.parent


def _refuse_live(path: Path) -> None:
    """An environment recorded at ``path`` whose owner still runs is not ours to replace."""
    if not path.exists():
        return
    try:
        state = read_state(path)
    except InputError:
        return  # unreadable: nothing can act on it anyway; it is replaced
    owner = state.get("owner")
    if still_ours(owner) and isinstance(owner, dict):
        raise InputError(
            f"an environment is already running here (aces pid {owner['pid']})",
            path=str(path),
            hint="stop it with `aces env down`",
        )
