"""Stop every child process when ACES itself is told to stop.

``terminate_children_on_signal(runner)`` wraps a run: on SIGTERM or SIGINT it
stops every process group the runner started, then raises ``InterruptError`` (an
``AcesError``), so the CLI exits with code 2 ("cannot verify") and no tool,
server or grandchild outlives ACES.

Once interrupted, log records of libraries (nats-py, asyncio, websockets) are
dropped: their clients in check threads see the servers vanish and would print
reconnect tracebacks under the one line that says what happened.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Protocol

from aces.errors import AcesError

HANDLED_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)

_Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


class Terminable(Protocol):
    """Anything that can stop all the processes it started (a ``ProcessRunner``)."""

    def terminate_all(self) -> None:
        """Stop every live process group."""


class InterruptError(AcesError):
    """ACES received SIGTERM or SIGINT; its child processes were stopped."""

    def __init__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        super().__init__(
            f"interrupted by {name}: every child process was stopped; the run is not verified"
        )
        self.signum = signum


def silence_library_logs() -> None:
    """Drop every log record from now on (the process is about to exit).

    Python prints records of loggers without a handler to stderr (the "last
    resort" handler, WARNING and above); a handler on the root logger that
    discards them stops that.
    """
    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())


@contextmanager
def terminate_children_on_signal(
    runner: Terminable, signals: tuple[signal.Signals, ...] = HANDLED_SIGNALS
) -> Iterator[None]:
    """While active, SIGTERM/SIGINT stop the runner's processes and raise ``InterruptError``.

    Python delivers signals to the main thread only, so the handlers are
    installed only there; elsewhere this is a no-op. Previous handlers are
    restored on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, _Handler] = {s: signal.getsignal(s) for s in signals}

    def handle(signum: int, frame: FrameType | None) -> None:
        del frame
        # A second Ctrl-C while children are being stopped must not abort the
        # cleanup half-way; the stop is bounded by the runner's grace period.
        for sig in signals:
            signal.signal(sig, signal.SIG_IGN)
        silence_library_logs()
        runner.terminate_all()
        raise InterruptError(signum)

    for sig in signals:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
