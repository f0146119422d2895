"""The supervisor: a small process that tears an environment down when its owner dies.

A SIGKILLed ``aces`` runs no cleanup, and the servers it started live in process
groups of their own (they must, so that a timeout can stop a whole group), where
neither a parent-death signal (it reaches the direct child only, not Postgres's
backends) nor the terminal's Ctrl-C reaches them. So before the first server
starts, the environment starts this supervisor in a session of its own, holding
the write end of a pipe to its stdin. The kernel closes that end however the
owner ends; the supervisor sees end-of-file and reaps everything the state file
records (``aces.runtime.state.reap``): SIGTERM to every group still ours, the
grace period, SIGKILL, then stray processes of the run directory, the run
directory and the state file.

A clean ``down`` writes ``release`` first: the supervisor then exits without
touching anything. SIGTERM makes it reap at once; SIGINT and SIGHUP are ignored
(a Ctrl-C meant for aces must not cut a teardown short).

Run as ``python -m aces.runtime.supervisor STATE_FILE GRACE_SECONDS``; it imports
the standard library and ``aces.runtime.state`` only, so it starts in tens of
milliseconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

RELEASE = b"release\n"
_STOP_WAIT = 5.0


class _ReapNowError(Exception):
    """SIGTERM arrived: stop waiting for the owner."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    raise _ReapNowError


def main(argv: Sequence[str] | None = None) -> int:
    """Wait for end-of-file (the owner died) or ``release``; reap unless released."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m aces.runtime.supervisor STATE_FILE GRACE_SECONDS", file=sys.stderr)
        return 2
    state_file, grace = Path(args[0]), float(args[1])
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        if _wait_for_owner(sys.stdin.fileno()):
            return 0
    except _ReapNowError:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finish the teardown once begun
    from aces.runtime.state import reap

    reaped = reap(state_file, grace=grace)
    print(f"aces supervisor: reaped {reaped.describe()}", flush=True)
    return 0


def _wait_for_owner(fd: int) -> bool:
    """Block until the pipe ends; whether the owner released the environment first."""
    received = b""
    while chunk := os.read(fd, 64):
        received += chunk
    return received == RELEASE


class Supervisor:
    """The owner's handle on a running supervisor."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        """Wrap a started supervisor process (see ``start``)."""
        self._popen = popen

    @property
    def pid(self) -> int:
        """The supervisor's process id (it leads its own session and group)."""
        return self._popen.pid

    @classmethod
    def start(cls, state_file: Path, grace: float, log_path: Path) -> Supervisor:
        """Start a supervisor of the environment recorded in ``state_file``.

        Started directly, not through the run's ``ProcessRunner``: the runner's
        ``terminate_all`` must not stop the one process meant to outlive aces.
        The pipe's write end is close-on-exec, so no server inherits it.
        """
        package_parent = str(Path(__file__).resolve().parents[2])
        inherited = os.environ.get("PYTHONPATH", "")
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(p for p in (package_parent, inherited) if p),
        }
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "aces.runtime.supervisor", str(state_file), f"{grace:g}"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd="/",
                env=env,
                start_new_session=True,
            )
        return cls(popen)

    def release(self) -> None:
        """Tell the supervisor the environment is down; wait for it to exit."""
        stdin = self._popen.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.write(RELEASE)
                stdin.close()
            except OSError:
                pass  # it is gone already
        try:
            self._popen.wait(_STOP_WAIT)
        except subprocess.TimeoutExpired:
            self._popen.kill()
            self._popen.wait()


if __name__ == "__main__":
    sys.exit(main())
