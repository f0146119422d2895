"""Progress events: the pipeline reports through an observer, never to a terminal."""

from __future__ import annotations

from typing import Protocol

from aces.model import CheckResult, StageResult


class Observer(Protocol):
    """Receives progress of a run; the console reporter implements it."""

    def stage_started(self, number: int, title: str, checks: int) -> None:
        """A stage begins with this many checks."""

    def check_finished(self, result: CheckResult) -> None:
        """One check is done."""

    def stage_finished(self, result: StageResult) -> None:
        """A stage is done (or blocked, or not run)."""


class NullObserver:
    """An observer that ignores every event."""

    def stage_started(self, number: int, title: str, checks: int) -> None:
        """Ignore."""

    def check_finished(self, result: CheckResult) -> None:
        """Ignore."""

    def stage_finished(self, result: StageResult) -> None:
        """Ignore."""
