"""Resources a stage's checks share and the runner closes when the stage ends.

A live environment is started by the first check of a stage that needs it and
used by the others (through ``ctx.memo``); whoever starts it registers how to
close it here, and the runner calls ``close`` once every check of the stage is
done, or when the stage is interrupted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class StageResources:
    """Closers registered by checks, called last-in first-out by ``close``; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closers: list[Callable[[], None]] = []

    def add(self, closer: Callable[[], None]) -> None:
        """Call ``closer`` when the stage ends."""
        with self._lock:
            self._closers.append(closer)

    def close(self) -> None:
        """Call every closer (the last added first); the first error is raised after all ran."""
        with self._lock:
            closers, self._closers = self._closers[::-1], []
        first: BaseException | None = None
        for closer in closers:
            try:
                closer()
            except BaseException as exc:  # every closer runs, whatever the others did
                first = first or exc
        if first is not None:
            raise first
