"""A reader that stops reading (``aces sm check ... | head``) is no internal error.

The pipe's read end is closed before aces writes anything, so every write fails: aces
stops quietly, says nothing on standard error, and exits with the code a shell gives
a program whose pipe closed (141, never 0).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.helpers import REPO, is_ci_variable

MODEL = "benchmarks/models/lifecycle.sm.yaml"


@pytest.mark.parametrize(
    "args",
    [("sm", "check", MODEL), ("sm", "graph", MODEL), ("doctrine",), ("explain", "sec.secrets")],
)
def test_a_closed_standard_output_ends_the_command_quietly(args: tuple[str, ...]) -> None:
    env = {k: v for k, v in os.environ.items() if not is_ci_variable(k)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aces", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    stderr = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=300) == 141
    assert stderr == ""
