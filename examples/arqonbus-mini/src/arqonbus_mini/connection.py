"""The connection lifecycle of ``state_machines/connection.sm.yaml``.

A connection completes its handshake, stays open while heartbeats arrive (up to
``MAX_MISSED`` missed heartbeats are tolerated, one more closes it), may be
drained before it closes, and ``closed`` is terminal. Events the current state
rejects raise ``ConnectionError_``; ignored events change nothing. Every
transition taken is traced (``sm_trace``) for ACES's transition coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from arqonbus_mini import sm_trace

MACHINE = "connection"
MAX_MISSED = 2


class ConnectionState(Enum):
    """States of one client connection."""

    CONNECTING = "connecting"
    OPEN = "open"
    DRAINING = "draining"
    CLOSED = "closed"


class ConnectionError_(RuntimeError):
    """An event the connection's current state rejects."""


# (state, event) pairs that are accepted and change nothing.
IGNORED: frozenset[tuple[ConnectionState, str]] = frozenset(
    {
        (ConnectionState.DRAINING, "heartbeat"),
        (ConnectionState.DRAINING, "heartbeat_missed"),
    }
)


@dataclass
class Connection:
    """One connection; ``missed`` counts heartbeats missed in a row."""

    state: ConnectionState = ConnectionState.CONNECTING
    missed: int = 0

    def handle(self, event: str) -> ConnectionState:
        """Apply ``event``; a rejected event raises and changes nothing."""
        if (self.state, event) in IGNORED:
            return self.state
        target = self._target(event)
        if target is None:
            raise ConnectionError_(f"{event!r} is rejected in state {self.state.value!r}")
        sm_trace.emit(MACHINE, self.state.value, event, target.value)
        self.state = target
        return target

    def _target(self, event: str) -> ConnectionState | None:
        """The state ``event`` leads to from the current state (None: rejected)."""
        s = ConnectionState
        if self.state is s.CONNECTING:
            return {"handshake_ok": s.OPEN, "handshake_fail": s.CLOSED, "timeout": s.CLOSED}.get(
                event
            )
        if self.state is s.OPEN:
            return self._open(event)
        if self.state is s.DRAINING:
            return {"close": s.CLOSED, "timeout": s.CLOSED}.get(event)
        return None

    def _open(self, event: str) -> ConnectionState | None:
        """Transitions out of ``open``, with the heartbeat counter."""
        s = ConnectionState
        if event == "heartbeat":
            self.missed = 0
            return s.OPEN
        if event == "heartbeat_missed":
            if self.missed < MAX_MISSED:
                self.missed += 1
                return s.OPEN
            return s.CLOSED
        return {"drain": s.DRAINING, "close": s.CLOSED}.get(event)
