"""The subscription lifecycle of ``state_machines/subscription.sm.yaml``.

A subscription to a room is confirmed, delivers messages while active, queues
up to ``MAX_BACKLOG`` of them while paused (one more cancels the slow consumer)
and is cancelled at most once: ``cancelled`` is terminal. Every transition
taken is traced (``sm_trace``) for ACES's transition coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from arqonbus_mini import sm_trace

MACHINE = "subscription"
MAX_BACKLOG = 3


class SubscriptionState(Enum):
    """States of one subscription."""

    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class SubscriptionError(RuntimeError):
    """An event the subscription's current state rejects."""


@dataclass
class Subscription:
    """One subscription; ``delivered`` and ``backlog`` hold the messages."""

    state: SubscriptionState = SubscriptionState.PENDING
    delivered: list[str] = field(default_factory=list)
    backlog: list[str] = field(default_factory=list)

    def handle(self, event: str, message: str = "") -> SubscriptionState:
        """Apply ``event``; a rejected event raises and changes nothing."""
        target = self._apply(event, message)
        if target is None:
            raise SubscriptionError(f"{event!r} is rejected in state {self.state.value!r}")
        sm_trace.emit(MACHINE, self.state.value, event, target.value)
        self.state = target
        return target

    def _apply(self, event: str, message: str) -> SubscriptionState | None:
        """Do what ``event`` does in the current state; the next state (None: rejected)."""
        s = SubscriptionState
        if self.state is s.CANCELLED:
            return None
        if event == "cancel":
            self.backlog.clear()
            return s.CANCELLED
        if self.state is s.PENDING:
            return s.ACTIVE if event == "confirm" else None
        if self.state is s.ACTIVE:
            return self._active(event, message)
        return self._paused(event, message)

    def _active(self, event: str, message: str) -> SubscriptionState | None:
        s = SubscriptionState
        if event == "deliver":
            self.delivered.append(message)
            return s.ACTIVE
        return s.PAUSED if event == "pause" else None

    def _paused(self, event: str, message: str) -> SubscriptionState | None:
        s = SubscriptionState
        if event == "deliver":
            if len(self.backlog) < MAX_BACKLOG:
                self.backlog.append(message)
                return s.PAUSED
            self.backlog.clear()  # a slow consumer is cut off
            return s.CANCELLED
        if event == "resume":
            self.delivered.extend(self.backlog)
            self.backlog.clear()
            return s.ACTIVE
        return None
