"""terminate_children_on_signal: stops the runner, raises InterruptError, restores handlers."""

from __future__ import annotations

import os
import signal
import time

import pytest

from aces.errors import AcesError
from aces.tools.signals import InterruptError, terminate_children_on_signal


class Recorder:
    """Stands in for a ProcessRunner; counts terminate_all calls."""

    def __init__(self) -> None:
        self.calls = 0

    def terminate_all(self) -> None:
        self.calls += 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_children_then_raises(signum: signal.Signals) -> None:
    before = signal.getsignal(signum)
    runner = Recorder()
    with pytest.raises(InterruptError) as caught, terminate_children_on_signal(runner):
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler interrupts this at once
    assert runner.calls == 1
    assert isinstance(caught.value, AcesError)
    assert caught.value.signum == signum
    assert caught.value.diagnostics() == (
        f"interrupted by {signum.name}: every child process was stopped; the run is not verified"
    )
    assert signal.getsignal(signum) == before


def test_handlers_are_restored_without_a_signal() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    with terminate_children_on_signal(Recorder()):
        assert signal.getsignal(signal.SIGTERM) != before[signal.SIGTERM]
    assert {s: signal.getsignal(s) for s in before} == before
