"""The process runner one check sees: every child bounded by the check's one deadline.

A check has one time budget (``check_timeout_seconds``), not one per command: a
``DeadlineRunner`` starts its clock when the check starts, gives each child it
runs the smaller of the timeout the caller asked for and the time left, refuses
to start anything once the time is spent, and ``expire`` stops the groups still
running at the deadline. It is adopted by the run's ``ProcessRunner``, so a
SIGTERM to ACES reaches the check's children too.

Long-running servers (``start``/``stop``) belong to the stage, not to one check:
they are handed to the run's runner and closed with the stage's resources.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence

from aces.tools.process import CommandError, ProcessRunner, StartedProcess


class DeadlineRunner(ProcessRunner):
    """A ``ProcessRunner`` whose children all end by one deadline, ``budget`` seconds away."""

    def __init__(
        self,
        parent: ProcessRunner,
        *,
        budget: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(base_env=parent.base_env, grace_seconds=parent.grace_seconds)
        self._parent = parent
        self._budget = budget
        self._clock = clock
        self._deadline = clock() + budget
        parent.adopt(self)

    @property
    def budget(self) -> float:
        """The check's whole time budget, in seconds."""
        return self._budget

    @property
    def overrun_message(self) -> str:
        """How an overrun of the budget is reported."""
        return f"timed out: the check's time budget of {self._budget:g}s ran out"

    @property
    def deadline(self) -> float:
        """When the budget runs out, on the runner's clock (``time.monotonic`` by default)."""
        return self._deadline

    def remaining(self) -> float:
        """Seconds left before the deadline (0 once it has passed)."""
        return max(0.0, self._deadline - self._clock())

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.remaining() <= 0.0

    def expire(self) -> None:
        """The deadline is reached: stop every group still running, start nothing more."""
        self._close(self.overrun_message.removeprefix("timed out: "))

    def _limit(self, timeout: float, command: tuple[str, ...]) -> tuple[float, str]:
        left = self.remaining()
        if left <= 0.0:
            raise CommandError(f"was not started: {self.overrun_message}", argv=command)
        if timeout < left:
            return timeout, f"timed out after {timeout:g}s"
        return left, self.overrun_message

    def start(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        cwd: str | os.PathLike[str],
        log_path: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        install_hint: str | None = None,
        user: str | None = None,
    ) -> StartedProcess:
        """Start a server through the run's runner (it outlives the check, not the stage).

        A shared environment may restart a server for another check after the check that
        built it is over, so the check's deadline does not apply; the stage closes it.
        """
        return self._parent.start(
            argv, cwd=cwd, log_path=log_path, env=env, install_hint=install_hint, user=user
        )

    def stop(self, processes: Sequence[StartedProcess], grace: float | None = None) -> None:
        """Stop servers started through ``start`` (they live in the run's runner)."""
        self._parent.stop(processes, grace)
