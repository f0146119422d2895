"""A SIGTERM outside a command's own handling ends aces as not verified, never as killed.

A run puts the process's handler back when it ends; a SIGTERM while the interpreter
winds down (joining a check's thread at exit) must give exit 2 and one line, not the
signal's default death (-15), which a CI reads as neither pass nor a verdict.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = (
    "import os, signal, time\n"
    "from aces.cli.main import _sigterm_is_not_verified\n"
    "_sigterm_is_not_verified()\n"
    "os.kill(os.getpid(), signal.SIGTERM)\n"
    "time.sleep(30)\n"
)


def test_a_late_sigterm_exits_not_verified_with_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr == "aces: interrupted by SIGTERM: the run is not verified\n"
